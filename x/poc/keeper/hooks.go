package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// Hooks runs x/poc's epoch-boundary work.
type Hooks struct{ k *Keeper }

var _ epochstypes.EpochHooks = Hooks{}

// Hooks returns the epoch hooks.
func (k *Keeper) Hooks() Hooks { return Hooks{k} }

// AfterEpochEnd schedules the hex-density rebuild and the pruning of
// reward shares older than retention_epochs when a PoC epoch ends. Both
// then run a budget per block in EndBlock (maintenance.go): done here at
// once they would cost one block hundreds of millions of writes at the
// measured throughput, in the block that also settles the epoch's rewards.
// (PoC records are pruned by age in blocks, not at epoch ends.)
func (h Hooks) AfterEpochEnd(ctx context.Context, identifier string, epoch int64) error {
	p, err := h.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if identifier != p.EpochIdentifier {
		return nil
	}
	if err := h.k.StartHexRebuild(ctx, epoch); err != nil {
		return err
	}
	return advance(ctx, h.k.SharesPruneBefore, epoch-int64(p.RetentionEpochs))
}

// BeforeEpochStart does nothing.
func (Hooks) BeforeEpochStart(context.Context, string, int64) error { return nil }

// StartHexRebuild begins a rebuild of the HIP-17 counts from the hotspots
// with a valid, witnessed beacon within the activity window as of now. A
// rebuild still in progress finishes first and this one is skipped (the
// next epoch's end starts a fresh one): abandoning it would mean clearing
// its staging counts in this block. The stored counts stay in use until a
// rebuild completes.
func (k *Keeper) StartHexRebuild(ctx context.Context, epoch int64) error {
	if busy, err := k.HexRebuild.Has(ctx); err != nil || busy {
		return err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	since := sdk.UnwrapSDKContext(ctx).BlockTime().UnixMilli() - p.HexActivityWindowMs
	return k.HexRebuild.Set(ctx, types.HexRebuild{Epoch: epoch, SinceMs: since})
}

// advance moves a pruning mark forward to `before`, never back.
func advance(ctx context.Context, mark collections.Item[int64], before int64) error {
	cur, err := mark.Get(ctx)
	if err != nil && !isNotFound(err) {
		return err
	}
	if before <= cur {
		return nil
	}
	return mark.Set(ctx, before)
}
