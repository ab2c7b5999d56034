package keeper_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/x/hotspot/types"
)

func TestQueryHotspotLocations(t *testing.T) {
	f := setup(t)
	// Asserted in the reverse of their cells' order, to see the H3 order.
	cells := []string{res12(5, 0, 0), res12(0, 4, 0), res12(0, 0, 3), res12(0, 0, 0)}
	want := make([]types.HotspotLocation, len(cells))
	for i, cell := range cells {
		addr := f.add(t, "h"+strconv.Itoa(i))
		_, err := f.msgs.AssertLocation(f.ctx, assertMsg(f, addr, cell))
		require.NoError(t, err)
		h, err := f.query.Hotspot(f.ctx, &types.QueryHotspotRequest{Id: addr})
		require.NoError(t, err)
		want[len(cells)-1-i] = types.HotspotLocation{Address: addr, Name: h.Hotspot.Name, Location: cell}
	}
	f.add(t, "unasserted") // never listed
	// A hotspot that moves is listed once, at its new cell.
	moved := want[0]
	_, err := f.msgs.AssertLocation(f.ctx, assertMsg(f, moved.Address, res12(6, 6, 6)))
	require.NoError(t, err)
	moved.Location = res12(6, 6, 6)
	want = append(want[1:], moved)

	all, err := f.query.HotspotLocations(f.ctx, &types.QueryHotspotLocationsRequest{})
	require.NoError(t, err)
	require.Equal(t, want, all.Locations)

	// By offset, two at a time (the explorer requests pages side by side).
	var got []types.HotspotLocation
	for off := uint64(0); ; off += 2 {
		page, err := f.query.HotspotLocations(f.ctx, &types.QueryHotspotLocationsRequest{Pagination: &query.PageRequest{Offset: off, Limit: 2}})
		require.NoError(t, err)
		got = append(got, page.Locations...)
		if page.Pagination.NextKey == nil {
			break
		}
	}
	require.Equal(t, want, got)

	// A nil request is the first page.
	first, err := f.query.HotspotLocations(f.ctx, nil)
	require.NoError(t, err)
	require.Equal(t, want, first.Locations)
}
