package ingest

import (
	"sync"
	"sync/atomic"
	"time"
)

// overload decides when admission sheds new beacons: while this node's own
// relays reach the chain later than max-relay-delay after they were due
// (their beacon's witness window and this node's relay turn). It watches
// the least such delay over each overloadInterval, as CoDel watches a
// queue's sojourn time: one slow block does not make every relay of an
// interval late, a backlog does. A node offered more than it can include
// then keeps including at its capacity and refuses the excess at once
// (overloaded: a hotspot is told to retry, and delivers to every validator
// anyway), where it used to queue everything until all of it was late
// (docs/benchmarks.md, "Overload").
//
// The relayer observes; admission reads shedding.
type overload struct {
	maxDelay time.Duration // 0: never shed
	mu       sync.Mutex
	start    time.Time     // of the current interval
	least    time.Duration // least delay seen in it
	seen     bool
	shed     atomic.Bool
}

// overloadInterval is how long the least relay delay must stay above
// max-relay-delay before admission sheds, and below it before it stops.
const overloadInterval = 5 * time.Second

func newOverload(maxDelay time.Duration) *overload { return &overload{maxDelay: maxDelay} }

// included records one of this node's relays seen on chain at now, delay
// after it was due.
func (o *overload) included(now time.Time, delay time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.seen || delay < o.least {
		o.least, o.seen = delay, true
	}
	o.tick(now)
}

// tick ends the interval once it has lasted overloadInterval. An interval
// in which nothing was included leaves the decision as it was: a stalled
// chain is the disk ceiling's business (disk_full), not a verdict on load.
func (o *overload) tick(now time.Time) {
	if o.start.IsZero() {
		o.start = now
	}
	if now.Sub(o.start) < overloadInterval {
		return
	}
	if o.seen && o.maxDelay > 0 {
		o.shed.Store(o.least > o.maxDelay)
	}
	o.start, o.seen = now, false
}

// step is the relayer's round: it closes an interval that has run its
// time, and stops shedding once nothing of this node's is due or awaiting
// inclusion (the backlog is gone, so no inclusion would ever end the
// interval that says so).
func (o *overload) step(now time.Time, pending int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if pending == 0 {
		o.shed.Store(false)
		o.start, o.seen = now, false
		return
	}
	o.tick(now)
}

// shedding reports whether new beacons are refused now.
func (o *overload) shedding() bool { return o.shed.Load() }
