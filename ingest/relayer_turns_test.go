package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
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

func (c *validatorChain) Submit(ctx context.Context, msgs []*poctypes.MsgSubmitPoc, gas uint64) (chainclient.Result, error) {
	for _, m := range msgs {
		c.submitted[m.Beacon.ToVerify().ID()]++
	}
	return c.stepChain.Submit(ctx, msgs, gas)
}

// twoValidators is two relayers over one shared chain, each the other's
// only peer, with relay-jitter jitter.
func twoValidators(t *testing.T, jitter time.Duration) (fa, fb *relayFixture, shared *stepChain, chains map[string]*validatorChain) {
	fa, fb = newRelayFixture(t), newRelayFixture(t)
	shared = fa.chain
	chains = map[string]*validatorChain{}
	for name, f := range map[string]*relayFixture{"a": fa, "b": fb} {
		c := &validatorChain{stepChain: shared, addr: "hnt1" + name, submitted: map[[32]byte]int{}}
		chains[name] = c
		f.r.chain = c
		f.r.cfg.RelayJitter = jitter
		f.r.self = []byte("validator " + name)
		f.r.peers = [][]byte{[]byte("validator " + map[string]string{"a": "b", "b": "a"}[name])}
	}
	return fa, fb, shared, chains
}

// share puts from's queued beacons ids into to's queue, as gossip does.
func share(t *testing.T, from, to *relayFixture, ids [][32]byte) {
	t.Helper()
	queued := from.queued(t)
	for _, id := range ids {
		ok, err := to.store.PutBeacon(queued[id], nil)
		require.NoError(t, err)
		require.True(t, ok)
	}
}

// Two validators holding the same beacons do not relay them at once: for
// each beacon only the validator whose turn is first relays when the
// witness window ends; the other waits relay-jitter more, and only then
// looks at the chain (by which time the first relay has landed).
func TestRelayTurnsKeepTwoValidatorsFromRelayingAtOnce(t *testing.T) {
	const jitter = 4 * time.Second
	fa, fb, shared, chains := twoValidators(t, jitter)
	var ids [][32]byte
	for i := byte(1); i <= 8; i++ {
		ids = append(ids, fa.queue(t, i))
	}
	// The second validator's ingest holds the same reports.
	share(t, fa, fb, ids)
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

// On a congested chain a relay takes longer than relay-jitter to land. A
// validator whose turn came used to find the first relay not yet on chain and
// send a whole copy. A validator that has seen its own relays take that long
// now waits that much more, finds the first relay on chain, and sends
// nothing. Here b has learnt that relays take 6 s; a has not.
func TestRelayWaitsForTheFirstRelayToLandBeforeCopyingIt(t *testing.T) {
	const jitter, landing = 4 * time.Second, 6 * time.Second
	fa, fb, shared, chains := twoValidators(t, jitter)
	step := func() {
		fb.now = fa.now
		fa.step(t)
		fb.step(t)
	}
	// b relays beacons only it holds, as the only validator; they land
	// 6 s after their window ends.
	peers := fb.r.peers
	fb.r.peers = nil
	for i := byte(1); i <= 4; i++ {
		fb.queue(t, i)
	}
	fa.now = fa.now.Add(fa.r.cfg.WitnessWindow)
	step()
	require.Len(t, chains["b"].submitted, 4)
	fa.now = fa.now.Add(landing)
	shared.block(true)
	step()
	require.Empty(t, fb.queued(t), "b's relays landed")
	fb.r.peers = peers
	require.Equal(t, landing, fb.r.landingWait())
	require.Zero(t, fa.r.landingWait())

	// Beacons both hold: whoever ranks first relays when the window ends.
	var ids [][32]byte
	for i := byte(11); i <= 26; i++ {
		ids = append(ids, fa.queue(t, i))
	}
	share(t, fa, fb, ids)
	first := map[string][][32]byte{}
	for _, id := range ids {
		if fa.r.turn(id) == 0 {
			first["a"] = append(first["a"], id)
		} else {
			first["b"] = append(first["b"], id)
		}
	}
	require.NotEmpty(t, first["a"])
	require.NotEmpty(t, first["b"])
	fa.now = fa.now.Add(fa.r.cfg.WitnessWindow)
	step()
	for _, id := range first["b"] {
		require.Equal(t, 1, chains["b"].submitted[id], "b ranks first for %x and relays it when the window ends, whatever it learnt", id[:4])
	}
	// The first relays take longer than relay-jitter. At its turn a finds
	// b's relays not on chain and copies them; b waits for a's to land.
	fa.now = fa.now.Add(jitter)
	step()
	for _, id := range first["b"] {
		require.Equal(t, 1, chains["a"].submitted[id], "a copies b's relay of %x, still in the mempool", id[:4])
	}
	fa.now = fa.now.Add(landing - jitter - time.Millisecond)
	step()
	for _, id := range first["a"] {
		require.Zero(t, chains["b"].submitted[id], "b waits for a's relay of %x to land", id[:4])
	}
	shared.block(true)
	fa.now = fa.now.Add(jitter + time.Millisecond) // b's turn and the 6 s it learnt
	step()
	for _, id := range first["a"] {
		require.Zero(t, chains["b"].submitted[id], "b finds a's relay of %x on chain and sends nothing", id[:4])
		require.Equal(t, []string{"hnt1a"}, shared.recorded[id].relayers)
	}
}

// A PoC already open is not kept waiting: at its turn a validator that has
// learnt a long landing time still adds the report the first relay left out,
// so the addition lands within close_grace_ms.
func TestRelayAddsToAnOpenPocAtItsTurnWhateverItLearnt(t *testing.T) {
	const jitter = 4 * time.Second
	fa, fb, shared, chains := twoValidators(t, jitter)
	fb.r.landing = 20 * time.Second
	id := fa.queue(t, 1)
	for i := byte(2); fa.r.turn(id) != 0; i++ {
		id = fa.queue(t, i) // until one a ranks first for
	}
	share(t, fa, fb, [][32]byte{id})
	fb.beacons[id] = fa.beacons[id]
	fb.witness(t, id) // heard by b only
	fa.now = fa.now.Add(fa.r.cfg.WitnessWindow)
	fa.step(t)
	require.Equal(t, 1, chains["a"].submitted[id])
	shared.block(true)
	require.Empty(t, shared.recorded[id].witnesses, "a's relay opened the PoC without b's report")
	fb.now = fa.now.Add(jitter)
	fb.step(t)
	require.Equal(t, 1, chains["b"].submitted[id], "b adds its report at its turn")
	shared.block(true)
	require.Len(t, shared.recorded[id].witnesses, 1)
}

// When the first relay never comes (its validator is down), the copy goes
// out at the turn plus the learnt landing time, which is capped: a quarter
// of what report-ttl leaves after the witness window and every rank's
// jitter.
func TestRelayWaitForTheFirstRelayIsCapped(t *testing.T) {
	const jitter = 4 * time.Second
	_, fb, shared, chains := twoValidators(t, jitter)
	peers := fb.r.peers
	fb.r.peers = nil // alone, the beacon falls due when its window ends
	fb.queue(t, 1)
	fb.now = fb.now.Add(fb.r.cfg.WitnessWindow)
	fb.step(t)
	require.Len(t, chains["b"].submitted, 1)
	fb.now = fb.now.Add(9 * time.Minute) // a relay that took 9 minutes to land
	shared.block(true)
	fb.step(t)
	require.Empty(t, fb.queued(t))
	require.Equal(t, 9*time.Minute, fb.r.landing)
	fb.r.peers = peers

	limit := (fb.r.cfg.ReportTTL - fb.r.cfg.WitnessWindow - jitter) / 4
	require.Equal(t, limit, fb.r.landingWait())
	id := fb.queue(t, 2)
	for i := byte(3); fb.r.turn(id) == 0; i++ {
		id = fb.queue(t, i) // until one b does not rank first for
	}
	fb.now = fb.now.Add(fb.r.cfg.WitnessWindow + jitter + limit - time.Millisecond)
	fb.step(t)
	require.Zero(t, chains["b"].submitted[id], "waits for the first relay up to the cap")
	fb.now = fb.now.Add(time.Millisecond)
	fb.step(t)
	require.Equal(t, 1, chains["b"].submitted[id], "and then relays it itself")
	require.Equal(t, poctypes.RelayTxGas+poctypes.RelayMsgGasLimit(0, 64), shared.gas[len(shared.gas)-1],
		"with gas for landing on the first relay, should it come after all (64: max_witnesses_per_msg)")

	// A report-ttl that the window and the jitter nearly fill leaves no
	// wait, and never a negative one.
	fb.r.cfg.ReportTTL = fb.r.cfg.WitnessWindow + jitter - time.Second
	require.Zero(t, fb.r.landingWait())
}

// A relay that has not landed after resubmitAfter blocks is sent again only
// once it has also been out twice as long as this node's relays take to
// land: on a congested chain it is still in the mempool.
func TestRelayStepResubmitsOnlyAfterTwiceTheLandingTime(t *testing.T) {
	f := newRelayFixture(t)
	f.r.landing = 30 * time.Second
	f.queue(t, 1)
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Len(t, f.chain.submits, 1)
	for i := 0; i < 11; i++ {
		f.chain.block(false)
		f.step(t)
	}
	f.now = f.now.Add(time.Minute - time.Millisecond)
	f.step(t)
	require.Len(t, f.chain.submits, 1, "after resubmitAfter blocks, but within twice the landing time")
	f.now = f.now.Add(time.Millisecond)
	f.step(t)
	require.Len(t, f.chain.submits, 2, "resubmitted after twice the landing time")
}

// landing starts at the first relay's time from falling due (its window
// and this node's turn) to landing, and then moves an eighth of the way to
// each new one; a beacon this node has not submitted teaches nothing.
func TestRelayLandingAveragesThisNodesOwnRelays(t *testing.T) {
	f := newRelayFixture(t) // no peers: every beacon falls due when its window ends
	window := f.r.cfg.WitnessWindow
	relay := func(landedAfterDue time.Duration, submitted bool) BeaconEntry {
		b := BeaconEntry{ArrivedMs: f.now.Add(-window - landedAfterDue).UnixMilli()}
		if submitted {
			b.SubmittedMs = f.now.Add(-time.Millisecond).UnixMilli() // the time of submission does not count
		}
		return b
	}
	f.r.landed(f.now, relay(time.Minute, false))
	require.Zero(t, f.r.landing)
	f.r.landed(f.now, relay(8*time.Second, true))
	require.Equal(t, 8*time.Second, f.r.landing)
	f.r.landed(f.now, relay(16*time.Second, true))
	require.Equal(t, 9*time.Second, f.r.landing)
	require.Equal(t, 9.0, testutil.ToFloat64(f.r.m.Landing), "exported as pocd_ingest_relay_landing_seconds")
	f.r.landed(f.now, relay(time.Minute, false))
	require.Equal(t, 9*time.Second, f.r.landing)

	// With peers, from the end of the window plus this node's turn.
	f.r.cfg.RelayJitter, f.r.peers = 4*time.Second, [][]byte{[]byte("other")}
	f.r.landing = 0
	b := relay(10*time.Second, true)
	b.ID = [32]byte{1}
	for f.r.turn(b.ID) == 0 {
		b.ID[0]++
	}
	f.r.landed(f.now, b)
	require.Equal(t, 10*time.Second-f.r.turn(b.ID), f.r.landing)
}
