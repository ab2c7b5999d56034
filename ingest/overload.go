package ingest

import (
	"sync"
	"sync/atomic"
	"time"
)

// overload decides when admission sheds new beacons: while this node's own
// relays reach the chain later than max-relay-delay after they were due
// (their beacon's witness window). Only the relays it makes as the
// first-ranked validator count: a later rank's copy may have waited for the
// first relay on purpose (Relayer.awaitsFirstRelay). It watches
// the least such delay over each overloadInterval, as CoDel watches a
// queue's sojourn time: one slow block does not make every relay of an
// interval late, a backlog does. A node offered more than it can include
// then keeps including at its capacity and refuses the excess at once
// (overloaded: a hotspot is told to retry, and delivers to every validator
// anyway), where it used to queue everything until all of it was late
// (docs/benchmarks.md, "Overload").
//
// The relayer observes; admission reads shedding.
//
// A relayer that cannot finish a round (starved of CPU, or every
// transaction waiting on a congested node) sees no inclusions at all, so
// overload also sheds while a round that has work has not finished for
// max-relay-delay: the first 4× overload run stalled the relayer for the
// whole run, and the inclusion rule alone never fired.
type overload struct {
	maxDelay time.Duration // 0: never shed
	mu       sync.Mutex
	start    time.Time     // of the current interval
	least    time.Duration // least delay seen in it
	seen     bool
	shed     atomic.Bool
	// lastRound is when the relayer last finished a round (unix ms);
	// work says that round left beacons due or awaiting inclusion, or a
	// beacon was admitted since.
	lastRound atomic.Int64
	work      atomic.Bool
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

// roundDone records the end of a relayer round and whether it left work.
func (o *overload) roundDone(now time.Time, pending int) {
	o.lastRound.Store(now.UnixMilli())
	o.work.Store(pending != 0) // -1: the round failed before it read the queue
}

// admitted records a beacon taken: the relayer has work.
func (o *overload) admitted() { o.work.Store(true) }

// shedding reports whether new beacons are refused at now: the relays of
// the last interval were late, or the relayer has had work and no
// finished round for max-relay-delay.
func (o *overload) shedding(now time.Time) bool {
	if o.maxDelay <= 0 {
		return false
	}
	if o.shed.Load() {
		return true
	}
	last := o.lastRound.Load()
	return last > 0 && o.work.Load() && now.UnixMilli()-last > o.maxDelay.Milliseconds()
}
