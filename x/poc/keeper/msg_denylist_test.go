package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/poc/types"
)

func TestDenylist(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)

	_, err := f.msgs.AddToDenylist(f.ctx, &types.MsgAddToDenylist{Authority: f.gov, Edges: []types.Edge{{A: w, B: b}}})
	require.NoError(t, err)
	dl, err := f.query.Denylist(f.ctx, &types.QueryDenylistRequest{})
	require.NoError(t, err)
	require.Equal(t, []types.Edge{types.CanonicalEdge(b, w)}, dl.Edges)

	beacon := f.beacon("beaconer", 1)
	require.Zero(t, f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950))).Selected)
	wr, err := f.query.Witnesses(f.ctx, &types.QueryWitnessesRequest{Hotspot: b})
	require.NoError(t, err)
	require.Equal(t, types.REASON_DENIED_EDGE, wr.Witnesses[0].Reason)

	_, err = f.msgs.AddToDenylist(f.ctx, &types.MsgAddToDenylist{Authority: f.gov, Hotspots: []string{b}})
	require.NoError(t, err)
	b2 := f.beacon("beaconer", 2)
	require.Equal(t, types.REASON_DENIED, f.judge(t, f.msg(b2)).Reason)

	_, err = f.msgs.RemoveFromDenylist(f.ctx, &types.MsgRemoveFromDenylist{Authority: f.gov, Hotspots: []string{b}, Edges: []types.Edge{{A: b, B: w}}})
	require.NoError(t, err)
	dl, err = f.query.Denylist(f.ctx, &types.QueryDenylistRequest{})
	require.NoError(t, err)
	require.Empty(t, dl.Hotspots)
	require.Empty(t, dl.Edges)

	for name, m := range map[string]*types.MsgAddToDenylist{
		"not the authority": {Authority: f.owner, Hotspots: []string{b}},
		"not an address":    {Authority: f.gov, Hotspots: []string{"nope"}},
		"self edge":         {Authority: f.gov, Edges: []types.Edge{{A: b, B: b}}},
	} {
		before := f.snapshot(t)
		_, err := f.msgs.AddToDenylist(f.ctx, m)
		if name == "not the authority" {
			require.ErrorIs(t, err, sdkerrors.ErrUnauthorized)
		} else {
			require.ErrorIs(t, err, types.ErrInvalidDenylist, name)
		}
		require.Equal(t, before, f.snapshot(t), name)
	}
}

func TestUpdateParams(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.MaxDistanceKm = 50
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: p})
	require.NoError(t, err)
	got, err := f.query.Params(f.ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, uint64(50), got.Params.MaxDistanceKm)

	bad := types.DefaultParams()
	bad.HexParams = nil
	_, err = f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: bad})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	_, err = f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.owner, Params: p})
	require.ErrorIs(t, err, sdkerrors.ErrUnauthorized)

	noEpoch := types.DefaultParams()
	noEpoch.EpochIdentifier = "fortnight"
	_, err = f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: noEpoch})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	gs := types.DefaultGenesis()
	gs.Params = noEpoch
	require.ErrorIs(t, setup(t).k.InitGenesis(f.ctx, *gs), types.ErrInvalidParams)
}
