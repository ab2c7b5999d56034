package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/poc/types"
)

// RegisterRelayer makes msg.Relayer the one relay account of the bonded
// validator whose operator signs, and msg.IngestPeer (optional) the peer ID
// of its ingest host, replacing the previous registration whole: leaving
// IngestPeer empty withdraws a previously registered one.
func (s msgServer) RegisterRelayer(ctx context.Context, msg *types.MsgRegisterRelayer) (*types.MsgRegisterRelayerResponse, error) {
	k := s.k
	op, err := k.addressCodec.StringToBytes(msg.Operator)
	if err != nil {
		return nil, sdkerrors.ErrInvalidAddress.Wrapf("operator: %v", err)
	}
	if _, err := k.addressCodec.StringToBytes(msg.Relayer); err != nil {
		return nil, sdkerrors.ErrInvalidAddress.Wrapf("relayer: %v", err)
	}
	if err := types.ValidateIngestPeer(msg.IngestPeer); err != nil {
		return nil, err
	}
	val, err := k.valCodec.BytesToString(op)
	if err != nil {
		return nil, err
	}
	bonded, err := k.validatorBonded(ctx, val)
	if err != nil {
		return nil, err
	}
	if !bonded {
		return nil, types.ErrInvalidRelayer.Wrapf("%s is not a bonded validator", val)
	}
	if other, err := k.Relayers.Indexes.Account.MatchExact(ctx, msg.Relayer); err == nil && other != val {
		return nil, types.ErrInvalidRelayer.Wrapf("%s already relays for %s", msg.Relayer, other)
	} else if err != nil && !isNotFound(err) {
		return nil, err
	}
	if other, err := k.Relayers.Indexes.IngestPeer.MatchExact(ctx, msg.IngestPeer); err == nil && other != val {
		return nil, types.ErrInvalidIngestPeer.Wrapf("%s is the ingest peer of %s", msg.IngestPeer, other)
	} else if err != nil && !isNotFound(err) {
		return nil, err
	}
	prev, err := k.Relayers.Get(ctx, val)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	reg := types.RelayerRegistration{Validator: val, Relayer: msg.Relayer, Height: sdkCtx.BlockHeight(), IngestPeer: msg.IngestPeer}
	if err := k.Relayers.Set(ctx, val, reg); err != nil {
		return nil, err
	}
	return &types.MsgRegisterRelayerResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventRelayerRegistered{
		Validator: val, Relayer: msg.Relayer, Replaced: prev.Relayer,
		IngestPeer: msg.IngestPeer, ReplacedIngestPeer: prev.IngestPeer,
	})
}
