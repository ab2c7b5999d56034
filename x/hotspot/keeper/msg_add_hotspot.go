package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// AddHotspot registers a hotspot after checking the hotspot key's signature
// over AddHotspotSignBytes, and charges the onboarding fee. An owner the bank
// refuses to send to (a module account) is refused, as in TransferHotspot.
func (s msgServer) AddHotspot(ctx context.Context, msg *types.MsgAddHotspot) (*types.MsgAddHotspotResponse, error) {
	owner, err := s.k.addressCodec.StringToBytes(msg.Owner)
	if err != nil {
		return nil, sdkerrors.ErrInvalidAddress.Wrapf("owner: %v", err)
	}
	if err := s.k.CheckOwner(owner); err != nil {
		return nil, err
	}
	if err := types.CheckMode(msg.Mode); err != nil {
		return nil, err
	}
	addr, err := types.HotspotAddress(msg.HotspotPubkey)
	if err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := types.VerifyAddHotspotSignature(sdkCtx.ChainID(), msg.Owner, msg.HotspotPubkey, msg.Mode, msg.HotspotSignature); err != nil {
		return nil, err
	}
	exists, err := s.k.Hotspots.Has(ctx, addr)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, types.ErrDuplicateHotspot.Wrapf("%s is already registered", addr)
	}
	params, err := s.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if !params.OnboardingFee.IsZero() {
		if err := s.k.fees.FundCommunityPool(ctx, params.OnboardingFee, owner); err != nil {
			return nil, err
		}
	}
	h := types.Hotspot{
		Address:     addr,
		Name:        types.HotspotName(msg.HotspotPubkey),
		Owner:       msg.Owner,
		Pubkey:      msg.HotspotPubkey,
		Mode:        msg.Mode,
		AddedHeight: sdkCtx.BlockHeight(),
	}
	if err := s.k.Hotspots.Set(ctx, addr, h); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventHotspotAdded{
		Address: addr, Name: h.Name, Owner: h.Owner, Mode: h.Mode, Fee: params.OnboardingFee,
	}); err != nil {
		return nil, err
	}
	return &types.MsgAddHotspotResponse{Address: addr, Name: h.Name}, nil
}
