package keeper

import (
	"context"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/poc/types"
)

// UnregisterRelayer ends the signing operator's relayer registration.
func (s msgServer) UnregisterRelayer(ctx context.Context, msg *types.MsgUnregisterRelayer) (*types.MsgUnregisterRelayerResponse, error) {
	op, err := s.k.addressCodec.StringToBytes(msg.Operator)
	if err != nil {
		return nil, sdkerrors.ErrInvalidAddress.Wrapf("operator: %v", err)
	}
	val, err := s.k.valCodec.BytesToString(op)
	if err != nil {
		return nil, err
	}
	if has, err := s.k.Relayers.Has(ctx, val); err != nil {
		return nil, err
	} else if !has {
		return nil, types.ErrInvalidRelayer.Wrapf("%s has no registered relayer", val)
	}
	return &types.MsgUnregisterRelayerResponse{}, s.k.removeRelayer(ctx, val, "unregistered")
}
