package verify

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"
)

func centerChild(t *testing.T, c h3.Cell, res int) h3.Cell {
	t.Helper()
	cc, err := c.CenterChild(res)
	require.NoError(t, err)
	return cc
}

func children(t *testing.T, c h3.Cell, res int) []h3.Cell {
	t.Helper()
	cs, err := c.Children(res)
	require.NoError(t, err)
	return cs
}

func scaleOf(t *testing.T, locs []h3.Cell, at h3.Cell) uint32 {
	t.Helper()
	raw := make([]uint64, len(locs))
	for i, l := range locs {
		raw[i] = uint64(l)
	}
	m, err := NewHexDensityMap(DefaultHexParams(), raw)
	require.NoError(t, err)
	return m.Scale(uint64(at))
}

func TestHexScaleLoneHotspot(t *testing.T) {
	loc := sfCell(t)
	require.Equal(t, uint32(10000), scaleOf(t, []h3.Cell{loc}, loc))
	// far away: not in the map
	require.Equal(t, uint32(DefaultScale), scaleOf(t, []h3.Cell{loc}, cellAt(t, 0, 0, 0, 0)))
}

// Two hotspots in different res-11 children of one res-10 cell: at res 10 the
// unclipped count is 2, only the cell itself is occupied (1 <= N=2), so the
// limit is target 1: clipped 1 of 2, and every coarser ratio is 1. Scale 0.5.
func TestHexScaleTwoInOneRes10Cell(t *testing.T) {
	p10, err := sfCell(t).Parent(10)
	require.NoError(t, err)
	kids := children(t, p10, 11)
	a, b := centerChild(t, kids[0], 12), centerChild(t, kids[1], 12)
	require.Equal(t, uint32(5000), scaleOf(t, []h3.Cell{a, b}, a))
	// two hotspots in the same res-11 cell are the same case
	a2 := children(t, kids[0], 12)[3]
	require.Equal(t, uint32(5000), scaleOf(t, []h3.Cell{a, a2}, a2))
}

// Three hotspots in three res-10 children of one res-9 cell: each res-10
// ratio is 1; at res 9 unclipped = 3, occupied = 1, limit 1: scale 1/3.
func TestHexScaleThreeInOneRes9Cell(t *testing.T) {
	p9, err := sfCell(t).Parent(9)
	require.NoError(t, err)
	kids := children(t, p9, 10)
	var locs []h3.Cell
	for _, k := range kids[:3] {
		locs = append(locs, centerChild(t, k, 12))
	}
	for _, l := range locs {
		require.Equal(t, uint32(3333), scaleOf(t, locs, l))
	}
}

// Neighbours raise the limit: at res 7 (N 4, target 5, max 10) a cell whose
// k=1 disk has 7 cells at the target gets limit min(10, 5 x (7 - 4 + 1)) = 10.
func TestHexLimitGrowsWithOccupiedNeighbours(t *testing.T) {
	p7, err := sfCell(t).Parent(7)
	require.NoError(t, err)
	disk, err := p7.GridDisk(1) // 7 res-7 cells
	require.NoError(t, err)
	var locs []h3.Cell
	for _, c := range disk {
		// 5 hotspots in distinct res-8 children of each res-7 cell: unclipped 5 each
		for _, k := range children(t, c, 8)[:5] {
			locs = append(locs, centerChild(t, k, 12))
		}
	}
	raw := make([]uint64, len(locs))
	for i, l := range locs {
		raw[i] = uint64(l)
	}
	m, err := NewHexDensityMap(DefaultHexParams(), raw)
	require.NoError(t, err)
	hc, ok := m.Count(uint64(p7))
	require.True(t, ok)
	require.Equal(t, uint64(5), hc.Unclipped)
	require.Equal(t, uint64(7), hc.Occupied)
	require.Equal(t, uint64(10), hc.Limit) // min(10, 5 x (7-4+1))
	require.Equal(t, uint64(5), hc.Clipped)
}

func TestHexScaleOrderIndependent(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	var locs []uint64
	for i := 0; i < 300; i++ {
		locs = append(locs, uint64(cellAt(t, sfLat, sfLng, rng.Float64()*8, rng.Float64()*360)))
	}
	m1, err := NewHexDensityMap(DefaultHexParams(), locs)
	require.NoError(t, err)
	shuffled := append([]uint64(nil), locs...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	m2, err := NewHexDensityMap(DefaultHexParams(), shuffled)
	require.NoError(t, err)
	require.Equal(t, m1.Cells(), m2.Cells())
	for _, l := range locs {
		require.Equal(t, m1.Scale(l), m2.Scale(l))
	}
}

// Attack 7 (HIP-17 default): a hotspot asserted in an inactive res-11 cell
// of an active res-10 cell took its busy parent's ratios (1.0 here) instead
// of the default 0.2, both from the map and from stored counts.
func TestAttackHIP17InactiveRes11CellGetsDefaultScale(t *testing.T) {
	p10, err := sfCell(t).Parent(10)
	require.NoError(t, err)
	kids := children(t, p10, 11)
	active, idle := centerChild(t, kids[0], 12), centerChild(t, kids[1], 12)
	m, err := NewHexDensityMap(DefaultHexParams(), []uint64{uint64(active)})
	require.NoError(t, err)
	require.Equal(t, uint32(10000), m.Scale(uint64(active)))
	require.Equal(t, uint32(DefaultScale), m.Scale(uint64(idle)), "inactive res-11 cell in an active res-10 cell")
	// Memoisation must not lend the active cell's scale to its sibling.
	require.Equal(t, uint32(10000), m.Scale(uint64(active)))
	fromCounts := ScaleFromCounts(DefaultHexParams(), uint64(idle), m.Count)
	require.Equal(t, uint32(DefaultScale), fromCounts)
}
