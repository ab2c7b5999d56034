package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// The hex rebuild walks exactly hex_rebuild_per_block activity records a
// block (one more than the budget waits for the next block), and a hotspot
// whose last witnessed beacon is exactly at the window's start is active.
func TestHexRebuildWalksItsBudgetExactly(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.HexRebuildPerBlock = types.MinMaintenancePerBlock
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	const since = nowMs - 1000
	on := f.hotspot(t, "on", cellAt(t, 0, 0))
	require.NoError(t, f.k.Activity.Set(f.ctx, on, types.HotspotActivity{Hotspot: on, LastWitnessedBeaconMs: since}))
	// Filler records after it in key order ("hnt1…" < "z…"), never active.
	for i := 0; i < int(p.HexRebuildPerBlock); i++ {
		a := fmt.Sprintf("z%03d", i)
		require.NoError(t, f.k.Activity.Set(f.ctx, a, types.HotspotActivity{Hotspot: a}))
	}
	require.NoError(t, f.k.HexRebuild.Set(f.ctx, types.HexRebuild{Epoch: 1, SinceMs: since}))

	f.endBlocks(t, 1)
	r, err := f.k.HexRebuild.Get(f.ctx)
	require.NoError(t, err)
	require.False(t, r.Walked, "one record is left for the next block")
	require.Equal(t, fmt.Sprintf("z%03d", p.HexRebuildPerBlock-2), r.Cursor, "the budget's last record")
	require.Equal(t, uint64(1), r.Active, "active at exactly the window's start")
	f.endBlocks(t, 1)
	r, err = f.k.HexRebuild.Get(f.ctx)
	require.NoError(t, err)
	require.True(t, r.Walked)
}
