package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/uber/h3-go/v4"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
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

// hexRebuildStep walks up to hex_rebuild_per_block activity records,
// counting the active hotspots per resolution-11 cell in HexStaging; in
// the block after the walk ends it rolls the counts up and swaps them in:
// work proportional to the active res-11 cells (and the cells above them),
// not to every hotspot ever seen.
func (k *Keeper) hexRebuildStep(ctx sdk.Context, p types.Params) error {
	r, err := k.HexRebuild.Get(ctx)
	if isNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if r.Walked {
		return k.finishHexRebuild(ctx, p, r)
	}
	rng := new(collections.Range[string])
	if r.Cursor != "" {
		rng = rng.StartExclusive(r.Cursor)
	}
	it, err := k.Activity.Iterate(ctx, rng)
	if err != nil {
		return err
	}
	defer it.Close()
	walked := uint64(0)
	for ; it.Valid() && walked < p.HexRebuildPerBlock; it.Next() {
		kv, err := it.KeyValue()
		if err != nil {
			return err
		}
		walked++
		addr, a := kv.Key, kv.Value
		r.Cursor = addr
		if a.LastWitnessedBeaconMs == 0 || a.LastWitnessedBeaconMs < r.SinceMs {
			continue
		}
		hs, err := k.hotspots.GetHotspot(ctx, addr)
		if errors.Is(err, hotspottypes.ErrHotspotNotFound) {
			continue // no longer registered: not active
		} else if err != nil {
			return err
		}
		cell, err := hotspottypes.ParseLocation(hs.Location)
		if err != nil {
			continue
		}
		p11, err := h3.Cell(cell).Parent(verify.PopulationResolution)
		if err != nil {
			continue
		}
		n, err := k.HexStaging.Get(ctx, uint64(p11))
		if err != nil && !isNotFound(err) {
			return err
		}
		if err := k.HexStaging.Set(ctx, uint64(p11), n+1); err != nil {
			return err
		}
		r.Active++
	}
	r.Walked = !it.Valid()
	return k.HexRebuild.Set(ctx, r)
}

func (k *Keeper) finishHexRebuild(ctx sdk.Context, p types.Params, r types.HexRebuild) error {
	counts11 := map[uint64]uint64{}
	var cells11 []uint64
	err := k.HexStaging.Walk(ctx, nil, func(cell, n uint64) (bool, error) {
		counts11[cell] = n
		cells11 = append(cells11, cell) // in key order
		return false, nil
	})
	if err != nil {
		return err
	}
	m, err := verify.NewHexDensityMapFromCounts(p.VerifyHexParams(), cells11, counts11)
	if err != nil {
		return err
	}
	if err := k.HexCounts.Clear(ctx, nil); err != nil {
		return err
	}
	counts := m.Cells()
	for _, c := range counts {
		if err := k.HexCounts.Set(ctx, c.Cell, types.HexCount{
			Cell: c.Cell, Res: int32(c.Res), Unclipped: c.Unclipped, Occupied: c.Occupied, Limit: c.Limit, Clipped: c.Clipped,
		}); err != nil {
			return err
		}
	}
	if err := k.HexEpoch.Set(ctx, r.Epoch); err != nil {
		return err
	}
	if err := k.HexStaging.Clear(ctx, nil); err != nil {
		return err
	}
	if err := k.HexRebuild.Remove(ctx); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventHexScalesRecomputed{
		Epoch: r.Epoch, ActiveHotspots: r.Active, Cells: uint64(len(counts)),
	})
}
