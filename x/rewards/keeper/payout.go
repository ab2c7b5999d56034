package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/telemetry"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/rewards/types"
)

// EndBlock pays at most payout_batch_size hotspots of the oldest epoch
// being paid, so a settlement with any number of hotspots never stalls a
// block; the rest follow in the next blocks. The first batch is paid in the
// settlement block itself.
func (k *Keeper) EndBlock(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	budget := int(p.PayoutBatchSize)
	for budget > 0 {
		it, err := k.Payouts.Iterate(ctx, nil)
		if err != nil {
			return err
		}
		if !it.Valid() {
			it.Close()
			return nil
		}
		cur, err := it.Value()
		it.Close()
		if err != nil {
			return err
		}
		// A payout error must not halt the chain: the batch is discarded,
		// reported, and retried next block.
		sdkCtx := sdk.UnwrapSDKContext(ctx)
		cacheCtx, write := sdkCtx.CacheContext()
		n, done, err := k.payBatchSafely(cacheCtx, cur, budget)
		if err != nil {
			sdkCtx.Logger().Error("rewards: payout failed", "epoch", cur.Epoch, "err", err)
			telemetry.IncrCounter(1, types.ModuleName, "payout_failed") //nolint:staticcheck // read by the SDK's Prometheus sink
			return nil
		}
		write()
		budget -= n
		if !done {
			return nil
		}
	}
	return nil
}

func (k *Keeper) payBatchSafely(ctx context.Context, cur types.PayoutCursor, limit int) (n int, done bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return k.payBatch(ctx, cur, limit)
}

// payBatch pays up to limit hotspots of an epoch and finishes the epoch when
// none are left.
func (k *Keeper) payBatch(ctx context.Context, cur types.PayoutCursor, limit int) (int, bool, error) {
	er, err := k.EpochRewards.Get(ctx, cur.Epoch)
	if err != nil {
		return 0, false, err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return 0, false, err
	}
	shares, err := k.poc.SharesAfter(ctx, cur.Epoch, cur.After, limit)
	if err != nil {
		return 0, false, err
	}
	for _, sh := range shares {
		if err := k.payHotspot(ctx, &er, sh, p.HistoryEpochs); err != nil {
			return 0, false, err
		}
		cur.After = sh.Hotspot
	}
	if len(shares) == limit {
		if err := k.EpochRewards.Set(ctx, cur.Epoch, er); err != nil {
			return 0, false, err
		}
		return len(shares), false, k.Payouts.Set(ctx, cur.Epoch, cur)
	}
	// Every hotspot is paid: what is left of the pools is dust.
	er.Dust = er.BeaconPool.Add(er.WitnessPool).Sub(er.Paid)
	if er.Dust.IsPositive() {
		if err := k.pool.FundCommunityPool(ctx, k.coins(er.Dust), k.moduleAddr); err != nil {
			return 0, false, err
		}
	}
	er.PaidOut = true
	if err := k.EpochRewards.Set(ctx, cur.Epoch, er); err != nil {
		return 0, false, err
	}
	if err := k.Payouts.Remove(ctx, cur.Epoch); err != nil {
		return 0, false, err
	}
	return len(shares), true, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventEpochPaidOut{
		Epoch: cur.Epoch, Paid: er.Paid.String(), Dust: er.Dust.String(),
	})
}

// amounts is what a hotspot's shares are worth in a settled epoch.
func amounts(er types.EpochRewards, sh poctypes.RewardShares) (beacon, witness sdkmath.Int) {
	beacon = er.BeaconRate.MulInt64(int64(sh.BeaconShares)).TruncateInt()
	witness = er.WitnessRate.MulInt64(int64(sh.WitnessShares)).TruncateInt()
	return
}

// payHotspot pays a hotspot's owner for one epoch, once. A hotspot that was
// paid early (at a transfer) is skipped; one without an owner leaves its
// amount to the dust. A payment that cannot be sent to this owner (the bank
// refuses the recipient, e.g. a module account, or the send fails for it) is
// skipped as well: EventPayoutSkipped, a HotspotReward record marked
// skipped so the epoch never pays it again, and the amount left in the
// epoch's unpaid remainder, which goes to the community pool as dust when
// the epoch is paid out. So no owner can stop a batch. Only a shortage in
// the module account itself, which no owner causes and which would refuse
// every payment, still fails the batch (it is retried next block).
func (k *Keeper) payHotspot(ctx context.Context, er *types.EpochRewards, sh poctypes.RewardShares, historyEpochs uint64) error {
	key := collections.Join(sh.Hotspot, er.Epoch)
	if paid, err := k.HotspotRewards.Has(ctx, key); err != nil || paid {
		return err
	}
	h, err := k.hotspots.GetHotspot(ctx, sh.Hotspot)
	if errors.Is(err, hotspottypes.ErrHotspotNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	rec := types.HotspotReward{
		Hotspot: sh.Hotspot, Epoch: er.Epoch, Owner: h.Owner, BeaconShares: sh.BeaconShares, WitnessShares: sh.WitnessShares,
		BeaconAmount: sdkmath.ZeroInt(), WitnessAmount: sdkmath.ZeroInt(), PaidHeight: sdkCtx.BlockHeight(),
	}
	b, w := amounts(*er, sh)
	total := b.Add(w)
	if err := k.sendTo(ctx, h.Owner, total); errors.Is(err, sdkerrors.ErrInsufficientFunds) {
		return err // the module account is short: nobody can be paid, retry the batch
	} else if err != nil {
		rec.Skipped = err.Error()
		sdkCtx.Logger().Info("rewards: payout skipped", "epoch", er.Epoch, "hotspot", sh.Hotspot, "owner", h.Owner, "amount", total, "err", err)
		telemetry.IncrCounter(1, types.ModuleName, "payout_skipped") //nolint:staticcheck // read by the SDK's Prometheus sink
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventPayoutSkipped{
			Epoch: er.Epoch, Hotspot: sh.Hotspot, Owner: h.Owner, Amount: total.String(), Reason: rec.Skipped,
		}); err != nil {
			return err
		}
	} else {
		rec.BeaconAmount, rec.WitnessAmount = b, w
		er.Paid = er.Paid.Add(total)
		prev, err := k.OwnerPaid.Get(ctx, h.Owner)
		if errors.Is(err, collections.ErrNotFound) {
			prev, err = sdkmath.ZeroInt(), nil
		}
		if err != nil {
			return err
		}
		if err := k.OwnerPaid.Set(ctx, h.Owner, prev.Add(total)); err != nil {
			return err
		}
	}
	// Bounded history: the hotspot's record from history_epochs ago goes as
	// this one arrives (one delete per payment, so pruning is batched too),
	// unless that epoch is still queued for payout: the record is what stops
	// the hotspot being paid for it twice.
	if old := er.Epoch - int64(historyEpochs); old > 0 {
		queued, err := k.Payouts.Has(ctx, old)
		if err != nil {
			return err
		}
		if !queued {
			if err := k.HotspotRewards.Remove(ctx, collections.Join(sh.Hotspot, old)); err != nil {
				return err
			}
		}
	}
	return k.HotspotRewards.Set(ctx, key, rec)
}

// sendTo sends amount bones from the module account to owner in a cache
// context, so a send that fails leaves no partial state behind.
func (k *Keeper) sendTo(ctx context.Context, owner string, amount sdkmath.Int) error {
	if !amount.IsPositive() {
		return nil
	}
	addr, err := k.addressCodec.StringToBytes(owner)
	if err != nil {
		return fmt.Errorf("owner %q: %w", owner, err)
	}
	cacheCtx, write := sdk.UnwrapSDKContext(ctx).CacheContext()
	if err := k.bank.SendCoinsFromModuleToAccount(cacheCtx, types.ModuleName, addr, k.coins(amount)); err != nil {
		return err
	}
	write()
	return nil
}

// BeforeHotspotTransfer pays a hotspot's settled, not yet paid rewards to
// its current owner, so the owner at settlement time is the one paid even
// when a transfer lands while an epoch is being paid out.
func (k *Keeper) BeforeHotspotTransfer(ctx context.Context, hotspot string) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	it, err := k.Payouts.Iterate(ctx, nil)
	if err != nil {
		return err
	}
	cursors, err := it.Values()
	if err != nil {
		return err
	}
	for _, cur := range cursors {
		if cur.After != "" && hotspot <= cur.After {
			continue // already reached by the batch payout
		}
		sh, err := k.poc.HotspotShares(ctx, cur.Epoch, hotspot)
		if err != nil {
			return err
		}
		if sh.BeaconShares == 0 && sh.WitnessShares == 0 {
			continue
		}
		er, err := k.EpochRewards.Get(ctx, cur.Epoch)
		if err != nil {
			return err
		}
		if err := k.payHotspot(ctx, &er, sh, p.HistoryEpochs); err != nil {
			return err
		}
		if err := k.EpochRewards.Set(ctx, cur.Epoch, er); err != nil {
			return err
		}
	}
	return nil
}

// OldestQueuedPayout is the oldest settled epoch not yet paid out in full.
// x/poc keeps its shares, and every later epoch's, until then.
func (k *Keeper) OldestQueuedPayout(ctx context.Context) (int64, bool, error) {
	it, err := k.Payouts.Iterate(ctx, nil)
	if err != nil {
		return 0, false, err
	}
	defer it.Close()
	if !it.Valid() {
		return 0, false, nil
	}
	epoch, err := it.Key()
	return epoch, err == nil, err
}
