package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/pocnet/pocd/x/rewards/types"
)

// InitGenesis loads the module state.
func (k *Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if _, err := k.epochSeconds(ctx, gs.Params); err != nil {
		return err
	}
	k.accounts.GetModuleAccount(ctx, types.ModuleName) // creates it
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.LastSettled.Set(ctx, gs.LastSettledEpoch); err != nil {
		return err
	}
	if err := k.Minted.Set(ctx, gs.Minted); err != nil {
		return err
	}
	for _, e := range gs.Epochs {
		if err := k.EpochRewards.Set(ctx, e.Epoch, e); err != nil {
			return err
		}
	}
	for _, r := range gs.HotspotRewards {
		if err := k.HotspotRewards.Set(ctx, collections.Join(r.Hotspot, r.Epoch), r); err != nil {
			return err
		}
	}
	for _, o := range gs.OwnerPaid {
		if err := k.OwnerPaid.Set(ctx, o.Owner, o.Amount); err != nil {
			return err
		}
	}
	for _, c := range gs.Payouts {
		if err := k.Payouts.Set(ctx, c.Epoch, c); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis writes the module state in key order.
func (k *Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p}
	if gs.LastSettledEpoch, err = k.LastSettled.Get(ctx); err != nil {
		return nil, err
	}
	if gs.Minted, err = k.Minted.Get(ctx); err != nil {
		return nil, err
	}
	if it, err := k.EpochRewards.Iterate(ctx, nil); err != nil {
		return nil, err
	} else if gs.Epochs, err = it.Values(); err != nil {
		return nil, err
	}
	if it, err := k.HotspotRewards.Iterate(ctx, nil); err != nil {
		return nil, err
	} else if gs.HotspotRewards, err = it.Values(); err != nil {
		return nil, err
	}
	if it, err := k.Payouts.Iterate(ctx, nil); err != nil {
		return nil, err
	} else if gs.Payouts, err = it.Values(); err != nil {
		return nil, err
	}
	err = k.OwnerPaid.Walk(ctx, nil, func(owner string, amount sdkmath.Int) (bool, error) {
		gs.OwnerPaid = append(gs.OwnerPaid, types.OwnerPaid{Owner: owner, Amount: amount})
		return false, nil
	})
	return gs, err
}
