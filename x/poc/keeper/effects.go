package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// applyEffects records what later verdicts consult (reciprocity, activity
// for hex density) and accrues reward shares. (The interval bucket was used
// when the PoC opened.)
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
	if v.BeaconCounts || (v.BeaconReason == verify.Valid && v.Selected > 0) {
		if err := update(b, func(a *types.HotspotActivity) {
			if v.BeaconCounts {
				a.LastBeaconMs = nowMs
			}
			if v.BeaconReason == verify.Valid && v.Selected > 0 {
				a.LastWitnessedBeaconMs = nowMs
			}
		}); err != nil {
			return err
		}
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
	if v.BeaconRewardUnit > 0 {
		if err := k.addShares(ctx, epoch, b, uint64(scale)*uint64(v.BeaconRewardUnit), 0); err != nil {
			return err
		}
	}
	for _, w := range v.Witnesses {
		if w.Selected {
			if err := k.addShares(ctx, epoch, w.Address, 0, uint64(scale)*uint64(w.RewardUnit)); err != nil {
				return err
			}
		}
	}
	return nil
}

// addShares accrues a hotspot's shares and the epoch's totals together.
func (k *Keeper) addShares(ctx context.Context, epoch int64, addr string, beacon, witness uint64) error {
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
