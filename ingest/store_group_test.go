package ingest_test

import (
	"io/fs"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/ingest"
)

// Concurrent witness reports share synced writes, and sharing changes no
// answer: a report of a closed beacon is refused as late, a duplicate is
// not stored twice, the others are stored and survive a reopen.
func TestConcurrentWitnessReportsShareSyncedWrites(t *testing.T) {
	dir := t.TempDir()
	s, err := ingest.OpenStore(dir)
	require.NoError(t, err)
	open, closed := [16]byte{1}, [16]byte{2}
	require.NoError(t, s.CloseWitnesses(1, closed))

	const n = 64
	type answer struct {
		stored bool
		err    error
	}
	answers := make([]answer, n+2)
	start := make(chan struct{})
	var wg sync.WaitGroup
	put := func(i int, ph [16]byte, id byte) {
		wg.Go(func() {
			<-start
			ok, err := s.PutWitness(ph, ingest.WitnessEntry{ID: [32]byte{id}, ArrivedMs: 5, Raw: []byte{id}})
			answers[i] = answer{ok, err}
		})
	}
	for i := range n {
		put(i, open, byte(i))
	}
	put(n, closed, 200) // late
	put(n+1, open, 7)   // the same witness as report 7
	close(start)
	wg.Wait()

	require.Less(t, s.WitnessGroups(), int64(n/2), "%d reports took %d synced writes", n+2, s.WitnessGroups())
	require.ErrorIs(t, answers[n].err, ingest.ErrLate)
	stored := 0
	for i, a := range answers[:n] {
		require.NoError(t, a.err, "report %d", i)
		if a.stored {
			stored++
		}
	}
	require.NoError(t, answers[n+1].err)
	if answers[n+1].stored {
		stored++
	}
	require.Equal(t, n, stored, "one of the two reports of witness 7 is stored")

	require.NoError(t, s.Close())
	_, err = s.PutWitness(open, ingest.WitnessEntry{ID: [32]byte{99}, ArrivedMs: 6, Raw: []byte{99}})
	require.ErrorIs(t, err, ingest.ErrStoreClosed)
	s, err = ingest.OpenStore(dir)
	require.NoError(t, err)
	defer s.Close()
	ws, err := s.Witnesses(open)
	require.NoError(t, err)
	require.Len(t, ws, n)
	late, err := s.Witnesses(closed)
	require.NoError(t, err)
	require.Empty(t, late)
}

// MeasureDisk counts the blocks the queue's files take, as du does (the
// disk ceiling compares it with max-queue-bytes), and restarts the count
// of bytes written since.
func TestMeasureDiskCountsTheQueueFilesBlocks(t *testing.T) {
	dir := t.TempDir()
	s, err := ingest.OpenStore(dir)
	require.NoError(t, err)
	defer s.Close()
	raw := make([]byte, 4096) // over the value threshold: into the value log
	for i := range 64 {
		ok, err := s.PutWitness([16]byte{3}, ingest.WitnessEntry{ID: [32]byte{byte(i)}, ArrivedMs: 1, Raw: raw})
		require.NoError(t, err)
		require.True(t, ok)
	}
	require.NoError(t, s.MeasureDisk())
	var du int64
	require.NoError(t, filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		du += info.Sys().(*syscall.Stat_t).Blocks * 512
		return nil
	}))
	require.GreaterOrEqual(t, du, int64(64*4096), "the reports are on disk")
	require.Equal(t, du, s.DiskBytes())
}

// The disk ceiling admits a report that brings the queue exactly to it and
// refuses the next one (ErrQueueFull), which then stores nothing.
func TestWitnessReportsStopAtTheDiskCeiling(t *testing.T) {
	dir := t.TempDir()
	s, err := ingest.OpenStore(dir)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.MeasureDisk())
	raw := make([]byte, 100)
	entry := 1 + 16 + 32 + 8 + len(raw) // key (prefix, payload hash, witness) and value (arrival, report)
	require.NoError(t, s.SetCeiling(s.DiskBytes()+int64(entry)))
	ph := [16]byte{4}
	ok, err := s.PutWitness(ph, ingest.WitnessEntry{ID: [32]byte{1}, ArrivedMs: 1, Raw: raw})
	require.NoError(t, err)
	require.True(t, ok, "exactly at the ceiling")
	_, err = s.PutWitness(ph, ingest.WitnessEntry{ID: [32]byte{2}, ArrivedMs: 1, Raw: raw})
	require.ErrorIs(t, err, ingest.ErrQueueFull)
	ws, err := s.Witnesses(ph)
	require.NoError(t, err)
	require.Len(t, ws, 1)
}

// A queued record is its header and the raw report; one whose raw report
// is empty is still a record, not corruption, for reading and expiry.
func TestRecordsOfJustTheirHeaderDecode(t *testing.T) {
	s, err := ingest.OpenStore(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	ok, err := s.PutBeacon(ingest.BeaconEntry{ID: [32]byte{5}, ArrivedMs: 7}, nil)
	require.NoError(t, err)
	require.True(t, ok)
	bs, err := s.Beacons()
	require.NoError(t, err)
	require.Len(t, bs, 1)
	require.Equal(t, int64(7), bs[0].ArrivedMs)
	ok, err = s.PutWitness([16]byte{5}, ingest.WitnessEntry{ID: [32]byte{6}, ArrivedMs: 8})
	require.NoError(t, err)
	require.True(t, ok)
	ws, err := s.Witnesses([16]byte{5})
	require.NoError(t, err)
	require.Len(t, ws, 1)
	require.Equal(t, int64(8), ws[0].ArrivedMs)
	st, err := s.Expire(100, 100)
	require.NoError(t, err)
	require.Equal(t, 1, st.Beacons)
}

// One CloseWitnesses call closes every payload it names.
func TestCloseWitnessesClosesEveryPayloadNamed(t *testing.T) {
	s, err := ingest.OpenStore(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	a, b := [16]byte{7}, [16]byte{8}
	require.NoError(t, s.CloseWitnesses(1, a, b))
	for _, ph := range [][16]byte{a, b} {
		_, err := s.PutWitness(ph, ingest.WitnessEntry{ID: [32]byte{1}, ArrivedMs: 2, Raw: []byte("w")})
		require.ErrorIs(t, err, ingest.ErrLate)
	}
}

// Beacons count against the disk ceiling too: header, raw report and two
// keys' worth of beacon id (the record and its later tombstone).
func TestBeaconsStopAtTheDiskCeiling(t *testing.T) {
	s, err := ingest.OpenStore(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.MeasureDisk())
	raw := make([]byte, 100)
	entry := 46 + len(raw) + 2*32
	require.NoError(t, s.SetCeiling(s.DiskBytes()+int64(entry)))
	base := s.DiskBytes()
	ok, err := s.PutBeacon(ingest.BeaconEntry{ID: [32]byte{1}, Raw: raw}, nil)
	require.NoError(t, err)
	require.True(t, ok, "exactly at the ceiling")
	require.Equal(t, base+int64(entry), s.DiskBytes())
	_, err = s.PutBeacon(ingest.BeaconEntry{ID: [32]byte{2}, Raw: raw}, nil)
	require.ErrorIs(t, err, ingest.ErrQueueFull)
}

// Expire keeps an interval record until its bucket has ended (compared
// with now, not with the report cutoff) and removes witness reports that
// arrived before the cutoff; each is counted.
func TestExpireKeepsIntervalRecordsUntilTheirBucketEnds(t *testing.T) {
	s, err := ingest.OpenStore(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	slot := func() *ingest.IntervalSlot { return &ingest.IntervalSlot{Hotspot: "h", Bucket: 3, UntilMs: 1000} }
	ok, err := s.PutBeacon(ingest.BeaconEntry{ID: [32]byte{1}, ArrivedMs: 5000, Raw: []byte("b")}, slot())
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.PutWitness([16]byte{1}, ingest.WitnessEntry{ID: [32]byte{2}, ArrivedMs: 5, Raw: []byte("w")})
	require.NoError(t, err)
	require.True(t, ok)

	st, err := s.Expire(1000, 10)
	require.NoError(t, err)
	require.Equal(t, ingest.ExpireStats{Witnesses: 1}, st, "the bucket ends at 1000: kept")
	_, err = s.PutBeacon(ingest.BeaconEntry{ID: [32]byte{3}, ArrivedMs: 5000, Raw: []byte("b")}, slot())
	require.ErrorIs(t, err, ingest.ErrIntervalUsed)

	st, err = s.Expire(1001, 10)
	require.NoError(t, err)
	require.Equal(t, ingest.ExpireStats{Tombstones: 1}, st, "the interval record, counted with the tombstones")
	ok, err = s.PutBeacon(ingest.BeaconEntry{ID: [32]byte{3}, ArrivedMs: 5000, Raw: []byte("b")}, slot())
	require.NoError(t, err)
	require.True(t, ok, "the bucket is free again")
}
