package keeper

import (
	"context"
	"encoding/hex"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// ClosePocs judges the open PoCs whose close time has come, oldest first,
// until max_close_witnesses_per_block reports have been judged (at least
// one PoC closes per block, so a backlog always drains). It runs in
// EndBlock: the block's hash, unknown to every hotspot and relayer when
// the reports were signed and relayed, seeds the witness selection.
func (k *Keeper) ClosePocs(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	it, err := k.OpenPocs.Indexes.ByClose.Iterate(ctx, collections.NewPrefixUntilPairRange[int64, []byte](sdkCtx.BlockTime().UnixMilli()))
	if err != nil {
		return err
	}
	var due []types.OpenPoc
	budget := p.MaxCloseWitnessesPerBlock
	for ; it.Valid(); it.Next() {
		id, err := it.PrimaryKey()
		if err != nil {
			it.Close()
			return err
		}
		open, err := k.OpenPocs.Get(ctx, id)
		if err != nil {
			it.Close()
			return err
		}
		// Every PoC costs at least one unit: its record, effects and event.
		n := max(uint64(len(open.Witnesses)), 1)
		if len(due) > 0 && n > budget {
			break
		}
		due = append(due, open)
		budget -= min(n, budget)
	}
	it.Close()
	for _, open := range due {
		if err := k.closePoc(sdkCtx, p, open); err != nil {
			return err
		}
	}
	return nil
}

// closePoc judges an open PoC's witnesses and records every verdict, the
// effects later verdicts consult, and the reward shares.
func (k *Keeper) closePoc(ctx sdk.Context, p types.Params, open types.OpenPoc) error {
	beacon := open.Beacon.ToVerify()
	id := beacon.ID()
	witnesses := make([]verify.Witness, len(open.Witnesses))
	for i, w := range open.Witnesses {
		witnesses[i] = w.WithPayload(open.Beacon.Payload).ToVerify()
	}
	bv := verify.BeaconVerdict{
		BeaconReason: verify.Reason(open.BeaconReason), BeaconSide: verify.Side(open.BeaconSide),
		BeaconerKnown: open.BeaconReason != types.REASON_GATEWAY_NOT_FOUND,
		EntropyFound:  open.EntropyFound, EntropyMs: open.EntropyMs,
	}
	nowMs := ctx.BlockTime().UnixMilli()
	seed := verify.SelectionSeed(ctx.HeaderHash(), id)
	view := &chainView{k: k, ctx: ctx}
	// Every report an open PoC holds had its signature verified when it was
	// added (OpenPoc.AddWitnesses) or when its genesis was validated, so
	// closing does not verify them again. It did, through the verified-
	// signature cache, which a 4x overload evicts before the PoC closes:
	// 10 % of the node's CPU went to ed25519 on the thread that executes
	// blocks (docs/benchmarks.md, "Overload").
	v := verify.JudgeWitnesses(p.Verify(), view, beacon, bv, witnesses, nowMs, seed, verify.Options{SkipSignatures: true})
	if view.err != nil {
		return view.err
	}

	epoch := k.currentEpoch(ctx, p)
	scale := uint32(verify.DefaultScale)
	if v.BeaconerKnown && v.Beaconer.Asserted {
		var err error
		if scale, err = k.scaleOf(ctx, p, v.Beaconer.Location); err != nil {
			return err
		}
	}
	seq, err := k.Seq.Next(ctx)
	if err != nil {
		return err
	}
	seq++ // sequence numbers start at 1

	rec := types.PocRecord{
		BeaconId: id[:], Seq: seq, Beaconer: v.Beaconer.Address,
		EntropyHeight: beacon.EntropyHeight, EntropyHash: beacon.EntropyHash, TimestampNs: beacon.TimestampNs,
		FrequencyHz: beacon.FrequencyHz, TxPowerDbm: beacon.TxPowerDBm,
		Reason: types.Reason(v.BeaconReason), Side: types.Side(v.BeaconSide),
		RewardUnit: v.BeaconRewardUnit, HexScale: scale, Epoch: epoch, Height: ctx.BlockHeight(),
		Selected: uint32(v.Selected), OpenedHeight: open.OpenedHeight, SelectionSeed: seed[:],
	}
	rec.Relayer, rec.CoRelayers = open.Relayers()
	valid := uint32(0)
	for _, w := range v.Witnesses {
		if w.Reason != verify.ReasonSelfWitness {
			rec.WitnessReports++
		}
		if w.Reason == verify.Valid {
			valid++
		}
	}
	if err := k.putPoc(ctx, rec, rec.Height); err != nil {
		return err
	}
	if err := k.storeWitnesses(ctx, rec, open.Witnesses, v); err != nil {
		return err
	}
	if err := k.applyEffects(ctx, v, nowMs, epoch, scale); err != nil {
		return err
	}
	if err := k.OpenPocs.Remove(ctx, open.BeaconId); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventPocJudged{
		BeaconId: hex.EncodeToString(id[:]), Beaconer: rec.Beaconer, Reason: rec.Reason,
		WitnessReports: rec.WitnessReports, ValidWitnesses: valid, Selected: rec.Selected,
		Relayer: rec.Relayer, CoRelayers: rec.CoRelayers,
	})
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
		// Keep the report the rules kept: a valid one over any other, any
		// other over a duplicate.
		if pr := v.Witnesses[prev].Reason; pr == verify.ReasonDuplicate || (pr != verify.Valid && w.Reason == verify.Valid) {
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
		if err := k.putWitness(ctx, wr); err != nil {
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
