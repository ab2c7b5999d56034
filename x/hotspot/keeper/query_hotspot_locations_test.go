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

	// By offset, two at a time (the explorer requests pages side by side):
	// two full pages, the second one the last.
	byOffset := func(off uint64) *types.QueryHotspotLocationsResponse {
		page, err := f.query.HotspotLocations(f.ctx, &types.QueryHotspotLocationsRequest{Pagination: &query.PageRequest{Offset: off, Limit: 2}})
		require.NoError(t, err)
		return page
	}
	p0, p1 := byOffset(0), byOffset(2)
	require.Equal(t, want[:2], p0.Locations)
	require.NotNil(t, p0.Pagination.NextKey)
	require.Equal(t, want[2:], p1.Locations)
	require.Nil(t, p1.Pagination.NextKey)
	p3 := byOffset(3)
	require.Equal(t, want[3:], p3.Locations)
	require.Nil(t, p3.Pagination.NextKey)

	// A page above MaxPageLimit is refused.
	_, err = f.query.HotspotLocations(f.ctx, &types.QueryHotspotLocationsRequest{Pagination: &query.PageRequest{Limit: types.MaxPageLimit + 1}})
	require.ErrorIs(t, err, types.ErrPageTooLarge)
	full, err := f.query.HotspotLocations(f.ctx, &types.QueryHotspotLocationsRequest{Pagination: &query.PageRequest{Limit: types.MaxPageLimit}})
	require.NoError(t, err)
	require.Equal(t, want, full.Locations)

	// A nil request is the first page.
	first, err := f.query.HotspotLocations(f.ctx, nil)
	require.NoError(t, err)
	require.Equal(t, want, first.Locations)
}
