package geo

import (
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"
)

// referenceVec is H3's own (float, C libm) centre as a unit vector; tests
// only, to check the port.
func referenceVec(t testing.TB, c h3.Cell) [3]float64 {
	ll, err := c.LatLng()
	require.NoError(t, err)
	la, lo := ll.Lat*math.Pi/180, ll.Lng*math.Pi/180
	return [3]float64{math.Cos(la) * math.Cos(lo), math.Cos(la) * math.Sin(lo), math.Sin(la)}
}

func toFloat(v Vec3) [3]float64 {
	s := math.Ldexp(1, -Q61)
	return [3]float64{float64(v.X) * s, float64(v.Y) * s, float64(v.Z) * s}
}

func requireClose(t testing.TB, c h3.Cell, got Vec3) {
	t.Helper()
	want := referenceVec(t, c)
	g := toFloat(got)
	for i := range g {
		// 1e-12 rad is 6 micrometres on the ground.
		require.InDelta(t, want[i], g[i], 1e-12, "cell %s component %d", c, i)
	}
}

// Every base cell, and every pentagon at every resolution, matches H3.
func TestCellCenterBaseCellsAndPentagons(t *testing.T) {
	res0, err := h3.Res0Cells()
	require.NoError(t, err)
	for _, c := range res0 {
		requireClose(t, c, CellCenter(uint64(c)))
	}
	for res := 0; res <= 15; res++ {
		pents, err := h3.Pentagons(res)
		require.NoError(t, err)
		for _, p := range pents {
			requireClose(t, p, CellCenter(uint64(p)))
		}
	}
}

// Random points at every resolution, with extra weight on res 12 (hotspot
// locations) and on cells near pentagons and face edges, where the overage
// logic runs.
func TestCellCenterMatchesH3(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := 300
	if testing.Short() {
		n = 60
	}
	for i := 0; i < n; i++ {
		lat := math.Asin(2*rng.Float64()-1) * 180 / math.Pi
		lng := rng.Float64()*360 - 180
		res := 12
		if i%3 == 0 {
			res = rng.Intn(16)
		}
		c, err := h3.LatLngToCell(h3.NewLatLng(lat, lng), res)
		require.NoError(t, err)
		requireClose(t, c, CellCenter(uint64(c)))
	}
	// Children of pentagons at res 12: the deleted-subsequence and leading-4/5
	// rotations.
	pents, err := h3.Pentagons(2)
	require.NoError(t, err)
	for _, p := range pents {
		ring, err := p.GridDisk(2)
		require.NoError(t, err)
		for _, c := range ring {
			child, err := c.CenterChild(12)
			require.NoError(t, err)
			requireClose(t, child, CellCenter(uint64(child)))
		}
	}
}

// Cells that straddle an icosahedron face edge, where H3 moves an address
// to the neighbouring face (adjustOverageClassII): every such cell at res 1
// to 3 (1 to 2 with -short, as under qemu), and the res-12 centre child of
// each.
func TestCellCenterAcrossFaceEdges(t *testing.T) {
	res0, err := h3.Res0Cells()
	require.NoError(t, err)
	maxRes, minChecked := 3, 1000
	if testing.Short() {
		maxRes, minChecked = 2, 100
	}
	checked := 0
	for _, base := range res0 {
		for res := 1; res <= maxRes; res++ {
			cells, err := base.Children(res)
			require.NoError(t, err)
			for _, c := range cells {
				faces, err := c.IcosahedronFaces()
				require.NoError(t, err)
				if len(faces) < 2 {
					continue
				}
				requireClose(t, c, CellCenter(uint64(c)))
				child, err := c.CenterChild(12)
				require.NoError(t, err)
				requireClose(t, child, CellCenter(uint64(child)))
				checked++
			}
		}
	}
	require.Greater(t, checked, minChecked, "cells on face edges")
}

// normalize gives the canonical member of an ijk triple's class (H3's
// ijkNormalize): every coordinate non-negative, the smallest zero, the
// differences between coordinates unchanged. Checked over every triple in a
// cube around the origin, so each coordinate in turn is the most negative.
func TestNormalizeGivesTheCanonicalTriple(t *testing.T) {
	for i := -4; i <= 4; i++ {
		for j := -4; j <= 4; j++ {
			for k := -4; k <= 4; k++ {
				c := ijk{i, j, k}
				c.normalize()
				require.GreaterOrEqual(t, min(c.i, c.j, c.k), 0, "(%d, %d, %d)", i, j, k)
				require.Zero(t, min(c.i, c.j, c.k), "(%d, %d, %d)", i, j, k)
				require.Equal(t, [2]int{i - j, j - k}, [2]int{c.i - c.j, c.j - c.k}, "(%d, %d, %d) changed class", i, j, k)
			}
		}
	}
}
