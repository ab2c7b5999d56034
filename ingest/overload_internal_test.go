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
func TestOverloadFollowsTheLeastRelayDelayPerInterval(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	o := newOverload(10 * time.Second)

	o.step(at(0), 3)
	o.included(at(time.Second), 30*time.Second)
	o.included(at(2*time.Second), 2*time.Second) // one relay on time
	o.step(at(overloadInterval), 3)
	require.False(t, o.shedding(), "the least delay was on time")

	o.included(at(6*time.Second), 11*time.Second)
	o.included(at(7*time.Second), 12*time.Second)
	o.step(at(9*time.Second), 3)
	require.False(t, o.shedding(), "the interval is not over")
	o.step(at(10*time.Second), 3)
	require.True(t, o.shedding(), "every relay of the interval was late")

	o.step(at(15*time.Second), 3) // nothing included: the chain stalled
	require.True(t, o.shedding(), "an interval without inclusions decides nothing")

	o.included(at(16*time.Second), 10*time.Second) // at the bound: on time
	o.step(at(20*time.Second), 3)
	require.False(t, o.shedding())

	o.included(at(21*time.Second), 20*time.Second)
	o.step(at(25*time.Second), 3)
	require.True(t, o.shedding())
	o.step(at(26*time.Second), 0)
	require.False(t, o.shedding(), "no backlog, no shedding")

	off := newOverload(0)
	off.step(at(0), 3)
	off.included(at(time.Second), time.Hour)
	off.step(at(overloadInterval), 3)
	require.False(t, off.shedding(), "max-relay-delay 0 never sheds")
}
