package verify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"math/big"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"
)

// Boundary and branch tests found by mutation testing (docs/testing.md):
// each pins a behaviour at exactly a limit or on a branch no other test
// reached.

const entropyMs = 1_700_000_000_000 // block 100's time in newFakeChain

func beaconOnly(t *testing.T, tsMs, nowMs int64) BeaconVerdict {
	t.Helper()
	c := newFakeChain()
	c.add("b", sfCell(t))
	return JudgeBeacon(DefaultParams(), c, c.beacon("b", tsMs), nowMs, Options{})
}

// A beacon stamped at exactly its entropy block's time is not before it.
func TestBeaconAtEntropyBlockTimeIsValid(t *testing.T) {
	v := beaconOnly(t, entropyMs, entropyMs+60_000)
	require.Equal(t, Valid, v.BeaconReason, v.BeaconReason.String())
}

// The entropy lifespan is inclusive: 180 000 ms after the block passes
// (180 001 fails: TestBeaconChecks).
func TestBeaconAtEndOfEntropyLifespanIsValid(t *testing.T) {
	v := beaconOnly(t, entropyMs+DefaultParams().EntropyLifespanMs, entropyMs+200_000)
	require.Equal(t, Valid, v.BeaconReason, v.BeaconReason.String())
}

// A beacon stamped at exactly the block time is not from the future.
func TestBeaconStampedAtBlockTimeIsValid(t *testing.T) {
	v := beaconOnly(t, beaconTs, beaconTs)
	require.Equal(t, Valid, v.BeaconReason, v.BeaconReason.String())
	require.Equal(t, ReasonEntropyExpired, beaconOnly(t, beaconTs, beaconTs-1).BeaconReason)
}

// beacon_interval_ms = 0 (allowed by the chain's params) switches the
// interval check off: no bucket is used and a recorded bucket is ignored.
func TestZeroBeaconIntervalDisablesBucketCheck(t *testing.T) {
	c := newFakeChain()
	c.add("b", sfCell(t))
	c.bucket["b"] = floorDiv(beaconTs, DefaultParams().BeaconIntervalMs)
	p := DefaultParams()
	p.BeaconIntervalMs = 0
	v := JudgeBeacon(p, c, c.beacon("b", beaconTs), now, Options{})
	require.Equal(t, Valid, v.BeaconReason, v.BeaconReason.String())
	require.False(t, v.UsedBucket)
}

// Buckets are aligned to the Unix epoch by floor division, also for times
// before it (the Chain interface allows any int64 entropy time, e.g. from a
// checker scenario): truncation would merge buckets -1 and 0.
func TestFloorDivRoundsTowardNegativeInfinity(t *testing.T) {
	const six = 6 * 3600_000
	for _, tc := range []struct{ a, want int64 }{
		{0, 0}, {1, 0}, {six - 1, 0}, {six, 1},
		{-1, -1}, {-six + 1, -1}, {-six, -1}, {-six - 1, -2}, {-2 * six, -2},
	} {
		require.Equal(t, tc.want, floorDiv(tc.a, six), "floorDiv(%d, 6h)", tc.a)
	}
}

// Without history the payload is not re-derived, but the beacon frequency
// must still be one of the plan's channels.
func TestBeaconFrequencyMustBeAPlanChannelWithoutHistory(t *testing.T) {
	c := newFakeChain()
	c.add("b", sfCell(t))
	opt := Options{SkipHistory: true}
	for _, tc := range []struct {
		hz   uint64
		want Reason
	}{{us915.Channels[0], Valid}, {us915.Channels[7], Valid}, {906_000_000, ReasonInvalidPacket}, {903_900_001, ReasonInvalidPacket}} {
		b := c.beacon("b", beaconTs)
		b.FrequencyHz = tc.hz
		b.Signature = ed25519.Sign(c.keys["b"], b.SignBytes())
		v := JudgeBeacon(DefaultParams(), c, b, now, opt)
		require.Equal(t, tc.want, v.BeaconReason, "%d Hz: %s", tc.hz, v.BeaconReason)
	}
}

// A witness stamped at exactly its beacon's entropy block time passes the
// entropy window (and is within the 1 s lead of the beacon).
func TestWitnessAtEntropyBlockTimeIsValid(t *testing.T) {
	c, _ := scenario(t)
	b := c.beacon("b", entropyMs+500)
	v := judgeAll(c, b, c.witness("w", b, entropyMs, -900))
	require.Equal(t, Valid, v.BeaconReason, v.BeaconReason.String())
	require.Equal(t, Valid, v.Witnesses[0].Reason, v.Witnesses[0].Reason.String())
}

// The witness's entropy window is inclusive at its end too.
func TestWitnessAtEndOfEntropyLifespanIsValid(t *testing.T) {
	c, _ := scenario(t)
	end := entropyMs + DefaultParams().EntropyLifespanMs
	b := c.beacon("b", end-1000)
	nowMs := int64(entropyMs + 200_000)
	v := Judge(DefaultParams(), c, b, []Witness{c.witness("w", b, end, -900)}, nowMs, [32]byte{}, Options{})
	require.Equal(t, Valid, v.BeaconReason, v.BeaconReason.String())
	require.Equal(t, Valid, v.Witnesses[0].Reason, v.Witnesses[0].Reason.String())
	v = Judge(DefaultParams(), c, b, []Witness{c.witness("w", b, end+1, -900)}, nowMs, [32]byte{}, Options{})
	require.Equal(t, ReasonEntropyExpired, v.Witnesses[0].Reason)
}

// The frequency tolerance applies above the beacon's frequency as well as
// below it (TestFrequencyBoundary).
func TestFrequencyBoundaryAboveBeacon(t *testing.T) {
	c, b := scenario(t)
	ok := c.witness("w", b, beaconTs+300, -900, func(w *Witness) { w.FrequencyHz = b.FrequencyHz + 100_000 })
	require.Equal(t, Valid, judgeAll(c, b, ok).Witnesses[0].Reason)
	bad := c.witness("w", b, beaconTs+300, -900, func(w *Witness) { w.FrequencyHz = b.FrequencyHz + 100_001 })
	require.Equal(t, ReasonInvalidFrequency, judgeAll(c, b, bad).Witnesses[0].Reason)
}

// Two reports by one witness with the same timestamp: the first in input
// order is kept, the second is the duplicate.
func TestDuplicateTieKeepsFirstInInputOrder(t *testing.T) {
	c, b := scenario(t)
	first := c.witness("w", b, beaconTs+300, -900)
	second := c.witness("w", b, beaconTs+300, -950)
	v := judgeAll(c, b, first, second)
	require.Equal(t, Valid, v.Witnesses[0].Reason, v.Witnesses[0].Reason.String())
	require.Equal(t, ReasonDuplicate, v.Witnesses[1].Reason)
	v = judgeAll(c, b, second, first)
	require.Equal(t, Valid, v.Witnesses[0].Reason, v.Witnesses[0].Reason.String())
	require.Equal(t, ReasonDuplicate, v.Witnesses[1].Reason)
}

// A payload of exactly two bytes (payload_size 2 is allowed) selects its
// channel from those bytes; no channels at all gives index 0, not a panic.
func TestBeaconChannelEdges(t *testing.T) {
	require.Equal(t, 3, BeaconChannel([]byte{0x0b, 0x01}, 8)) // 0x010b = 267, mod 8 = 3
	require.Equal(t, 0, BeaconChannel([]byte{0x0b}, 8))
	require.Equal(t, 0, BeaconChannel([]byte{0x0b, 0x01, 0xff}, 0))
	require.Equal(t, 0, BeaconChannel(nil, 0))
}

// The lowest scores SHA-256(seed || pubkey) win, computed independently here.
func TestSelectWitnessesKeepsLowestScores(t *testing.T) {
	seed := sha256.Sum256([]byte("seed"))
	var ws []Witness
	var cands []int
	type scored struct {
		i     int
		score [32]byte
	}
	var s []scored
	for i, n := range names(9, "s") {
		pub := sha256.Sum256([]byte(n))
		ws = append(ws, Witness{Pubkey: pub[:]})
		cands = append(cands, i)
		s = append(s, scored{i, sha256.Sum256(append(append([]byte{}, seed[:]...), pub[:]...))})
	}
	sort.Slice(s, func(a, b int) bool { return bytes.Compare(s[a].score[:], s[b].score[:]) < 0 })
	var want []int
	for _, x := range s[:4] {
		want = append(want, x.i)
	}
	sort.Ints(want)
	require.Equal(t, want, SelectWitnesses(seed, ws, cands, 4))
}

// Equal scores (one key twice: the judge removes duplicates first, a direct
// caller may not) are broken by the lower index, whatever the input order.
func TestSelectWitnessesTieBreaksOnLowerIndex(t *testing.T) {
	key := sha256.Sum256([]byte("one key"))
	ws := []Witness{{Pubkey: key[:]}, {Pubkey: key[:]}}
	require.Equal(t, []int{0}, SelectWitnesses([32]byte{}, ws, []int{0, 1}, 1))
	require.Equal(t, []int{0}, SelectWitnesses([32]byte{}, ws, []int{1, 0}, 1))
}

// The limit grows by one target per occupied cell beyond N, up to Max. With
// the default table Max is reached at the first extra cell, so this uses a
// governance-style table with room: res 7, N 4, target 5, max 100.
func TestHexLimitGrowsOneTargetPerOccupiedCellBeyondN(t *testing.T) {
	p7, err := sfCell(t).Parent(7)
	require.NoError(t, err)
	disk, err := p7.GridDisk(1)
	require.NoError(t, err)
	cells := []h3.Cell{p7}
	for _, c := range disk {
		if c != p7 && len(cells) < 5 {
			cells = append(cells, c)
		}
	}
	var locs []uint64
	for _, c := range cells { // 5 cells at the target of 5
		for _, k := range children(t, c, 8)[:5] {
			locs = append(locs, uint64(centerChild(t, k, 12)))
		}
	}
	m, err := NewHexDensityMap([]HexResParams{{Res: 7, N: 4, Target: 5, Max: 100}}, locs)
	require.NoError(t, err)
	hc, ok := m.Count(uint64(p7))
	require.True(t, ok)
	require.Equal(t, uint64(5), hc.Occupied)
	require.Equal(t, uint64(10), hc.Limit) // 5 x (5 - 4 + 1)
}

// Cells() is sorted by cell, ascending (the order it is stored in).
func TestHexCellsSortedAscending(t *testing.T) {
	var locs []uint64
	for i := 0; i < 40; i++ {
		locs = append(locs, uint64(cellAt(t, sfLat, sfLng, float64(i)*0.7, float64(i)*37)))
	}
	m, err := NewHexDensityMap(DefaultHexParams(), locs)
	require.NoError(t, err)
	cells := m.Cells()
	require.Greater(t, len(cells), 2)
	for i := 1; i < len(cells); i++ {
		require.Less(t, cells[i-1].Cell, cells[i].Cell, "index %d", i)
	}
}

// 32 hotspots in one res-11 cell: res-10 ratio 1/32, scale 312.5 x10^-4,
// which rounds half to even to 312.
func TestHexScaleRoundsHalfToEven(t *testing.T) {
	loc := sfCell(t)
	locs := make([]h3.Cell, 32)
	for i := range locs {
		locs[i] = loc
	}
	require.Equal(t, uint32(312), scaleOf(t, locs, loc))
	require.Equal(t, uint32(312), roundUnit(big.NewRat(1, 32)))
	require.Equal(t, uint32(938), roundUnit(big.NewRat(3, 32))) // 937.5: odd rounds up
}
