package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/chainclient"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// validatorChain is one validator's view of a shared stepChain: its own
// relayer address, and a record of the beacons it submitted.
type validatorChain struct {
	*stepChain
	addr      string
	submitted map[[32]byte]int
}

func (c *validatorChain) RelayerAddress() string { return c.addr }

func (c *validatorChain) Submit(ctx context.Context, msgs []*poctypes.MsgSubmitPoc) (chainclient.Result, error) {
	for _, m := range msgs {
		c.submitted[m.Beacon.ToVerify().ID()]++
	}
	return c.stepChain.Submit(ctx, msgs)
}

// Two validators holding the same beacons do not relay them at once: for
// each beacon only the validator whose turn is first relays when the
// witness window ends; the other waits relay-jitter more, and only then
// looks at the chain (by which time the first relay has landed).
func TestRelayTurnsKeepTwoValidatorsFromRelayingAtOnce(t *testing.T) {
	fa := newRelayFixture(t)
	const jitter = 4 * time.Second
	var ids [][32]byte
	for i := byte(1); i <= 8; i++ {
		ids = append(ids, fa.queue(t, i))
	}
	// The second validator's ingest holds the same reports.
	fb := newRelayFixture(t)
	entries, err := fa.store.Beacons()
	require.NoError(t, err)
	for _, e := range entries {
		ok, err := fb.store.PutBeacon(e, nil)
		require.NoError(t, err)
		require.True(t, ok)
	}
	shared := fa.chain
	chains := map[string]*validatorChain{}
	for name, f := range map[string]*relayFixture{"a": fa, "b": fb} {
		c := &validatorChain{stepChain: shared, addr: "hnt1" + name, submitted: map[[32]byte]int{}}
		chains[name] = c
		f.r.chain = c
		f.r.cfg.RelayJitter = jitter
		f.r.self = []byte("validator " + name)
		f.r.peers = [][]byte{[]byte("validator " + map[string]string{"a": "b", "b": "a"}[name])}
	}
	// Each beacon's turns are 0 and one jitter, and both ranks occur.
	firstA := 0
	for _, id := range ids {
		ta, tb := fa.r.turn(id), fb.r.turn(id)
		require.ElementsMatch(t, []time.Duration{0, jitter}, []time.Duration{ta, tb})
		if ta == 0 {
			firstA++
		}
	}
	require.True(t, firstA > 0 && firstA < len(ids), "each validator is first for some of the beacons (%d of %d)", firstA, len(ids))

	stepBoth := func() {
		fa.step(t)
		fb.step(t)
	}
	stepBoth() // inside the window: nothing
	require.Empty(t, shared.submits)

	fa.now = fa.now.Add(fa.r.cfg.WitnessWindow)
	fb.now = fa.now
	stepBoth() // the window has ended: the first-ranked validator of each beacon relays
	for _, id := range ids {
		a, b := chains["a"].submitted[id], chains["b"].submitted[id]
		require.Equal(t, 1, a+b, "beacon %x is relayed by exactly one validator when its window ends", id[:4])
		if fa.r.turn(id) == 0 {
			require.Equal(t, 1, a, "a is first for %x", id[:4])
		} else {
			require.Equal(t, 1, b, "b is first for %x", id[:4])
		}
	}

	// Just before the second turn, still nobody relays a second copy.
	fa.now = fa.now.Add(jitter - time.Millisecond)
	fb.now = fa.now
	stepBoth()
	for _, id := range ids {
		require.Equal(t, 1, chains["a"].submitted[id]+chains["b"].submitted[id], "%x", id[:4])
	}
	// The first relays land; at its turn the second validator sees them on
	// chain, opened by the other with every report it holds.
	shared.block(true)
	fa.now = fa.now.Add(time.Millisecond)
	fb.now = fa.now
	stepBoth()
	for _, id := range ids {
		require.Contains(t, shared.recorded, id)
		require.Len(t, shared.recorded[id].relayers, 1, "opened once, by one validator: %x", id[:4])
	}
}
