package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
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

	// Several edges in one message: every one is denied and announced.
	x := f.hotspot(t, "other", cellAt(t, 9, 0))
	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	edges := []types.Edge{{A: b, B: w}, {A: x, B: b}}
	_, err = f.msgs.AddToDenylist(f.ctx, &types.MsgAddToDenylist{Authority: f.gov, Edges: edges})
	require.NoError(t, err)
	dl, err = f.query.Denylist(f.ctx, &types.QueryDenylistRequest{})
	require.NoError(t, err)
	require.ElementsMatch(t, []types.Edge{types.CanonicalEdge(b, w), types.CanonicalEdge(x, b)}, dl.Edges)
	ev := typedEvents[*types.EventDenylistUpdated](t, f.ctx)
	require.Len(t, ev, 1)
	require.Equal(t, []*types.Edge{&edges[0], &edges[1]}, ev[0].AddedEdges)
	_, err = f.msgs.RemoveFromDenylist(f.ctx, &types.MsgRemoveFromDenylist{Authority: f.gov, Edges: edges})
	require.NoError(t, err)
	dl, err = f.query.Denylist(f.ctx, &types.QueryDenylistRequest{})
	require.NoError(t, err)
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
