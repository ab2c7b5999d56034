package ingest_test

import (
	"sync"
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
