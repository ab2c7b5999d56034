package keeper_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// hexFleet registers n active hotspots in clusters that clip at several
// resolutions (ten share one res-12 cell, the rest spiral out to 12 km)
// and returns their res-12 cells.
func hexFleet(t *testing.T, f *fixture, n int) []uint64 {
	t.Helper()
	var cells []uint64
	for i := 0; i < n; i++ {
		km := 0.0
		if i >= 10 {
			km = float64(i-10) * 0.3
		}
		cell := cellAt(t, km, float64(i*37))
		h := f.hotspot(t, fmt.Sprintf("hex%03d", i), cell)
		require.NoError(t, f.k.Activity.Set(f.ctx, h, types.HotspotActivity{Hotspot: h, LastWitnessedBeaconMs: nowMs - 1000}))
		cells = append(cells, uint64(h3.IndexFromString(cell)))
	}
	return cells
}

// hexGen reads every stored count of one generation, in key order.
func hexGen(t *testing.T, f *fixture, gen uint64) []types.HexCount {
	t.Helper()
	var out []types.HexCount
	require.NoError(t, f.k.HexCounts.Walk(f.ctx, collections.NewPrefixedPairRange[uint64, uint64](gen),
		func(_ collections.Pair[uint64, uint64], h types.HexCount) (bool, error) {
			out = append(out, h)
			return false, nil
		}))
	return out
}

func asStored(cs []verify.HexCount) []types.HexCount {
	out := make([]types.HexCount, len(cs))
	for i, c := range cs {
		out[i] = types.HexCountFromVerify(c)
	}
	return out
}

// rebuildUnits is the work a rebuild does, in budget units: each activity
// record walked, each child summed into its parent and each cell judged at
// each resolution, and each cell of the old generation cleared.
func rebuildUnits(m *verify.HexDensityMap, table []verify.HexResParams, records, old int) uint64 {
	perRes := map[int]uint64{}
	for _, c := range m.Cells() {
		perRes[c.Res]++
	}
	units := uint64(records + old)
	child := verify.PopulationResolution
	for _, rp := range table {
		units += perRes[child] + perRes[rp.Res]
		child = rp.Res
	}
	return units
}

// The rebuild's counts equal the in-memory roll-up of the same hotspots
// (verify.NewHexDensityMap) whatever the budget; each block does at most
// its budget of work, so a smaller budget takes proportionally more
// blocks; readers see the old counts until the new generation is complete
// and switched in; and the old generation is deleted afterwards.
func TestHexRebuildEqualsTheMapAtAnyBudget(t *testing.T) {
	for _, budget := range []uint64{1, 2, 7, 20_000} {
		t.Run(fmt.Sprintf("budget=%d", budget), func(t *testing.T) {
			f := setup(t)
			p := types.DefaultParams()
			p.HexRebuildPerBlock = budget // below the parameter's floor: only a test sets it
			require.NoError(t, f.k.Params.Set(f.ctx, p))
			cells := hexFleet(t, f, 40)
			table := p.VerifyHexParams()
			want, err := verify.NewHexDensityMap(table, cells)
			require.NoError(t, err)

			// The counts in use: a previous rebuild's, of the first 10 hotspots.
			oldMap, err := verify.NewHexDensityMap(table, cells[:10])
			require.NoError(t, err)
			for _, c := range asStored(oldMap.Cells()) {
				require.NoError(t, f.k.HexCounts.Set(f.ctx, collections.Join(uint64(0), c.Cell), c))
			}
			require.NoError(t, f.k.HexEpoch.Set(f.ctx, 1))
			oldScale, err := f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: h3.Cell(cells[0]).String()})
			require.NoError(t, err)

			require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 2))
			f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
			units := rebuildUnits(want, table, len(cells), len(oldMap.Cells()))
			blocks := uint64(0)
			for {
				f.endBlocks(t, 1)
				blocks++
				require.LessOrEqual(t, blocks, units+1, "the rebuild ends")
				r, err := f.k.HexRebuild.Get(f.ctx)
				if isNotFoundErr(err) {
					break
				}
				require.NoError(t, err)
				if r.Stage != types.HEX_REBUILD_STAGE_CLEAR {
					got, err := f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: h3.Cell(cells[0]).String()})
					require.NoError(t, err)
					require.Equal(t, oldScale, got, "readers see the old counts until the switch")
				}
			}
			require.GreaterOrEqual(t, blocks, (units+budget-1)/budget, "no block does more than its budget")
			require.LessOrEqual(t, blocks, (units+budget-1)/budget+1, "every block but the last uses its budget")

			gen, err := f.k.HexGeneration.Get(f.ctx)
			require.NoError(t, err)
			require.Equal(t, uint64(1), gen)
			require.Equal(t, asStored(want.Cells()), hexGen(t, f, 1), "the in-memory roll-up's counts")
			require.Empty(t, hexGen(t, f, 0), "the old generation is deleted")
			got, err := f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: h3.Cell(cells[0]).String()})
			require.NoError(t, err)
			require.Equal(t, want.Scale(cells[0]), got.Scale)
			require.Equal(t, int64(2), got.ComputedEpoch)
			ev := typedEvents[*types.EventHexScalesRecomputed](t, f.ctx)
			require.Len(t, ev, 1)
			require.Equal(t, types.EventHexScalesRecomputed{Epoch: 2, ActiveHotspots: 40, Cells: uint64(len(want.Cells()))}, *ev[0])
		})
	}
}

func isNotFoundErr(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// A roll-up uses the HIP-17 table in force when its walk ended: a
// parameter change in the middle applies from the next rebuild, not to
// half of this one.
func TestHexRebuildKeepsItsTableThroughAParameterChange(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.HexRebuildPerBlock = 5
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	cells := hexFleet(t, f, 30)
	want, err := verify.NewHexDensityMap(p.VerifyHexParams(), cells)
	require.NoError(t, err)
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 1))
	for blocks := 0; ; blocks++ {
		require.Less(t, blocks, 10_000, "the rebuild reaches its judge stage")
		f.endBlocks(t, 1)
		r, err := f.k.HexRebuild.Get(f.ctx)
		require.NoError(t, err)
		if r.Stage == types.HEX_REBUILD_STAGE_JUDGE {
			break
		}
	}
	changed := p
	changed.HexParams = []types.HexResParams{{Res: 9, N: 1, Target: 1, Max: 1}, {Res: 5, N: 1, Target: 2, Max: 3}}
	require.NoError(t, f.k.Params.Set(f.ctx, changed))
	for i := 0; i < 1000; i++ {
		if has, err := f.k.HexRebuild.Has(f.ctx); err == nil && !has {
			break
		}
		f.endBlocks(t, 1)
	}
	require.Equal(t, asStored(want.Cells()), hexGen(t, f, 1))
	// Read with the table the counts were built with, not the new one
	// (which names resolutions these counts lack).
	for _, c := range cells {
		hs, err := f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: h3.Cell(c).String()})
		require.NoError(t, err)
		require.Equal(t, want.Scale(c), hs.Scale)
	}
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Equal(t, p.HexParams, gs.HexTable, "exported with its counts")
}

// Exported at any point of a rebuild, the state imports into a chain that
// finishes the same rebuild with the same counts, and exports the same
// genesis again.
func TestGenesisKeepsARebuildAtEveryStage(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.HexRebuildPerBlock = 6
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	cells := hexFleet(t, f, 20)
	oldMap, err := verify.NewHexDensityMap(p.VerifyHexParams(), cells[:3])
	require.NoError(t, err)
	for _, c := range asStored(oldMap.Cells()) {
		require.NoError(t, f.k.HexCounts.Set(f.ctx, collections.Join(uint64(0), c.Cell), c))
	}
	want, err := verify.NewHexDensityMap(p.VerifyHexParams(), cells)
	require.NoError(t, err)
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 1))
	stages := map[types.HexRebuildStage]bool{}
	for blocks := 0; ; blocks++ {
		require.Less(t, blocks, 10_000, "the rebuild ends")
		r, err := f.k.HexRebuild.Get(f.ctx)
		if isNotFoundErr(err) {
			break
		}
		require.NoError(t, err)
		stages[r.Stage] = true
		gs, err := f.k.ExportGenesis(f.ctx)
		require.NoError(t, err)
		gs.Params.HexRebuildPerBlock = types.MinMaintenancePerBlock // 6 is below what a genesis may hold
		require.NoError(t, gs.Validate())
		g := setup(t)
		hexFleet(t, g, 20) // the same hotspots, for a walk to find
		require.NoError(t, g.k.InitGenesis(g.ctx, *gs))
		again, err := g.k.ExportGenesis(g.ctx)
		require.NoError(t, err)
		require.Equal(t, gs, again, "stage %s: export, import, export", r.Stage)
		wantGen, err := f.k.HexGeneration.Get(f.ctx)
		if !isNotFoundErr(err) {
			require.NoError(t, err)
		}
		gotGen, err := g.k.HexGeneration.Get(g.ctx)
		require.NoError(t, err)
		require.Equal(t, wantGen, gotGen, "stage %s: the counts keep their generation", r.Stage)
		for i := 0; i < 1000; i++ {
			if has, err := g.k.HexRebuild.Has(g.ctx); err == nil && !has {
				break
			}
			g.endBlocks(t, 1)
		}
		gen, err := g.k.HexGeneration.Get(g.ctx)
		require.NoError(t, err)
		require.Equal(t, asStored(want.Cells()), hexGen(t, g, gen), "stage %s: the imported chain finishes the rebuild", r.Stage)
		f.endBlocks(t, 1)
	}
	require.Len(t, stages, 4, "exported in every stage")
}

// A genesis whose hex entries a rebuild would misread is refused, and
// InitGenesis writes nothing: a cell stored under another resolution's
// key range would be summed into the wrong parent, and a roll-up resumed
// mid-way would add its children a second time.
func TestGenesisRefusesHexEntriesARebuildWouldMisread(t *testing.T) {
	p := types.DefaultParams()
	res11 := uint64(h3.IndexFromString("8b283082a2b3fff"))
	res10, err := h3.Cell(res11).Parent(10)
	require.NoError(t, err)
	walk := func() *types.GenesisState {
		gs := types.DefaultGenesis()
		gs.HexRebuild = &types.HexRebuild{Epoch: 1, Cells: 1, Active: 2}
		gs.HexStaging = []types.HexStagingCount{{Cell: res11, Count: 2}}
		return gs
	}
	rollup := func() *types.GenesisState {
		gs := walk()
		gs.HexRebuild.Stage, gs.HexRebuild.HexParams = types.HEX_REBUILD_STAGE_SUM, p.HexParams
		return gs
	}
	require.NoError(t, walk().Validate())
	require.NoError(t, rollup().Validate())
	for name, bad := range map[string]func(*types.GenesisState){
		"a count at another resolution than its cell's": func(gs *types.GenesisState) {
			gs.HexCounts = []types.HexCount{{Cell: uint64(res10), Res: 11, Unclipped: 1, Limit: 1, Clipped: 1}}
		},
		"a cell counted twice": func(gs *types.GenesisState) {
			c := types.HexCount{Cell: res11, Res: 11, Unclipped: 1, Limit: 1, Clipped: 1}
			gs.HexCounts = []types.HexCount{c, c}
		},
		"not a cell":                     func(gs *types.GenesisState) { gs.HexCounts = []types.HexCount{{Cell: 42, Res: 0}} },
		"a staged cell not at res 11":    func(gs *types.GenesisState) { gs.HexStaging[0].Cell = uint64(res10) },
		"a staged cell with no count":    func(gs *types.GenesisState) { gs.HexStaging[0].Count = 0 },
		"a staged cell twice":            func(gs *types.GenesisState) { gs.HexStaging = append(gs.HexStaging, gs.HexStaging[0]) },
		"staging without a rebuild":      func(gs *types.GenesisState) { gs.HexRebuild = nil },
		"cells not the staged count":     func(gs *types.GenesisState) { gs.HexRebuild.Cells = 2 },
		"active not the staged hotspots": func(gs *types.GenesisState) { gs.HexRebuild.Active = 3 },
		"a count clipped above its unclipped count": func(gs *types.GenesisState) {
			gs.HexCounts = []types.HexCount{{Cell: res11, Res: 11, Unclipped: 1, Limit: 2, Clipped: 2}}
		},
		"a count clipped above its limit": func(gs *types.GenesisState) {
			gs.HexCounts = []types.HexCount{{Cell: res11, Res: 11, Unclipped: 2, Limit: 1, Clipped: 2}}
		},
		"a bad table for the counts": func(gs *types.GenesisState) {
			gs.HexTable = []types.HexResParams{{Res: 8, N: 2, Target: 0, Max: 1}}
		},
		"a roll-up past its start": func(gs *types.GenesisState) { gs.HexRebuild.Stage = types.HEX_REBUILD_STAGE_JUDGE },
		"a roll-up at a later level": func(gs *types.GenesisState) {
			gs.HexRebuild.Stage, gs.HexRebuild.Level = types.HEX_REBUILD_STAGE_SUM, 1
		},
		"a roll-up with a cursor": func(gs *types.GenesisState) {
			gs.HexRebuild.Stage, gs.HexRebuild.CellCursor = types.HEX_REBUILD_STAGE_SUM, res11
		},
		"a roll-up with no table": func(gs *types.GenesisState) {
			gs.HexRebuild.Stage, gs.HexRebuild.HexParams = types.HEX_REBUILD_STAGE_SUM, nil
		},
		"a clearing rebuild": func(gs *types.GenesisState) { gs.HexRebuild.Stage = types.HEX_REBUILD_STAGE_CLEAR },
		"a roll-up with a bad table": func(gs *types.GenesisState) {
			gs.HexRebuild.Stage = types.HEX_REBUILD_STAGE_SUM
			gs.HexRebuild.HexParams = []types.HexResParams{{Res: 8, N: 2, Target: 1, Max: 1}, {Res: 9, N: 2, Target: 1, Max: 1}}
		},
	} {
		gs := walk()
		if name == "a roll-up with no table" || name == "a roll-up with a bad table" {
			gs = rollup()
		}
		bad(gs)
		require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis, name)
		f := setup(t)
		require.Error(t, f.k.InitGenesis(f.ctx, *gs), name)
		has, err := f.k.HexRebuild.Has(f.ctx)
		require.NoError(t, err)
		require.False(t, has, "%s: nothing written", name)
	}
}
