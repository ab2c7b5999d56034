package keeper

import (
	"context"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// InitGenesis loads parameters and hotspots (indexes are rebuilt on Set).
func (k *Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, h := range gs.Hotspots {
		if _, err := k.addressCodec.StringToBytes(h.Owner); err != nil {
			return types.ErrInvalidGenesis.Wrapf("hotspot %s owner: %v", h.Address, err)
		}
		if err := k.Hotspots.Set(ctx, h.Address, h); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis writes parameters and every hotspot in address order.
func (k *Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p}
	err = k.Hotspots.Walk(ctx, nil, func(_ string, h types.Hotspot) (bool, error) {
		gs.Hotspots = append(gs.Hotspots, h)
		return false, nil
	})
	return gs, err
}
