package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/pocnet/pocd/wire"
)

// windows are the beacons this node holds whose witness admission may still
// be open, by payload hash: what a sealed witness report is checked
// against. Memory only; after a restart they are reloaded from the queue.
type windows struct {
	mu      sync.Mutex
	open_   map[wire.PayloadHash]*window
	waiters int
	max     int // waiting witness reports, at most
	// byWitness counts each witness's waiting reports: one hotspot
	// naming beacons that do not exist must not take every slot.
	byWitness map[string]int
}

// maxWaitsPerWitness: an honest witness has one report in flight per
// beacon it heard, and beacons rarely overlap.
const maxWaitsPerWitness = 2

type window struct {
	payload   []byte
	arrivedMs int64
	ready     chan struct{} // closed once payload is known
	waiting   int           // reports waiting for it
}

func newWindows(maxWaiters int) *windows {
	return &windows{open_: map[wire.PayloadHash]*window{}, max: maxWaiters, byWitness: map[string]int{}}
}

// open records a held beacon and wakes the reports waiting for it.
func (ws *windows) open(ph wire.PayloadHash, payload []byte, arrivedMs int64) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	w, ok := ws.open_[ph]
	if ok && w.payload != nil {
		return
	}
	if !ok {
		w = &window{ready: make(chan struct{})}
		ws.open_[ph] = w
	}
	w.payload, w.arrivedMs = payload, arrivedMs
	close(w.ready)
}

// get returns the beacon named by ph if it is held.
func (ws *windows) get(ph wire.PayloadHash) (window, bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if w, ok := ws.open_[ph]; ok && w.payload != nil {
		return *w, true
	}
	return window{}, false
}

// await returns the beacon named by ph, waiting up to d for it when it is
// not held yet, fewer than max reports are waiting, and fewer than
// maxWaitsPerWitness of them are witness's.
func (ws *windows) await(ctx context.Context, ph wire.PayloadHash, witness string, d time.Duration) (window, bool) {
	ws.mu.Lock()
	w, ok := ws.open_[ph]
	if ok && w.payload != nil {
		ws.mu.Unlock()
		return *w, true
	}
	if ws.waiters >= ws.max || ws.byWitness[witness] >= maxWaitsPerWitness {
		ws.mu.Unlock()
		return window{}, false
	}
	if !ok {
		w = &window{ready: make(chan struct{})}
		ws.open_[ph] = w
	}
	ws.waiters++
	ws.byWitness[witness]++
	w.waiting++
	ws.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	var got bool
	select {
	case <-w.ready:
		got = true
	case <-t.C:
	case <-ctx.Done():
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.waiters--
	if ws.byWitness[witness]--; ws.byWitness[witness] == 0 {
		delete(ws.byWitness, witness)
	}
	w.waiting--
	if !got {
		if w.payload == nil && w.waiting == 0 && ws.open_[ph] == w {
			delete(ws.open_, ph)
		}
		return window{}, false
	}
	return *w, true
}

// prune forgets beacons that arrived before cutoffMs. (A placeholder a
// report waited on is removed by its last waiter.)
func (ws *windows) prune(cutoffMs int64) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for ph, w := range ws.open_ {
		if w.payload != nil && w.arrivedMs < cutoffMs {
			delete(ws.open_, ph)
		}
	}
}

// reopenWindows reloads, after a restart, the windows of queued beacons
// whose witness admission is still open.
func (a *Admission) reopenWindows() error {
	bs, err := a.store.Beacons()
	if err != nil {
		return err
	}
	cutoff := a.now().Add(-a.cfg.WitnessAdmission).UnixMilli()
	for _, e := range bs {
		if e.ArrivedMs < cutoff {
			continue
		}
		if b, err := wire.DecodeBeacon(e.Raw); err == nil {
			a.windows.open(e.PayloadHash, b.Payload, e.ArrivedMs)
		}
	}
	return nil
}
