package keeper

import (
	"context"
	"encoding/hex"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// SubmitPoc relays a PoC. The first relay opens it: the beacon checks run
// and use up its interval bucket. Until it closes (close_grace_ms after the
// first relay's block time) relays from registered relayers add the
// witness reports they hold; it is judged once, when it closes (close.go).
// Invalid reports are verdicts, not errors: the transaction fails only for
// an unauthorized relayer, a malformed message, a beacon its hotspot did not
// sign, a closed beacon, a relay before the window can have closed, or a
// store error.
func (s msgServer) SubmitPoc(ctx context.Context, msg *types.MsgSubmitPoc) (*types.MsgSubmitPocResponse, error) {
	k := s.k
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	r, err := k.checkRelay(sdkCtx, p, msg)
	if err != nil {
		return nil, err
	}
	// Verification cost grows with the witnesses; charge for it up front.
	sdkCtx.GasMeter().ConsumeGas(p.GasPerWitness*uint64(len(msg.Witnesses)), "poc witness verification")
	if r.found {
		return k.addWitnesses(sdkCtx, p, r, msg)
	}
	return k.openPoc(sdkCtx, p, r, msg)
}

// relay is what checkRelay learned about an acceptable relay.
type relay struct {
	validator string        // the validator the relayer relays for
	open      types.OpenPoc // the open PoC it adds to, when found
	found     bool
}

// checkRelay is everything that refuses a relay outright. The ante handler
// runs it too, so CheckTx keeps refused relays out of the mempool. It
// returns the relayer's validator and the open PoC the relay adds to, if any.
func (k *Keeper) checkRelay(ctx sdk.Context, p types.Params, msg *types.MsgSubmitPoc) (relay, error) {
	if _, err := k.addressCodec.StringToBytes(msg.Relayer); err != nil {
		return relay{}, sdkerrors.ErrInvalidAddress.Wrapf("relayer: %v", err)
	}
	val, err := k.requireRelayer(ctx, msg.Relayer)
	if err != nil {
		return relay{}, err
	}
	r := relay{validator: val}
	if err := msg.ValidateSizes(p.MaxWitnessesPerMsg); err != nil {
		return relay{}, err
	}
	beacon := msg.Beacon.ToVerify()
	// A beacon its hotspot did not sign is not a verdict: recording it would
	// let anyone use up the real beacon's ID and the hotspot's interval.
	if !beacon.VerifySignature() {
		return relay{}, types.ErrBadBeaconSignature
	}
	id := beacon.ID()
	if seen, err := k.Pocs.Has(ctx, id[:]); err != nil {
		return relay{}, err
	} else if seen {
		return relay{}, types.ErrDuplicateBeacon.Wrapf("beacon %x is already judged", id)
	}
	nowMs := ctx.BlockTime().UnixMilli()
	open, err := k.OpenPocs.Get(ctx, id[:])
	if err == nil {
		if nowMs >= open.CloseAtMs {
			return relay{}, types.ErrDuplicateBeacon.Wrapf("beacon %x closed at %d ms", id, open.CloseAtMs)
		}
		r.open, r.found = open, true
		return r, nil
	} else if !isNotFound(err) {
		return relay{}, err
	}
	// A relay before the window can have closed cannot hold every timely
	// report: it could only fix a partial witness set.
	tsMs := beacon.TimestampNs / 1e6
	if windowEnd := tsMs + p.WitnessLagMs; nowMs < windowEnd {
		return relay{}, types.ErrRelayTooEarly.Wrapf("beacon %x: window closes at %d ms, block time %d ms", id, windowEnd, nowMs)
	}
	// A beacon older than its entropy can be kept is long judged (and
	// perhaps pruned): reopening it would only write junk history.
	if nowMs-tsMs > 2*p.EntropyLifespanMs {
		return relay{}, types.ErrStaleRelay.Wrapf("beacon %x is %d ms old", id, nowMs-tsMs)
	}
	return r, nil
}

// openPoc runs the beacon checks, uses up the interval bucket and keeps the
// PoC open for more witness reports.
func (k *Keeper) openPoc(ctx sdk.Context, p types.Params, r relay, msg *types.MsgSubmitPoc) (*types.MsgSubmitPocResponse, error) {
	beacon := msg.Beacon.ToVerify()
	id := beacon.ID()
	nowMs := ctx.BlockTime().UnixMilli()
	view := &chainView{k: k, ctx: ctx}
	bv := verify.JudgeBeacon(p.Verify(), view, beacon, nowMs, verify.Options{})
	if view.err != nil {
		return nil, view.err
	}
	if bv.UsedBucket {
		if err := k.useBucket(ctx, bv.Beaconer.Address, bv.Bucket); err != nil {
			return nil, err
		}
	}
	// Open for close_grace_ms from now, so other validators always get the
	// grace to add what they hold. The witness window has closed by now:
	// checkRelay refuses a relay before it can have (ErrRelayTooEarly).
	open := types.OpenPoc{
		BeaconId: id[:], Beacon: msg.Beacon,
		BeaconReason: types.Reason(bv.BeaconReason), BeaconSide: types.Side(bv.BeaconSide),
		EntropyFound: bv.EntropyFound, EntropyMs: bv.EntropyMs,
		CloseAtMs: nowMs + p.CloseGraceMs, OpenedHeight: ctx.BlockHeight(),
	}
	added, _ := open.AddWitnesses(r.validator, msg.Relayer, msg.Witnesses, p.MaxWitnessesPerMsg, view.registered)
	if view.err != nil {
		return nil, view.err
	}
	if err := k.OpenPocs.Set(ctx, id[:], open); err != nil {
		return nil, err
	}
	if err := ctx.EventManager().EmitTypedEvent(&types.EventPocOpened{
		BeaconId: hex.EncodeToString(id[:]), Beaconer: bv.Beaconer.Address, Relayer: msg.Relayer,
		WitnessReports: uint32(added), CloseAtMs: open.CloseAtMs,
	}); err != nil {
		return nil, err
	}
	return &types.MsgSubmitPocResponse{BeaconId: id[:]}, nil
}

// addWitnesses adds a relayer's reports to an open PoC, within its
// validator's allowance (types.OpenPoc.AddWitnesses says what is kept).
func (k *Keeper) addWitnesses(ctx sdk.Context, p types.Params, r relay, msg *types.MsgSubmitPoc) (*types.MsgSubmitPocResponse, error) {
	open := r.open
	contributors := len(open.Relays)
	view := &chainView{k: k, ctx: ctx}
	added, ignored := open.AddWitnesses(r.validator, msg.Relayer, msg.Witnesses, p.MaxWitnessesPerMsg, view.registered)
	if view.err != nil {
		return nil, view.err
	}
	// A validator's first relay is recorded even when it adds nothing (it
	// usually holds what the opener held): its ingest sees its relay landed
	// and need not send it again.
	if added > 0 || len(open.Relays) > contributors {
		if err := k.OpenPocs.Set(ctx, open.BeaconId, open); err != nil {
			return nil, err
		}
	}
	if err := ctx.EventManager().EmitTypedEvent(&types.EventPocWitnessesAdded{
		BeaconId: hex.EncodeToString(open.BeaconId), Relayer: msg.Relayer, Added: uint32(added), Ignored: uint32(ignored),
	}); err != nil {
		return nil, err
	}
	return &types.MsgSubmitPocResponse{BeaconId: open.BeaconId}, nil
}

// useBucket records an authentic beacon attempt's interval bucket. The
// stored bucket never moves backwards.
func (k *Keeper) useBucket(ctx context.Context, addr string, bucket int64) error {
	a, err := k.Activity.Get(ctx, addr)
	if err != nil && !isNotFound(err) {
		return err
	}
	if a.HasBucket && a.LastBeaconBucket >= bucket {
		return nil
	}
	a.Hotspot, a.HasBucket, a.LastBeaconBucket = addr, true, bucket
	return k.Activity.Set(ctx, addr, a)
}
