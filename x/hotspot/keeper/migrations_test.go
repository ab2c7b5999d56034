package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/hotspot/keeper"
	"github.com/pocnet/pocd/x/hotspot/types"
)

// A v1 chain's params have no max_elevation (0 once decoded): the v1→v2
// migration sets the default, and no hotspot record changes, even one
// asserted above the new bound.
func TestMigrate1to2SetsMaxElevationAndKeepsHotspots(t *testing.T) {
	f := setup(t)
	addr := f.add(t, "a")
	_, err := f.msgs.AssertLocation(f.ctx, assertMsg(f, addr, res12(0, 0, 0)))
	require.NoError(t, err)
	// The state a v1 binary left: no bound, and a hotspot at 5 km.
	v1 := types.DefaultParams()
	v1.MaxElevation = 0
	require.NoError(t, f.k.Params.Set(f.ctx, v1))
	h, err := f.k.GetHotspot(f.ctx, addr)
	require.NoError(t, err)
	h.Elevation = 5000
	require.NoError(t, f.k.Hotspots.Set(f.ctx, addr, h))
	before, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)

	require.NoError(t, keeper.NewMigrator(f.k).Migrate1to2(f.ctx))

	got, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, int32(types.DefaultMaxElevation), got.MaxElevation)
	v1.MaxElevation = types.DefaultMaxElevation
	require.Equal(t, v1, got, "only max_elevation changes")
	after, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Equal(t, before.Hotspots, after.Hotspots, "hotspot records are untouched")
}

// The migration only fills a missing bound: run on params that already
// have one (a second run, or a chain started on v2), it keeps it.
func TestMigrate1to2KeepsAGovernedBound(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.MaxElevation = 300
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	require.NoError(t, keeper.NewMigrator(f.k).Migrate1to2(f.ctx))
	got, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, int32(300), got.MaxElevation)
}

func TestAssertLocationRefusesElevationOutOfBounds(t *testing.T) {
	f := setup(t)
	addr := f.add(t, "a")
	for _, elev := range []int32{-1, types.DefaultMaxElevation + 1} {
		before := f.snapshot(t)
		m := assertMsg(f, addr, res12(0, 0, 0))
		m.Elevation = elev
		_, err := f.msgs.AssertLocation(f.ctx, m)
		require.ErrorIs(t, err, types.ErrElevationOutOfBounds, "elevation %d", elev)
		require.Equal(t, before, f.snapshot(t), "a refused assertion changes nothing")
	}
	for _, elev := range []int32{0, types.DefaultMaxElevation} {
		m := assertMsg(f, addr, res12(0, 0, 0))
		m.Elevation = elev
		_, err := f.msgs.AssertLocation(f.ctx, m)
		require.NoError(t, err, "elevation %d is inside the bound", elev)
		h, err := f.k.GetHotspot(f.ctx, addr)
		require.NoError(t, err)
		require.Equal(t, elev, h.Elevation)
	}
}
