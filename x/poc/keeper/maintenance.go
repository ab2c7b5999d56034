package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// RunMaintenance does one block's budget of pruning and of the hex-density
// rebuild. Each task runs in its own cached context: a task that fails is
// rolled back, reported as EventMaintenanceFailed and retried next block,
// and never takes the block's other work (PoC closing, reward settlement
// and payouts) down with it.
func (k *Keeper) RunMaintenance(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	k.isolated(sdkCtx, "prune", func(c sdk.Context) error { return k.pruneStep(c, p.PrunePerBlock) })
	k.isolated(sdkCtx, "hex_rebuild", func(c sdk.Context) error { return k.hexRebuildStep(c, p) })
	return nil
}

func (k *Keeper) isolated(ctx sdk.Context, task string, f func(sdk.Context) error) {
	cache, write := ctx.CacheContext()
	if err := f(cache); err != nil {
		ctx.Logger().Error("x/poc maintenance step failed; retried next block", "task", task, "err", err)
		_ = ctx.EventManager().EmitTypedEvent(&types.EventMaintenanceFailed{Task: task, Error: err.Error()})
		return
	}
	write()
}

// pruneStep deletes up to budget entries of records of epochs before the
// prune mark: PoCs with their witness verdicts and indexes first, then the
// epochs' reward shares and totals.
func (k *Keeper) pruneStep(ctx sdk.Context, budget uint64) error {
	before, err := k.PruneBefore.Get(ctx)
	if isNotFound(err) || before <= 0 {
		return nil
	} else if err != nil {
		return err
	}
	rng := new(collections.Range[collections.Pair[int64, []byte]]).EndExclusive(collections.Join(before, []byte{}))
	it, err := k.PocsByEpoch.Iterate(ctx, rng)
	if err != nil {
		return err
	}
	var keys []collections.Pair[int64, []byte]
	for ; it.Valid() && uint64(len(keys)) < budget; it.Next() {
		key, err := it.Key()
		if err != nil {
			it.Close()
			return err
		}
		keys = append(keys, key)
	}
	it.Close()
	var used uint64
	pocs := 0
	for _, key := range keys {
		if used >= budget {
			break
		}
		n, err := k.removePoc(ctx, key.K1(), key.K2())
		if err != nil {
			return err
		}
		used += uint64(n)
		pocs++
	}
	if pocs > 0 {
		if err := ctx.EventManager().EmitTypedEvent(&types.EventPocsPruned{ThroughEpoch: before - 1, Pocs: uint64(pocs)}); err != nil {
			return err
		}
	}
	if pocs < len(keys) || used >= budget {
		return nil // more PoCs next block
	}
	if len(keys) == int(budget) {
		return nil
	}
	// PoCs done: shares and totals, within what is left of the budget.
	srng := new(collections.Range[collections.Pair[int64, string]]).EndExclusive(collections.Join(before, ""))
	sit, err := k.Shares.Iterate(ctx, srng)
	if err != nil {
		return err
	}
	skeys, err := firstKeys(sit, budget-used)
	if err != nil {
		return err
	}
	for _, sk := range skeys {
		if err := k.Shares.Remove(ctx, sk); err != nil {
			return err
		}
	}
	used += uint64(len(skeys))
	if used >= budget {
		return nil
	}
	return k.EpochTotals.Clear(ctx, new(collections.Range[int64]).EndExclusive(before))
}

func firstKeys[K, V any](it collections.Iterator[K, V], n uint64) ([]K, error) {
	defer it.Close()
	var out []K
	for ; it.Valid() && uint64(len(out)) < n; it.Next() {
		k, err := it.Key()
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}
