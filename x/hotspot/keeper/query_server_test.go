package keeper_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/x/hotspot/types"
)

func TestQueryHotspotByAddressAndName(t *testing.T) {
	f := setup(t)
	addr := f.add(t, "a")
	name := types.HotspotName(pub(hotspotKey("a")))
	for _, id := range []string{addr, name} {
		res, err := f.query.Hotspot(f.ctx, &types.QueryHotspotRequest{Id: id})
		require.NoError(t, err)
		require.Equal(t, addr, res.Hotspot.Address)
	}
	_, err := f.query.Hotspot(f.ctx, &types.QueryHotspotRequest{Id: "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo"})
	require.ErrorIs(t, err, types.ErrHotspotNotFound)
	_, err = f.query.Hotspot(f.ctx, &types.QueryHotspotRequest{})
	require.Equal(t, codes.InvalidArgument, status.Code(err), "an empty id is the caller's error, not a lookup: %v", err)
}

func TestQueryHotspotsFiltersAndPages(t *testing.T) {
	f := setup(t)
	var mine []string
	for i := 0; i < 5; i++ {
		addr := f.add(t, fmt.Sprintf("mine-%d", i))
		mine = append(mine, addr)
		region := "US915"
		if i%2 == 1 {
			region = "EU868"
		}
		m := assertMsg(f, addr, res12(uint64(i), 0, 0))
		m.Region = region
		_, err := f.msgs.AssertLocation(f.ctx, m)
		require.NoError(t, err)
	}
	// another owner's hotspot
	res, err := f.msgs.AddHotspot(f.ctx, f.addMsg(hotspotKey("theirs"), f.other, types.HOTSPOT_MODE_DATA_ONLY))
	require.NoError(t, err)
	theirs := res.Address

	all, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{})
	require.NoError(t, err)
	require.Len(t, all.Hotspots, 6)

	byOwner, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Owner: f.owner})
	require.NoError(t, err)
	sort.Strings(mine)
	require.Equal(t, mine, addrs(byOwner.Hotspots))

	eu, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Region: "EU868"})
	require.NoError(t, err)
	require.Len(t, eu.Hotspots, 2)
	for _, h := range eu.Hotspots {
		require.Equal(t, "EU868", h.Region)
	}

	mineUS, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Owner: f.owner, Region: "US915"})
	require.NoError(t, err)
	require.Len(t, mineUS.Hotspots, 3)

	_, err = f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Owner: "not-an-address"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	theirsRes, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Owner: f.other})
	require.NoError(t, err)
	require.Equal(t, []string{theirs}, addrs(theirsRes.Hotspots))

	// Paging by key walks every hotspot exactly once.
	var seen []string
	var key []byte
	for {
		page, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Owner: f.owner, Pagination: &query.PageRequest{Key: key, Limit: 2}})
		require.NoError(t, err)
		seen = append(seen, addrs(page.Hotspots)...)
		key = page.Pagination.NextKey
		if key == nil {
			break
		}
	}
	require.Equal(t, mine, seen)

	// Paging the whole list by offset (the explorer's map requests pages
	// side by side) gives the same hotspots in the same order as one call;
	// the page that reaches the end has no next key.
	p0, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Pagination: &query.PageRequest{Offset: 0, Limit: 4}})
	require.NoError(t, err)
	require.Equal(t, addrs(all.Hotspots)[:4], addrs(p0.Hotspots))
	require.NotNil(t, p0.Pagination.NextKey)
	p1, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Pagination: &query.PageRequest{Offset: 4, Limit: 4}})
	require.NoError(t, err)
	require.Equal(t, addrs(all.Hotspots)[4:], addrs(p1.Hotspots))
	require.Nil(t, p1.Pagination.NextKey)

	// Pages above MaxPageLimit are refused by every list query.
	tooBig := &query.PageRequest{Limit: types.MaxPageLimit + 1}
	_, err = f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Pagination: tooBig})
	require.ErrorIs(t, err, types.ErrPageTooLarge)
	_, err = f.query.HotspotsInCell(f.ctx, &types.QueryHotspotsInCellRequest{Cell: res12(0, 0, 0), Pagination: tooBig})
	require.ErrorIs(t, err, types.ErrPageTooLarge)
}

func TestQueryHotspotsInCell(t *testing.T) {
	f := setup(t)
	// Three hotspots in two res-11 cells of the same res-10 parent, and one
	// under a different res-10 parent.
	cells := map[string]string{
		"a": res12(0, 0, 0),
		"b": res12(0, 0, 3),
		"c": res12(0, 4, 0),
		"d": res12(5, 0, 0),
	}
	addr := map[string]string{}
	for _, seed := range []string{"a", "b", "c", "d"} {
		addr[seed] = f.add(t, seed)
		_, err := f.msgs.AssertLocation(f.ctx, assertMsg(f, addr[seed], cells[seed]))
		require.NoError(t, err)
	}
	f.add(t, "unasserted") // never listed by cell

	parent := func(cell string, res int) string {
		c, err := types.ParseCell(cell)
		require.NoError(t, err)
		return c.Parent(res).String()
	}
	cases := []struct {
		cell string
		want []string
	}{
		{parent(cells["a"], 11), []string{"a", "b"}},
		{parent(cells["c"], 11), []string{"c"}},
		{parent(cells["a"], 10), []string{"a", "b", "c"}},
		{parent(cells["a"], 9), []string{"a", "b", "c", "d"}},
		{parent(cells["a"], 0), []string{"a", "b", "c", "d"}},
		{cells["b"], []string{"b"}},
		{res12(6, 6, 6), nil},
	}
	for _, tc := range cases {
		res, err := f.query.HotspotsInCell(f.ctx, &types.QueryHotspotsInCellRequest{Cell: tc.cell})
		require.NoError(t, err, tc.cell)
		var want []string
		for _, s := range tc.want {
			want = append(want, addr[s])
		}
		got := addrs(res.Hotspots)
		sort.Strings(want)
		sort.Strings(got)
		require.Equal(t, want, got, "cell %s", tc.cell)
	}

	// Pages of one across res 9 return all four, none twice.
	var got []string
	var key []byte
	for {
		page, err := f.query.HotspotsInCell(f.ctx, &types.QueryHotspotsInCellRequest{Cell: parent(cells["a"], 9), Pagination: &query.PageRequest{Key: key, Limit: 1}})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Hotspots), 1)
		got = append(got, addrs(page.Hotspots)...)
		if key = page.Pagination.NextKey; key == nil {
			break
		}
	}
	require.Len(t, got, 4)

	// In reverse, by key, the same four, each once, in the opposite order.
	var back []string
	key = nil
	for n := 0; n < 5; n++ {
		page, err := f.query.HotspotsInCell(f.ctx, &types.QueryHotspotsInCellRequest{Cell: parent(cells["a"], 9), Pagination: &query.PageRequest{Key: key, Limit: 1, Reverse: true}})
		require.NoError(t, err)
		back = append(back, addrs(page.Hotspots)...)
		if key = page.Pagination.NextKey; key == nil {
			break
		}
	}
	require.Len(t, back, 4)
	for i := range got {
		require.Equal(t, got[i], back[len(back)-1-i])
	}

	_, err := f.query.HotspotsInCell(f.ctx, &types.QueryHotspotsInCellRequest{Cell: "zzz"})
	require.ErrorIs(t, err, types.ErrMalformedCell)
	_, err = f.query.HotspotsInCell(f.ctx, &types.QueryHotspotsInCellRequest{Cell: "8d28308280c003f"})
	require.ErrorIs(t, err, types.ErrWrongResolution)
}

func addrs(hs []types.Hotspot) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Address)
	}
	return out
}
