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
	k.isolated(sdkCtx, "prune", func(c sdk.Context) error { return k.pruneStep(c, p) })
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

// pruneStep deletes up to budget entries: first PoC records (with their
// witness verdicts and indexes) past record_retention_blocks, then, with
// what is left of the budget, reward shares and totals of epochs before
// SharesPruneBefore and before the oldest epoch still queued for payout.
// The two are independent: records waiting for their beacons to go stale
// do not hold the shares back.
func (k *Keeper) pruneStep(ctx sdk.Context, p types.Params) error {
	budget := p.PrunePerBlock
	used, err := k.drainEpochIndex(ctx, budget)
	if err != nil || used >= budget {
		return err
	}
	pruned, err := k.prunePocs(ctx, p, budget-used)
	used += pruned
	if err != nil || used >= budget {
		return err
	}
	before, err := k.SharesPruneBefore.Get(ctx)
	if isNotFound(err) || before <= 0 {
		return nil
	} else if err != nil {
		return err
	}
	if k.payouts != nil {
		oldest, queued, err := k.payouts.OldestQueuedPayout(ctx)
		if err != nil {
			return err
		}
		if queued {
			before = min(before, oldest)
		}
	}
	rng := new(collections.Range[collections.Pair[int64, string]]).EndExclusive(collections.Join(before, ""))
	it, err := k.Shares.Iterate(ctx, rng)
	if err != nil {
		return err
	}
	keys, err := firstKeys(it, budget-used)
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := k.Shares.Remove(ctx, key); err != nil {
			return err
		}
	}
	used += uint64(len(keys))
	if used >= budget {
		return nil
	}
	return k.EpochTotals.Clear(ctx, new(collections.Range[int64]).EndExclusive(before))
}

// drainEpochIndex moves records of consensus version 3's epoch index to
// the height index, oldest epoch first, up to budget entries (two for each
// record moved, one for an index entry whose record is gone, which is
// dropped; an odd budget rounds up to a whole record), and returns how
// many it used. A record judged above the
// current height (an old chain's, imported by a zero-height genesis before
// genesis counted retention from its own height) counts from the current
// one. Empty after the v3 upgrade's records have moved, it costs one empty
// iteration a block.
func (k *Keeper) drainEpochIndex(ctx sdk.Context, budget uint64) (used uint64, err error) {
	it, err := k.LegacyPocsByEpoch.Iterate(ctx, nil)
	if err != nil {
		return 0, err
	}
	var keys []collections.Pair[int64, []byte]
	for ; it.Valid() && uint64(len(keys))*2 < budget; it.Next() {
		key, err := it.Key()
		if err != nil {
			it.Close()
			return 0, err
		}
		keys = append(keys, key)
	}
	it.Close()
	for _, key := range keys {
		if err := k.LegacyPocsByEpoch.Remove(ctx, key); err != nil {
			return 0, err
		}
		used++
		rec, err := k.Pocs.Get(ctx, key.K2())
		if isNotFound(err) {
			continue
		} else if err != nil {
			return 0, err
		}
		if err := k.PocsByHeight.Set(ctx, collections.Join(min(rec.Height, ctx.BlockHeight()), rec.BeaconId)); err != nil {
			return 0, err
		}
		used++
	}
	return used, nil
}

// prunePocs deletes PoC records judged record_retention_blocks or more
// blocks ago, oldest first, until it has deleted budget entries (the last
// PoC may take it past), and returns how many it deleted.
//
// A record is deleted only once its beacon can no longer be relayed
// (ErrStaleRelay: twice the entropy lifespan after its timestamp). The
// record is what refuses a second relay of a judged beacon; deleted
// earlier, a late relay would open and judge the beacon again and pay its
// shares twice. Heights alone do not ensure it: a short retention can
// pass in less time than that, on a network with fast blocks or with
// blocks that catch up after a halt. Pruning stops at such a record and
// goes on once the bound has passed, at most twice the entropy lifespan
// later: a relay is taken only after its beacon's timestamp, so a record
// stamped after the block time (only a genesis can hold one) is no reason
// to wait.
func (k *Keeper) prunePocs(ctx sdk.Context, p types.Params, budget uint64) (used uint64, err error) {
	// Validate caps the retention, so the subtraction cannot wrap.
	through := ctx.BlockHeight() - int64(p.RecordRetentionBlocks)
	rng := new(collections.Range[collections.Pair[int64, []byte]]).EndExclusive(collections.Join(through+1, []byte{}))
	it, err := k.PocsByHeight.Iterate(ctx, rng)
	if err != nil {
		return 0, err
	}
	nowMs := ctx.BlockTime().UnixMilli()
	type doomed struct {
		key collections.Pair[int64, []byte]
		rec *types.PocRecord // nil: the index entry outlived its record
	}
	var keys []doomed
	for ; it.Valid() && uint64(len(keys)) < budget; it.Next() {
		key, err := it.Key()
		if err != nil {
			it.Close()
			return 0, err
		}
		rec, err := k.Pocs.Get(ctx, key.K2())
		if err != nil && !isNotFound(err) {
			it.Close()
			return 0, err
		}
		// (An index entry left without its record reads a zero timestamp:
		// it never waits.)
		if age := nowMs - rec.TimestampNs/1e6; age >= 0 && age <= 2*p.EntropyLifespanMs {
			break
		}
		d := doomed{key: key}
		if err == nil {
			d.rec = &rec
		}
		keys = append(keys, d)
	}
	it.Close()
	pocs, reached := 0, int64(0)
	for _, d := range keys {
		if used >= budget {
			break
		}
		n, err := k.removePoc(ctx, d.key.K1(), d.key.K2(), d.rec)
		if err != nil {
			return 0, err
		}
		used += uint64(n)
		pocs++
		reached = d.key.K1()
	}
	if pocs > 0 {
		if err := ctx.EventManager().EmitTypedEvent(&types.EventPocsPruned{ThroughHeight: reached, Pocs: uint64(pocs)}); err != nil {
			return 0, err
		}
	}
	return used, nil
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
