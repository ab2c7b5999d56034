package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// Hooks runs x/poc's epoch-boundary work.
type Hooks struct{ k *Keeper }

var _ epochstypes.EpochHooks = Hooks{}

// Hooks returns the epoch hooks.
func (k *Keeper) Hooks() Hooks { return Hooks{k} }

// AfterEpochEnd recomputes the hex-density scales and prunes old records
// when a PoC epoch ends.
func (h Hooks) AfterEpochEnd(ctx context.Context, identifier string, epoch int64) error {
	p, err := h.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if identifier != p.EpochIdentifier {
		return nil
	}
	if err := h.k.RecomputeHexDensity(ctx, epoch); err != nil {
		return err
	}
	return h.k.Prune(ctx, epoch-int64(p.RetentionEpochs))
}

// BeforeEpochStart does nothing.
func (Hooks) BeforeEpochStart(context.Context, string, int64) error { return nil }

// RecomputeHexDensity rebuilds the HIP-17 counts from the hotspots with a
// valid, witnessed beacon within the activity window, iterating in key order.
func (k *Keeper) RecomputeHexDensity(ctx context.Context, epoch int64) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	since := sdkCtx.BlockTime().UnixMilli() - p.HexActivityWindowMs
	var locations []uint64
	err = k.Activity.Walk(ctx, nil, func(addr string, a types.HotspotActivity) (bool, error) {
		if a.LastWitnessedBeaconMs == 0 || a.LastWitnessedBeaconMs < since {
			return false, nil
		}
		hs, err := k.hotspots.GetHotspot(ctx, addr)
		if errors.Is(err, hotspottypes.ErrHotspotNotFound) {
			return false, nil // no longer registered: not active
		} else if err != nil {
			return true, err
		}
		if cell, err := hotspottypes.ParseLocation(hs.Location); err == nil {
			locations = append(locations, uint64(cell))
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	m, err := verify.NewHexDensityMap(p.VerifyHexParams(), locations)
	if err != nil {
		return err
	}
	if err := k.HexCounts.Clear(ctx, nil); err != nil {
		return err
	}
	cells := m.Cells()
	for _, c := range cells {
		if err := k.HexCounts.Set(ctx, c.Cell, types.HexCount{
			Cell: c.Cell, Res: int32(c.Res), Unclipped: c.Unclipped, Occupied: c.Occupied, Limit: c.Limit, Clipped: c.Clipped,
		}); err != nil {
			return err
		}
	}
	if err := k.HexEpoch.Set(ctx, epoch); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventHexScalesRecomputed{
		Epoch: epoch, ActiveHotspots: uint64(len(locations)), Cells: uint64(len(cells)),
	})
}

// Prune deletes PoC and witness records and reward shares of epochs before
// `before`, so state stays bounded by the retention parameter.
func (k *Keeper) Prune(ctx context.Context, before int64) error {
	if before <= 0 {
		return nil
	}
	rng := new(collections.Range[collections.Pair[int64, []byte]]).EndExclusive(collections.Join(before, []byte{}))
	keys, err := k.PocsByEpoch.Iterate(ctx, rng)
	if err != nil {
		return err
	}
	old, err := keys.Keys()
	if err != nil {
		return err
	}
	for _, key := range old {
		id := key.K2()
		rec, err := k.Pocs.Get(ctx, id)
		if err == nil {
			wit, err := k.Witnesses.Iterate(ctx, collections.NewSuperPrefixedTripleRange[string, uint64, string](rec.Beaconer, rec.Seq))
			if err != nil {
				return err
			}
			wkeys, err := wit.Keys()
			if err != nil {
				return err
			}
			for _, wk := range wkeys {
				if err := k.Witnesses.Remove(ctx, wk); err != nil {
					return err
				}
				if err := k.Witnessed.Remove(ctx, collections.Join3(wk.K3(), rec.Seq, rec.Beaconer)); err != nil {
					return err
				}
			}
			if rec.Beaconer != "" {
				if err := k.PocsByBeaconer.Remove(ctx, collections.Join(rec.Beaconer, rec.Seq)); err != nil {
					return err
				}
			}
			if err := k.Pocs.Remove(ctx, id); err != nil {
				return err
			}
		} else if !isNotFound(err) {
			return err
		}
		if err := k.PocsByEpoch.Remove(ctx, key); err != nil {
			return err
		}
	}
	srng := new(collections.Range[collections.Pair[int64, string]]).EndExclusive(collections.Join(before, ""))
	if err := k.Shares.Clear(ctx, srng); err != nil {
		return err
	}
	if err := k.EpochTotals.Clear(ctx, new(collections.Range[int64]).EndExclusive(before)); err != nil {
		return err
	}
	if len(old) > 0 {
		return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPocsPruned{ThroughEpoch: before - 1, Pocs: uint64(len(old))})
	}
	return nil
}
