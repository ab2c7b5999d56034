package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// Export → import into a fresh store → export gives identical bytes, and the
// secondary indexes are rebuilt (queries by owner, name and cell work).
func TestGenesisRoundTrip(t *testing.T) {
	f := setup(t)
	for _, seed := range []string{"a", "b", "c"} {
		addr := f.add(t, seed)
		if seed != "c" {
			_, err := f.msgs.AssertLocation(f.ctx, assertMsg(f, addr, res12(map[string]uint64{"a": 0, "b": 1}[seed], 0, 0)))
			require.NoError(t, err)
		}
	}
	_, err := f.msgs.TransferHotspot(f.ctx, &types.MsgTransferHotspot{Owner: f.owner, Hotspot: types.HotspotName(pub(hotspotKey("b"))), NewOwner: f.other})
	require.NoError(t, err)

	exported, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Len(t, exported.Hotspots, 3)
	require.NoError(t, exported.Validate())

	g := setup(t)
	require.NoError(t, g.k.InitGenesis(g.ctx, *exported))
	again, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	b1, err := exported.Marshal()
	require.NoError(t, err)
	b2, err := again.Marshal()
	require.NoError(t, err)
	require.Equal(t, b1, b2)

	byOwner, err := g.query.Hotspots(g.ctx, &types.QueryHotspotsRequest{Owner: g.other})
	require.NoError(t, err)
	require.Len(t, byOwner.Hotspots, 1)
	inCell, err := g.query.HotspotsInCell(g.ctx, &types.QueryHotspotsInCellRequest{Cell: res12(0, 0, 0)})
	require.NoError(t, err)
	require.Len(t, inCell.Hotspots, 1)
	_, err = g.k.GetHotspot(g.ctx, types.HotspotName(pub(hotspotKey("c"))))
	require.NoError(t, err)
}

func TestGenesisValidateRejects(t *testing.T) {
	f := setup(t)
	addr := f.add(t, "a")
	good, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	cases := map[string]func(gs *types.GenesisState){
		"address does not match key": func(gs *types.GenesisState) {
			gs.Hotspots[0].Address = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo"
		},
		"name does not match key": func(gs *types.GenesisState) { gs.Hotspots[0].Name = "odd-ginger-mole-x" },
		"duplicate":               func(gs *types.GenesisState) { gs.Hotspots = append(gs.Hotspots, gs.Hotspots[0]) },
		"bad location": func(gs *types.GenesisState) {
			gs.Hotspots[0].Location, gs.Hotspots[0].Region = "8b28308280c0fff", "US915"
		},
		"unknown region": func(gs *types.GenesisState) { gs.Hotspots[0].Location, gs.Hotspots[0].Region = res12(0, 0, 0), "XX" },
		"no owner":       func(gs *types.GenesisState) { gs.Hotspots[0].Owner = "" },
		"bad params":     func(gs *types.GenesisState) { gs.Params.RegionPlans = nil },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			var gs types.GenesisState
			bz, err := good.Marshal()
			require.NoError(t, err)
			require.NoError(t, gs.Unmarshal(bz))
			edit(&gs)
			// the cause: a bad hotspot is invalid genesis, bad params invalid params
			want := types.ErrInvalidGenesis
			if name == "bad params" {
				want = types.ErrInvalidParams
			}
			require.ErrorIs(t, gs.Validate(), want)
			g := setup(t)
			require.ErrorIs(t, g.k.InitGenesis(g.ctx, gs), want)
		})
	}
	_ = addr
}
