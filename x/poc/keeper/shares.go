package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/pocnet/pocd/x/poc/types"
)

// EpochShareTotals is the sum of all hotspots' shares in an epoch.
func (k *Keeper) EpochShareTotals(ctx context.Context, epoch int64) (types.RewardShares, error) {
	t, err := k.EpochTotals.Get(ctx, epoch)
	if isNotFound(err) {
		return types.RewardShares{Epoch: epoch}, nil
	}
	return t, err
}

// SharesAfter returns up to limit hotspots' shares of an epoch, in address
// order, starting after the address `after` ("" for the first page). It is
// how x/rewards pays an epoch out a batch per block.
func (k *Keeper) SharesAfter(ctx context.Context, epoch int64, after string, limit int) ([]types.RewardShares, error) {
	rng := collections.NewPrefixedPairRange[int64, string](epoch)
	if after != "" {
		rng = rng.StartExclusive(after)
	}
	it, err := k.Shares.Iterate(ctx, rng)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []types.RewardShares
	for ; it.Valid() && len(out) < limit; it.Next() {
		v, err := it.Value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// HotspotShares returns one hotspot's shares in an epoch (zero if none).
func (k *Keeper) HotspotShares(ctx context.Context, epoch int64, hotspot string) (types.RewardShares, error) {
	sh, err := k.Shares.Get(ctx, collections.Join(epoch, hotspot))
	if isNotFound(err) {
		return types.RewardShares{Hotspot: hotspot, Epoch: epoch}, nil
	}
	return sh, err
}
