package ingest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Shedding follows the least relay delay of each interval: one late
// inclusion among timely ones does not shed, an interval of late ones does,
// and an interval of timely ones stops it. An interval without inclusions
// keeps the decision while a backlog remains; an empty backlog ends it.
// A relayer with work that finishes no round for the bound sheds too.
func TestOverloadFollowsTheLeastRelayDelayPerInterval(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	o := newOverload(10 * time.Second)

	o.step(at(0), 3)
	o.included(at(time.Second), 30*time.Second)
	o.included(at(2*time.Second), 2*time.Second) // one relay on time
	o.step(at(overloadInterval), 3)
	require.False(t, o.shedding(t0), "the least delay was on time")

	o.included(at(6*time.Second), 11*time.Second)
	o.included(at(7*time.Second), 12*time.Second)
	o.step(at(9*time.Second), 3)
	require.False(t, o.shedding(t0), "the interval is not over")
	o.step(at(10*time.Second), 3)
	require.True(t, o.shedding(t0), "every relay of the interval was late")

	o.step(at(15*time.Second), 3) // nothing included: the chain stalled
	require.True(t, o.shedding(t0), "an interval without inclusions decides nothing")

	o.included(at(16*time.Second), 10*time.Second) // at the bound: on time
	o.step(at(20*time.Second), 3)
	require.False(t, o.shedding(t0))

	o.included(at(21*time.Second), 20*time.Second)
	o.step(at(25*time.Second), 3)
	require.True(t, o.shedding(t0))
	o.step(at(26*time.Second), 0)
	require.False(t, o.shedding(t0), "no backlog, no shedding")

	// A relayer with work that finishes no round for max-relay-delay
	// sheds too (it sees no inclusions to judge by).
	o = newOverload(10 * time.Second)
	require.False(t, o.shedding(at(time.Hour)), "before the first round")
	o.roundDone(at(0), 0)
	require.False(t, o.shedding(at(time.Minute)), "an idle relayer is not stalled")
	o.admitted()
	require.False(t, o.shedding(at(10*time.Second)), "at the bound")
	require.True(t, o.shedding(at(10*time.Second+time.Millisecond)), "work and no round for longer than the bound")
	o.roundDone(at(11*time.Second), 4)
	require.False(t, o.shedding(at(12*time.Second)))
	require.True(t, o.shedding(at(22*time.Second)), "work left and no round since")
	o.roundDone(at(23*time.Second), -1) // a round that failed before reading the queue
	require.True(t, o.shedding(at(34*time.Second)))

	off := newOverload(0)
	off.step(at(0), 3)
	off.included(at(time.Second), time.Hour)
	off.step(at(overloadInterval), 3)
	off.roundDone(at(0), 5)
	require.False(t, off.shedding(at(time.Hour)), "max-relay-delay 0 never sheds")
}

// A node that has taken beacons but not finished its first relayer round
// (just started) is not shedding: the stall rule counts from a round.
func TestOverloadWaitsForTheFirstRelayerRound(t *testing.T) {
	o := newOverload(10 * time.Second)
	o.admitted()
	now := time.Unix(1_700_000_000, 0)
	require.False(t, o.shedding(now), "no round yet")
	o.roundDone(now, 1)
	require.False(t, o.shedding(now.Add(10*time.Second)), "at the bound")
	require.True(t, o.shedding(now.Add(10*time.Second+time.Millisecond)), "a round with work left and none since")
}
