package verify

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/uber/h3-go/v4"
)

// HexResParams are HIP-17's per-resolution constants (HIP-104 values).
type HexResParams struct {
	Res    int
	N      uint64 // neighbours allowed before the limit grows
	Target uint64 // density target
	Max    uint64 // hard cap
}

// Occupies says whether a cell with this unclipped count counts as an
// occupied neighbour at this resolution.
func (rp HexResParams) Occupies(unclipped uint64) bool { return unclipped >= rp.Target }

// Clip applies the resolution's rule to one cell: occupied is how many
// cells of its k=1 disk (itself included) Occupy; past N of them the limit
// grows by Target each, up to Max.
func (rp HexResParams) Clip(cell, unclipped, occupied uint64) HexCount {
	grow := uint64(0)
	if occupied > rp.N {
		grow = occupied - rp.N
	}
	limit := min(rp.Max, rp.Target*(grow+1))
	return HexCount{Cell: cell, Res: rp.Res, Unclipped: unclipped, Occupied: occupied, Limit: limit, Clipped: min(limit, unclipped)}
}

// DefaultHexParams: resolutions 10 down to 4.
func DefaultHexParams() []HexResParams {
	return []HexResParams{
		{10, 2, 1, 1}, {9, 2, 1, 1}, {8, 2, 1, 1},
		{7, 4, 5, 10}, {6, 4, 25, 50}, {5, 4, 100, 200}, {4, 2, 500, 1000},
	}
}

// DefaultScale is the scale of a cell with no active hotspot (x10^-4).
const DefaultScale = 2000

// PopulationResolution: each active hotspot counts once at the res-11
// parent of its location.
const PopulationResolution = 11

// HexCount is one cell's numbers at one resolution.
type HexCount struct {
	Cell      uint64
	Res       int
	Unclipped uint64
	Occupied  uint64
	Limit     uint64
	Clipped   uint64
}

// HexDensityMap is the HIP-17 density roll-up of a population.
type HexDensityMap struct {
	params []HexResParams
	counts map[uint64]HexCount // by cell, any resolution 4..11
	scales map[uint64]uint32   // by res-11 cell
}

// NewHexDensityMap rolls up the locations (res-12 cells, one per active
// hotspot; duplicates count separately). Deterministic: the input order does
// not matter and every iteration is over sorted keys.
//
// occupied counts the cells of the parent's k=1 disk whose unclipped count
// (the sum of their children's clipped counts) reaches the target. It uses
// the unclipped count, as Helium's implementation did; the clipped count of a
// neighbour would depend on its own neighbours and make the rule circular.
func NewHexDensityMap(params []HexResParams, locations []uint64) (*HexDensityMap, error) {
	level := map[uint64]uint64{} // active hotspots per res-11 cell
	for _, loc := range locations {
		p, err := h3.Cell(loc).Parent(PopulationResolution)
		if err != nil {
			return nil, err
		}
		level[uint64(p)]++
	}
	return NewHexDensityMapFromCounts(params, sortedKeys(level), level)
}

// NewHexDensityMapFromCounts rolls up active-hotspot counts of
// resolution-11 cells (cells lists counts' keys; the map is read only
// through sorted keys, so the order does not matter).
func NewHexDensityMapFromCounts(params []HexResParams, cells []uint64, counts map[uint64]uint64) (*HexDensityMap, error) {
	m := &HexDensityMap{params: params, counts: map[uint64]HexCount{}, scales: map[uint64]uint32{}}
	level := make(map[uint64]uint64, len(cells))
	for _, c := range cells {
		if h3.Cell(c).Resolution() != PopulationResolution {
			return nil, fmt.Errorf("hex density: cell %x is not at resolution %d", c, PopulationResolution)
		}
		level[c] = counts[c]
	}
	for c, n := range level {
		m.counts[c] = HexCount{Cell: c, Res: PopulationResolution, Unclipped: n, Clipped: n, Limit: n}
	}
	for _, rp := range params {
		unclipped := map[uint64]uint64{}
		for _, c := range sortedKeys(level) {
			p, err := h3.Cell(c).Parent(rp.Res)
			if err != nil {
				return nil, err
			}
			unclipped[uint64(p)] += level[c]
		}
		next := make(map[uint64]uint64, len(unclipped))
		for _, c := range sortedKeys(unclipped) {
			disk, err := h3.Cell(c).GridDisk(1)
			if err != nil {
				return nil, err
			}
			var occupied uint64
			for _, q := range disk {
				if rp.Occupies(unclipped[uint64(q)]) {
					occupied++
				}
			}
			hc := rp.Clip(c, unclipped[c], occupied)
			m.counts[c] = hc
			next[c] = hc.Clipped
		}
		level = next
	}
	return m, nil
}

// Scale returns the transmit scale (x10^-4) of a location: the product over
// the resolutions of clipped/unclipped of its ancestor, rounded to 4 decimals
// half to even; DefaultScale when the location's own res-11 cell has no
// active hotspot. Memoised per res-11 cell: every location in it has the
// same ancestors.
func (m *HexDensityMap) Scale(location uint64) uint32 {
	p11, err := h3.Cell(location).Parent(PopulationResolution)
	if err != nil {
		return DefaultScale
	}
	if s, ok := m.scales[uint64(p11)]; ok {
		return s
	}
	s := ScaleFromCounts(m.params, location, func(c uint64) (HexCount, bool) { hc, ok := m.counts[c]; return hc, ok })
	m.scales[uint64(p11)] = s
	return s
}

// ScaleFromCounts computes a location's scale from stored counts (the
// keeper's store or a HexDensityMap): the product over the resolutions of
// clipped/unclipped of the location's ancestor, rounded to 4 decimals half
// to even. DefaultScale when the location's own res-11 cell has no count
// (no active hotspot in it), whatever its ancestors hold (HIP-17: an
// inactive hex earns the default scale, not its busy parent's ratio), and
// when an ancestor has none.
func ScaleFromCounts(params []HexResParams, location uint64, lookup func(cell uint64) (HexCount, bool)) uint32 {
	own, err := h3.Cell(location).Parent(PopulationResolution)
	if err != nil {
		return DefaultScale
	}
	if hc, ok := lookup(uint64(own)); !ok || hc.Unclipped == 0 {
		return DefaultScale
	}
	prod := big.NewRat(1, 1)
	for _, rp := range params {
		a, err := h3.Cell(location).Parent(rp.Res)
		if err != nil {
			return DefaultScale
		}
		hc, ok := lookup(uint64(a))
		if !ok || hc.Unclipped == 0 {
			return DefaultScale
		}
		prod.Mul(prod, big.NewRat(int64(hc.Clipped), int64(hc.Unclipped)))
	}
	return roundUnit(prod)
}

// Count returns a cell's numbers (any resolution 4..11).
func (m *HexDensityMap) Count(cell uint64) (HexCount, bool) {
	c, ok := m.counts[cell]
	return c, ok
}

// Cells lists every counted cell, sorted, for storage.
func (m *HexDensityMap) Cells() []HexCount {
	out := make([]HexCount, 0, len(m.counts))
	for _, c := range sortedKeys(m.counts) {
		out = append(out, m.counts[c])
	}
	return out
}

func sortedKeys[V any](m map[uint64]V) []uint64 {
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
