package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/geo"
	"github.com/pocnet/pocd/x/hotspot/types"
)

// AssertLocation sets location, gain, elevation and region. The location fee
// is charged only when the cell changes; gain/elevation/region-only updates
// are free but still count in the nonce.
func (s msgServer) AssertLocation(ctx context.Context, msg *types.MsgAssertLocation) (*types.MsgAssertLocationResponse, error) {
	owner, err := s.k.addressCodec.StringToBytes(msg.Owner)
	if err != nil {
		return nil, sdkerrors.ErrInvalidAddress.Wrapf("owner: %v", err)
	}
	h, err := s.k.GetHotspot(ctx, msg.Hotspot)
	if err != nil {
		return nil, err
	}
	if h.Owner != msg.Owner {
		return nil, types.ErrNotOwner.Wrapf("%s is owned by %s", h.Address, h.Owner)
	}
	cell, err := types.ParseLocation(msg.Location)
	if err != nil {
		return nil, err
	}
	params, err := s.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := params.CheckGain(msg.Gain); err != nil {
		return nil, err
	}
	if err := params.CheckElevation(msg.Elevation); err != nil {
		return nil, err
	}
	if _, ok := params.RegionPlan(msg.Region); !ok {
		return nil, types.ErrUnknownRegion.Wrapf("%q is not a region plan in params", msg.Region)
	}
	location := cell.String()
	changed := location != h.Location
	fee := sdk.NewCoins()
	if changed && !params.LocationFee.IsZero() {
		fee = params.LocationFee
		if err := s.k.fees.FundCommunityPool(ctx, fee, owner); err != nil {
			return nil, err
		}
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h.Location = location
	if changed {
		c := geo.CellCenter(uint64(cell))
		h.LocationCenter = types.Vec3{X: c.X, Y: c.Y, Z: c.Z}
	}
	h.Gain = msg.Gain
	h.Elevation = msg.Elevation
	h.Region = msg.Region
	h.LocationNonce++
	h.AssertedHeight = sdkCtx.BlockHeight()
	if err := s.k.Hotspots.Set(ctx, h.Address, h); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventLocationAsserted{
		Address: h.Address, Owner: h.Owner, Location: location, Gain: h.Gain, Elevation: h.Elevation,
		Region: h.Region, Nonce: h.LocationNonce, LocationChanged: changed, Fee: fee,
	}); err != nil {
		return nil, err
	}
	return &types.MsgAssertLocationResponse{Nonce: h.LocationNonce}, nil
}
