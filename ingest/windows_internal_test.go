package ingest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/wire"
	"github.com/pocnet/pocd/x/poc/verify"
)

// A witness report that outran its beacon is released when the beacon
// arrives; one witness cannot hold more than maxWaitsPerWitness of the
// waiting slots (reports naming beacons that do not exist), and the slots
// are bounded overall. A placeholder nobody waits for is forgotten.
func TestWindowsBoundWaitingReports(t *testing.T) {
	ws := newWindows(3)
	ctx := context.Background()
	ph := wire.HashPayload([]byte("beacon"))
	var wg sync.WaitGroup
	got := make(chan window, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		w, ok := ws.await(ctx, ph, "honest", time.Minute)
		require.True(t, ok)
		got <- w
	}()
	require.Eventually(t, func() bool { ws.mu.Lock(); defer ws.mu.Unlock(); return ws.waiters == 1 }, 5*time.Second, time.Millisecond)
	ws.open(ph, []byte("beacon"), 42)
	w := <-got
	require.Equal(t, []byte("beacon"), w.payload)
	require.EqualValues(t, 42, w.arrivedMs)
	wg.Wait()

	// A flooder naming beacons nobody holds: two waits, then refused at once.
	release := make(chan struct{})
	for i := 0; i < maxWaitsPerWitness; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wctx, cancel := context.WithCancel(ctx)
			go func() { <-release; cancel() }()
			_, ok := ws.await(wctx, wire.HashPayload([]byte{byte(i)}), "flooder", time.Minute)
			require.False(t, ok)
		}()
	}
	require.Eventually(t, func() bool { ws.mu.Lock(); defer ws.mu.Unlock(); return ws.waiters == maxWaitsPerWitness }, 5*time.Second, time.Millisecond)
	start := time.Now()
	_, ok := ws.await(ctx, wire.HashPayload([]byte("x")), "flooder", time.Minute)
	require.False(t, ok, "a third wait of one witness is refused")
	require.Less(t, time.Since(start), 30*time.Second, "refused without waiting")
	// Another witness still gets the third slot: it waits out its timeout.
	start = time.Now()
	_, ok = ws.await(ctx, wire.HashPayload([]byte("y")), "other", 50*time.Millisecond)
	require.False(t, ok, "no such beacon")
	require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "it waited")
	close(release)
	wg.Wait()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	require.Zero(t, ws.waiters)
	require.Empty(t, ws.byWitness)
	require.Len(t, ws.open_, 1, "only the held beacon's window remains")
}

// While a report waits for a beacon, the placeholder it left is not a held
// beacon: get finds nothing until the beacon itself arrives.
func TestWindowPlaceholderIsNotAHeldBeacon(t *testing.T) {
	ws := newWindows(3)
	ph := wire.HashPayload([]byte("beacon"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		ws.await(ctx, ph, "early", time.Minute)
	}()
	require.Eventually(t, func() bool { ws.mu.Lock(); defer ws.mu.Unlock(); return ws.waiters == 1 }, 5*time.Second, time.Millisecond)
	_, held := ws.get(ph)
	require.False(t, held, "only a waiter's placeholder")
	ws.open(ph, []byte("beacon"), 7)
	w, held := ws.get(ph)
	require.True(t, held)
	require.Equal(t, []byte("beacon"), w.payload)
	cancel()
	<-done
}

// A second report waiting for the same beacon waits too (the placeholder is
// not the beacon), and both get it when it arrives; with max waiting,
// the next report is refused at once.
func TestWindowsSecondWaiterAndTheExactBound(t *testing.T) {
	ws := newWindows(2)
	ph := wire.HashPayload([]byte("beacon"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan window, 2)
	for _, witness := range []string{"a", "b"} {
		go func() {
			w, ok := ws.await(ctx, ph, witness, time.Hour)
			if ok {
				got <- w
			} else {
				got <- window{}
			}
		}()
	}
	require.Eventually(t, func() bool { ws.mu.Lock(); defer ws.mu.Unlock(); return ws.waiters == 2 }, 5*time.Second, time.Millisecond)

	refused := make(chan bool, 1)
	go func() {
		_, ok := ws.await(ctx, wire.HashPayload([]byte("other")), "c", time.Hour)
		refused <- !ok
	}()
	select {
	case r := <-refused:
		require.True(t, r)
	case <-time.After(10 * time.Second):
		t.Fatal("a third report waited although two were waiting, the most allowed")
	}

	ws.open(ph, []byte("beacon"), 9)
	for range 2 {
		require.Equal(t, []byte("beacon"), (<-got).payload)
	}
}

// prune forgets held beacons that arrived before the cutoff, keeps one
// that arrived at it, and leaves a waiter's placeholder alone: the waiter
// still gets its beacon when it arrives.
func TestWindowsPruneForgetsOnlyOldHeldBeacons(t *testing.T) {
	ws := newWindows(3)
	old, atCutoff, awaited := wire.PayloadHash{1}, wire.PayloadHash{2}, wire.PayloadHash{3}
	ws.open(old, []byte("old"), 99)
	ws.open(atCutoff, []byte("at"), 100)
	got := make(chan window, 1)
	go func() {
		w, _ := ws.await(context.Background(), awaited, "w", time.Minute)
		got <- w
	}()
	require.Eventually(t, func() bool { ws.mu.Lock(); defer ws.mu.Unlock(); return ws.waiters == 1 }, 5*time.Second, time.Millisecond)

	ws.prune(100)
	_, held := ws.get(old)
	require.False(t, held)
	_, held = ws.get(atCutoff)
	require.True(t, held, "arrived at the cutoff")
	ws.open(awaited, []byte("awaited"), 200)
	require.Equal(t, []byte("awaited"), (<-got).payload)
}

// After a restart, the queued beacons whose witness admission is still
// open (arrived at or after now - witness-admission) are held again, with
// their payloads; older ones are not.
func TestReopenWindowsHoldsQueuedBeaconsStillOpen(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	now := time.UnixMilli(1_700_000_000_000)
	beacon := func(id byte, arrived time.Duration) wire.PayloadHash {
		b := &verify.Beacon{Pubkey: make([]byte, 32), EntropyHeight: 1, EntropyHash: make([]byte, 32), LocalEntropy: make([]byte, 4),
			Payload: []byte{id, 1, 2, 3}, DataRate: "SF9BW125", Signature: make([]byte, 64)}
		ph := wire.HashPayload(b.Payload)
		ok, err := s.PutBeacon(BeaconEntry{ID: [32]byte{id}, PayloadHash: ph, ArrivedMs: now.Add(-arrived).UnixMilli(), Raw: wire.EncodeBeacon(b)}, nil)
		require.NoError(t, err)
		require.True(t, ok)
		return ph
	}
	closed := beacon(1, 5*time.Second+time.Millisecond)
	atCutoff := beacon(2, 5*time.Second)
	recent := beacon(3, time.Second)

	a := &Admission{cfg: Config{WitnessAdmission: 5 * time.Second}, store: s, windows: newWindows(3), now: func() time.Time { return now }}
	require.NoError(t, a.reopenWindows())
	_, held := a.windows.get(closed)
	require.False(t, held)
	w, held := a.windows.get(atCutoff)
	require.True(t, held)
	require.Equal(t, []byte{2, 1, 2, 3}, w.payload)
	w, held = a.windows.get(recent)
	require.True(t, held)
	require.Equal(t, now.Add(-time.Second).UnixMilli(), w.arrivedMs)
}
