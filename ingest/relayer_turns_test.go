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
// out at the turn plus the learnt landing time, which is capped at twice
// max-relay-delay; so is every sample, so one relay that took minutes (after
// an outage, say) cannot set it.
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
	fb.r.peers = peers

	const limit = 20 * time.Second // twice the default max-relay-delay
	require.Equal(t, 10*time.Second, fb.r.cfg.MaxRelayDelay)
	require.Equal(t, limit, fb.r.landing, "the sample is clamped")
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

	// Without shedding (max-relay-delay 0) there is no wait.
	fb.r.cfg.MaxRelayDelay = 0
	require.Zero(t, fb.r.landingWait())
}

// landing starts at the first relay's time from falling due (its window) to
// landing, and then moves an eighth of the way to each new one. Only relays
// this node made as the first-ranked validator at their first attempt are
// samples, each clamped to the cap (twice max-relay-delay); a beacon stamped
// ahead counts from when the chain would take it.
func TestRelayLandingAveragesThisNodesOwnFirstRelays(t *testing.T) {
	f := newRelayFixture(t) // no peers: every beacon falls due when its window ends
	window := f.r.cfg.WitnessWindow
	landed := func(now time.Time, b BeaconEntry) { // seen on chain by a relay round
		d := doneSet{}
		d.add(b, "included")
		require.NoError(t, f.r.complete(now, &d))
	}
	relay := func(landedAfterDue time.Duration, attempts uint32) BeaconEntry {
		b := BeaconEntry{ArrivedMs: f.now.Add(-window - landedAfterDue).UnixMilli(), Attempts: attempts}
		if attempts > 0 {
			b.SubmittedMs = f.now.Add(-time.Millisecond).UnixMilli() // the time of submission does not count
		}
		return b
	}
	landed(f.now, relay(time.Minute, 0))
	require.Zero(t, f.r.landing, "not submitted by this node")
	landed(f.now, relay(8*time.Second, 1))
	require.Equal(t, 8*time.Second, f.r.landing)
	landed(f.now, relay(16*time.Second, 1))
	require.Equal(t, 9*time.Second, f.r.landing)
	require.Equal(t, 9.0, testutil.ToFloat64(f.r.m.Landing), "exported as pocd_ingest_relay_landing_seconds")
	landed(f.now, relay(time.Minute, 2))
	require.Equal(t, 9*time.Second, f.r.landing, "a resubmission is not a sample")
	landed(f.now, relay(time.Minute, 1))
	require.Equal(t, 9*time.Second+(20*time.Second-9*time.Second)/8, f.r.landing, "clamped to 20 s")

	// A beacon stamped ahead of its arrival: from its timestamp plus the
	// chain's earliest relay.
	f.chain.earliest = 2 * time.Second // read from the chain by a round with a beacon to relay
	f.queue(t, 9)
	f.now = f.now.Add(f.chain.earliest)
	f.step(t)
	require.Len(t, f.chain.submits, 1)
	f.r.landing = 0
	id := f.queueAt(t, 1, f.now.Add(30*time.Second))
	b := f.queued(t)[id]
	b.SubmittedMs, b.Attempts = f.now.UnixMilli(), 1
	landed(f.now.Add(30*time.Second+2*time.Second+5*time.Second), b)
	require.Equal(t, 5*time.Second, f.r.landing)

	// With peers, only beacons this node ranks first for.
	f.r.cfg.RelayJitter, f.r.peers = 4*time.Second, [][]byte{[]byte("other")}
	f.r.landing = 0
	b = relay(10*time.Second, 1)
	b.ID = [32]byte{1}
	for f.r.turn(b.ID) == 0 {
		b.ID[0]++
	}
	landed(f.now, b)
	require.Zero(t, f.r.landing, "a copy as a later rank is not a sample")
	for f.r.turn(b.ID) != 0 {
		b.ID[0]++
	}
	landed(f.now, b)
	require.Equal(t, 10*time.Second, f.r.landing)
}

// Overload counts only the relays a validator made as the first-ranked one:
// a later rank's copy that waited for the first relay lands late on purpose,
// and must not make admission shed.
func TestRelayOverloadCountsOnlyFirstRankedRelays(t *testing.T) {
	f := newRelayFixture(t)
	f.r.overload = newOverload(time.Second)
	f.r.cfg.RelayJitter, f.r.peers = 4*time.Second, [][]byte{[]byte("other")}
	late := func(first bool) BeaconEntry {
		b := BeaconEntry{ID: [32]byte{1}, ArrivedMs: f.now.Add(-f.r.cfg.WitnessWindow - time.Minute).UnixMilli(), SubmittedMs: f.now.UnixMilli(), Attempts: 1}
		for (f.r.turn(b.ID) == 0) != first {
			b.ID[0]++
		}
		return b
	}
	include := func(b BeaconEntry) {
		d := doneSet{}
		d.add(b, "included")
		require.NoError(t, f.r.complete(f.now, &d))
	}
	include(late(false))
	f.now = f.now.Add(overloadInterval)
	include(late(false))
	require.False(t, f.r.overload.shedding(f.now), "late copies as a later rank")
	include(late(true))
	f.now = f.now.Add(overloadInterval)
	include(late(true))
	require.True(t, f.r.overload.shedding(f.now), "late relays as the first-ranked validator")
}
