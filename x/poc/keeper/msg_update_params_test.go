package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/poc/types"
)

func TestUpdateParams(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.MaxDistanceKm = 50
	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: p})
	require.NoError(t, err)
	require.Equal(t, []*types.EventParamsUpdated{{Authority: f.gov}}, typedEvents[*types.EventParamsUpdated](t, f.ctx),
		"a rule change is announced")
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
