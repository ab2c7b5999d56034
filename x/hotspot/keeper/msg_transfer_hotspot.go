package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// TransferHotspot hands a hotspot to new_owner; the asserted location stays.
// A new owner the bank refuses to send to (a module account) is refused.
func (s msgServer) TransferHotspot(ctx context.Context, msg *types.MsgTransferHotspot) (*types.MsgTransferHotspotResponse, error) {
	if _, err := s.k.addressCodec.StringToBytes(msg.Owner); err != nil {
		return nil, sdkerrors.ErrInvalidAddress.Wrapf("owner: %v", err)
	}
	newOwner, err := s.k.addressCodec.StringToBytes(msg.NewOwner)
	if err != nil {
		return nil, sdkerrors.ErrInvalidAddress.Wrapf("new_owner: %v", err)
	}
	// A module account as owner would make every reward payment to it fail.
	if err := s.k.CheckOwner(newOwner); err != nil {
		return nil, err
	}
	h, err := s.k.GetHotspot(ctx, msg.Hotspot)
	if err != nil {
		return nil, err
	}
	if h.Owner != msg.Owner {
		return nil, types.ErrNotOwner.Wrapf("%s is owned by %s", h.Address, h.Owner)
	}
	if s.k.transferHooks != nil {
		if err := s.k.transferHooks.BeforeHotspotTransfer(ctx, h.Address); err != nil {
			return nil, err
		}
	}
	h.Owner = msg.NewOwner
	if err := s.k.Hotspots.Set(ctx, h.Address, h); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventHotspotTransferred{
		Address: h.Address, From: msg.Owner, To: msg.NewOwner,
	}); err != nil {
		return nil, err
	}
	return &types.MsgTransferHotspotResponse{}, nil
}
