package keeper

import (
	"context"
	"encoding/hex"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// SubmitPoc judges a relayed PoC and records every verdict. Invalid reports
// are verdicts, not errors: the transaction fails only for a malformed
// message, a duplicate beacon or a store error.
func (s msgServer) SubmitPoc(ctx context.Context, msg *types.MsgSubmitPoc) (*types.MsgSubmitPocResponse, error) {
	k := s.k
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if _, err := k.addressCodec.StringToBytes(msg.Relayer); err != nil {
		return nil, sdkerrors.ErrInvalidAddress.Wrapf("relayer: %v", err)
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := msg.ValidateSizes(p.MaxWitnessesPerMsg); err != nil {
		return nil, err
	}
	// Verification cost grows with the witnesses; charge for it up front.
	sdkCtx.GasMeter().ConsumeGas(p.GasPerWitness*uint64(len(msg.Witnesses)), "poc witness verification")

	beacon := msg.Beacon.ToVerify()
	id := beacon.ID()
	if seen, err := k.Pocs.Has(ctx, id[:]); err != nil {
		return nil, err
	} else if seen {
		return nil, types.ErrDuplicateBeacon.Wrapf("beacon %x", id)
	}
	witnesses := make([]verify.Witness, len(msg.Witnesses))
	for i, w := range msg.Witnesses {
		witnesses[i] = w.ToVerify()
	}

	nowMs := sdkCtx.BlockTime().UnixMilli()
	view := &chainView{k: k, ctx: sdkCtx}
	v := verify.Judge(p.Verify(), view, beacon, witnesses, nowMs, verify.Options{})
	if view.err != nil {
		return nil, view.err
	}

	epoch := k.currentEpoch(sdkCtx, p)
	scale := uint32(verify.DefaultScale)
	if v.BeaconerKnown && v.Beaconer.Asserted {
		if scale, err = k.scaleOf(ctx, p, v.Beaconer.Location); err != nil {
			return nil, err
		}
	}
	seq, err := k.Seq.Next(ctx)
	if err != nil {
		return nil, err
	}
	seq++ // sequence numbers start at 1

	rec := types.PocRecord{
		BeaconId: id[:], Seq: seq, Beaconer: v.Beaconer.Address,
		EntropyHeight: beacon.EntropyHeight, EntropyHash: beacon.EntropyHash, TimestampNs: beacon.TimestampNs,
		FrequencyHz: beacon.FrequencyHz, TxPowerDbm: beacon.TxPowerDBm,
		Reason: types.Reason(v.BeaconReason), Side: types.Side(v.BeaconSide),
		RewardUnit: v.BeaconRewardUnit, HexScale: scale, Epoch: epoch, Height: sdkCtx.BlockHeight(),
		Selected: uint32(v.Selected), Relayer: msg.Relayer,
	}
	valid := uint32(0)
	for _, w := range v.Witnesses {
		if w.Reason != verify.ReasonSelfWitness {
			rec.WitnessReports++
		}
		if w.Reason == verify.Valid {
			valid++
		}
	}
	if err := k.Pocs.Set(ctx, id[:], rec); err != nil {
		return nil, err
	}
	if err := k.PocsByEpoch.Set(ctx, collections.Join(epoch, id[:])); err != nil {
		return nil, err
	}
	if rec.Beaconer != "" {
		if err := k.PocsByBeaconer.Set(ctx, collections.Join(rec.Beaconer, seq), id[:]); err != nil {
			return nil, err
		}
	}
	if err := k.storeWitnesses(sdkCtx, rec, msg.Witnesses, v); err != nil {
		return nil, err
	}
	if err := k.applyEffects(ctx, v, nowMs, epoch, scale); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventPocJudged{
		BeaconId: hex.EncodeToString(id[:]), Beaconer: rec.Beaconer, Reason: rec.Reason,
		WitnessReports: rec.WitnessReports, ValidWitnesses: valid, Selected: rec.Selected, Relayer: msg.Relayer,
	}); err != nil {
		return nil, err
	}
	return &types.MsgSubmitPocResponse{BeaconId: id[:], Reason: rec.Reason, Selected: rec.Selected}, nil
}

// storeWitnesses keeps one record per witness address: the report the
// rules kept (not a duplicate or forgery) when there are several.
func (k *Keeper) storeWitnesses(ctx sdk.Context, rec types.PocRecord, reports []types.WitnessReport, v verify.Verdict) error {
	chosen := map[string]int{}
	var order []string
	for i, w := range v.Witnesses {
		if !w.Stored {
			continue
		}
		addr := w.Address
		if addr == "" {
			a, err := hotspottypes.HotspotAddress(reports[i].Pubkey)
			if err != nil {
				continue // not even a key: nothing to file it under
			}
			addr = a
		}
		prev, seen := chosen[addr]
		if !seen {
			order = append(order, addr)
			chosen[addr] = i
			continue
		}
		pr := v.Witnesses[prev].Reason
		if pr == verify.ReasonDuplicate || pr == verify.ReasonBadSignature {
			chosen[addr] = i
		}
	}
	for _, addr := range order {
		i := chosen[addr]
		w, r := v.Witnesses[i], reports[i]
		wr := types.WitnessRecord{
			BeaconId: rec.BeaconId, Seq: rec.Seq, Beaconer: rec.Beaconer, Witness: addr,
			Reason: types.Reason(w.Reason), Side: types.Side(w.Side), RssiDdbm: r.RssiDdbm, SnrDdb: r.SnrDdb,
			FrequencyHz: r.FrequencyHz, DistanceM: w.DistanceM, MaxRssiUdbm: w.MaxRSSIMicroDBm,
			Selected: w.Selected, RewardUnit: w.RewardUnit, TimestampNs: r.TimestampNs, Height: rec.Height,
		}
		if err := k.Witnesses.Set(ctx, collections.Join3(rec.Beaconer, rec.Seq, addr), wr); err != nil {
			return err
		}
		if err := k.Witnessed.Set(ctx, collections.Join3(addr, rec.Seq, rec.Beaconer)); err != nil {
			return err
		}
		if err := ctx.EventManager().EmitTypedEvent(&types.EventWitnessJudged{
			BeaconId: hex.EncodeToString(rec.BeaconId), Witness: addr, Reason: wr.Reason, Side: wr.Side, Selected: wr.Selected,
		}); err != nil {
			return err
		}
	}
	return nil
}

// applyEffects records what later verdicts consult (interval bucket,
// reciprocity, activity for hex density) and accrues reward shares.
func (k *Keeper) applyEffects(ctx context.Context, v verify.Verdict, nowMs, epoch int64, scale uint32) error {
	update := func(addr string, f func(a *types.HotspotActivity)) error {
		if addr == "" {
			return nil
		}
		a, err := k.Activity.Get(ctx, addr)
		if err != nil && !isNotFound(err) {
			return err
		}
		a.Hotspot = addr
		f(&a)
		return k.Activity.Set(ctx, addr, a)
	}
	b := v.Beaconer.Address
	if err := update(b, func(a *types.HotspotActivity) {
		if v.UsedBucket {
			a.HasBucket, a.LastBeaconBucket = true, v.Bucket
		}
		if v.BeaconCounts {
			a.LastBeaconMs = nowMs
		}
		if v.BeaconReason == verify.Valid && v.Selected > 0 {
			a.LastWitnessedBeaconMs = nowMs
		}
	}); err != nil {
		return err
	}
	for _, w := range v.Witnesses {
		if w.PassedPhysical {
			if err := update(w.Address, func(a *types.HotspotActivity) { a.LastWitnessMs = nowMs }); err != nil {
				return err
			}
		}
	}
	if v.BeaconReason != verify.Valid {
		return nil
	}
	addShares := func(addr string, beacon, witness uint64) error {
		key := collections.Join(epoch, addr)
		sh, err := k.Shares.Get(ctx, key)
		if err != nil && !isNotFound(err) {
			return err
		}
		sh.Hotspot, sh.Epoch = addr, epoch
		sh.BeaconShares += beacon
		sh.WitnessShares += witness
		if err := k.Shares.Set(ctx, key, sh); err != nil {
			return err
		}
		tot, err := k.EpochTotals.Get(ctx, epoch)
		if err != nil && !isNotFound(err) {
			return err
		}
		tot.Epoch = epoch
		tot.BeaconShares += beacon
		tot.WitnessShares += witness
		return k.EpochTotals.Set(ctx, epoch, tot)
	}
	if v.BeaconRewardUnit > 0 {
		if err := addShares(b, uint64(scale)*uint64(v.BeaconRewardUnit), 0); err != nil {
			return err
		}
	}
	for _, w := range v.Witnesses {
		if w.Selected {
			if err := addShares(w.Address, 0, uint64(scale)*uint64(w.RewardUnit)); err != nil {
				return err
			}
		}
	}
	return nil
}
