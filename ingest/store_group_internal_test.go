package ingest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/wire"
)

// One group, each report refused or stored on its own account: stored,
// late (its beacon closed), a duplicate of the first, and one over the disk
// ceiling. The group commits once, and the disk estimate counts the one
// stored report once.
func TestWitnessGroupAnswersEachReport(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	open, closed := wire.PayloadHash{1}, wire.PayloadHash{2}
	require.NoError(t, s.CloseWitnesses(1, closed))
	require.NoError(t, s.MeasureDisk())
	raw := make([]byte, 100)
	entry := int64(len(witnessKey(open, [32]byte{})) + 8 + len(raw))
	require.NoError(t, s.SetCeiling(s.DiskBytes()+entry))
	base := s.DiskBytes()

	put := func(ph wire.PayloadHash, id byte) witnessPut {
		return witnessPut{ph: ph, e: WitnessEntry{ID: [32]byte{id}, ArrivedMs: 5, Raw: raw}, done: make(chan witnessPutResult, 1)}
	}
	group := []witnessPut{put(open, 1), put(closed, 2), put(open, 1), put(open, 3)}
	s.writeWitnessGroup(group)

	answers := make([]witnessPutResult, len(group))
	for i, p := range group {
		answers[i] = <-p.done
	}
	require.Equal(t, witnessPutResult{stored: true}, answers[0])
	require.ErrorIs(t, answers[1].err, ErrLate)
	require.False(t, answers[1].stored)
	require.Equal(t, witnessPutResult{}, answers[2], "the duplicate: not stored, no error")
	require.ErrorIs(t, answers[3].err, ErrQueueFull)
	require.False(t, answers[3].stored)
	require.Equal(t, int64(1), s.WitnessGroups())
	require.Equal(t, base+entry, s.DiskBytes())
	lateOnly := put(closed, 4)
	s.writeWitnessGroup([]witnessPut{lateOnly})
	require.ErrorIs(t, (<-lateOnly.done).err, ErrLate)
	require.Equal(t, int64(1), s.WitnessGroups(), "a group that stored nothing committed nothing")
	ws, err := s.Witnesses(open)
	require.NoError(t, err)
	require.Len(t, ws, 1)
	require.Equal(t, [32]byte{1}, ws[0].ID)
}

// A group that conflicts with the relayer closing its beacon is retried,
// and the retry refuses the report as late; a group that fails answers
// every report with the failure. Either way the disk estimate keeps
// nothing of the attempts, and a group that stores nothing is not counted
// as a commit.
func TestWitnessGroupRetriesAndFailuresCountNothing(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.MeasureDisk())
	base := s.DiskBytes()
	ph := wire.PayloadHash{1}
	put := func(id byte) witnessPut {
		return witnessPut{ph: ph, e: WitnessEntry{ID: [32]byte{id}, ArrivedMs: 5, Raw: []byte{id}}, done: make(chan witnessPutResult, 1)}
	}

	attempts := 0
	s.testHookWitnessGroup = func() error {
		attempts++
		if attempts == 1 {
			return s.CloseWitnesses(6, ph) // commits first: the group read the payload as open
		}
		return nil
	}
	late := put(1)
	s.writeWitnessGroup([]witnessPut{late})
	r := <-late.done
	require.Equal(t, 2, attempts, "retried after the conflict")
	require.ErrorIs(t, r.err, ErrLate)
	require.Equal(t, base, s.DiskBytes())
	require.Zero(t, s.WitnessGroups(), "nothing stored")

	failure := errors.New("disk gone")
	s.testHookWitnessGroup = func() error { return failure }
	a, b := put(2), put(3)
	other := wire.PayloadHash{2}
	b.ph = other
	s.writeWitnessGroup([]witnessPut{a, b})
	for _, p := range []witnessPut{a, b} {
		r := <-p.done
		require.ErrorIs(t, r.err, failure)
		require.False(t, r.stored)
	}
	require.Equal(t, base, s.DiskBytes())
	require.Zero(t, s.WitnessGroups())
	ws, err := s.Witnesses(other)
	require.NoError(t, err)
	require.Empty(t, ws)
}
