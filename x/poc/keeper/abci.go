package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// BeginBlock records this block's hash as beacon entropy and forgets hashes
// too old to be valid entropy (older than twice the entropy lifespan).
// Recording them in state is what lets the chain check a beacon's entropy
// without trusting the relayer.
func (k *Keeper) BeginBlock(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	hash := sdkCtx.HeaderHash()
	if len(hash) == 0 {
		return nil // no hash in simulations and genesis
	}
	nowMs := sdkCtx.BlockTime().UnixMilli()
	if err := k.Entropy.Set(ctx, sdkCtx.BlockHeight(), types.BlockEntropy{
		Height: sdkCtx.BlockHeight(), Hash: hash, TimeMs: nowMs,
	}); err != nil {
		return err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	cutoff := nowMs - 2*p.EntropyLifespanMs
	it, err := k.Entropy.Iterate(ctx, nil)
	if err != nil {
		return err
	}
	var old []int64
	for ; it.Valid(); it.Next() {
		e, err := it.Value()
		if err != nil {
			it.Close()
			return err
		}
		if e.TimeMs >= cutoff {
			break
		}
		old = append(old, e.Height)
	}
	it.Close()
	for _, h := range old {
		if err := k.Entropy.Remove(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

// EndBlock closes the PoCs whose time has come and does a budget of the
// epoch-boundary maintenance (maintenance.go).
func (k *Keeper) EndBlock(ctx context.Context) error {
	if err := k.ClosePocs(ctx); err != nil {
		return err
	}
	return k.RunMaintenance(ctx)
}

// LatestEntropy is the newest recorded block hash.
func (k *Keeper) LatestEntropy(ctx context.Context) (types.BlockEntropy, error) {
	it, err := k.Entropy.Iterate(ctx, new(collections.Range[int64]).Descending())
	if err != nil {
		return types.BlockEntropy{}, err
	}
	defer it.Close()
	if !it.Valid() {
		return types.BlockEntropy{}, types.ErrPocNotFound.Wrap("no entropy recorded yet")
	}
	return it.Value()
}
