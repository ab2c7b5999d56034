package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// The hex rebuild walks exactly hex_rebuild_per_block activity records a
// block (one more than the budget waits for the next block), a hotspot
// whose last witnessed beacon is exactly at the window's start is active,
// and two active hotspots of one cell count two.
func TestHexRebuildWalksItsBudgetExactly(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.HexRebuildPerBlock = types.MinMaintenancePerBlock
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	const since = nowMs - 1000
	// Two active hotspots in one cell, one exactly at the window's start.
	for _, name := range []string{"on", "on2"} {
		on := f.hotspot(t, name, cellAt(t, 0, 0))
		require.NoError(t, f.k.Activity.Set(f.ctx, on, types.HotspotActivity{Hotspot: on, LastWitnessedBeaconMs: since + int64(len(name)) - 2}))
	}
	// Filler records after it in key order ("hnt1…" < "z…"), never active.
	for i := 0; i < int(p.HexRebuildPerBlock); i++ {
		a := fmt.Sprintf("z%03d", i)
		require.NoError(t, f.k.Activity.Set(f.ctx, a, types.HotspotActivity{Hotspot: a}))
	}
	require.NoError(t, f.k.HexRebuild.Set(f.ctx, types.HexRebuild{Epoch: 1, SinceMs: since}))

	f.endBlocks(t, 1)
	r, err := f.k.HexRebuild.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, types.HEX_REBUILD_STAGE_WALK, r.Stage, "one record is left for the next block")
	require.Equal(t, fmt.Sprintf("z%03d", p.HexRebuildPerBlock-3), r.Cursor, "the budget's last record")
	require.Equal(t, uint64(2), r.Active, "both active, one at exactly the window's start")
	c, err := h3.Cell(h3.IndexFromString(cellAt(t, 0, 0))).Parent(11)
	require.NoError(t, err)
	n, err := f.k.HexCounts.Get(f.ctx, collections.Join(uint64(1), uint64(c)))
	require.NoError(t, err)
	require.Equal(t, types.HexCount{Cell: uint64(c), Res: 11, Unclipped: 2, Limit: 2, Clipped: 2}, n, "both counted in their cell, in the next generation")

	// The next block walks the last record, rolls the counts up, switches
	// them in, ends the rebuild and says so.
	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	f.endBlocks(t, 1)
	_, err = f.k.HexRebuild.Get(f.ctx)
	require.ErrorIs(t, err, collections.ErrNotFound)
	ev := typedEvents[*types.EventHexScalesRecomputed](t, f.ctx)
	require.Len(t, ev, 1)
	require.Equal(t, types.EventHexScalesRecomputed{Epoch: 1, ActiveHotspots: 2, Cells: 8}, *ev[0], "one cell at res 11 and at each of the seven resolutions above it")
}
