package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// Migrator holds the store migrations of x/hotspot, one method per
// consensus version step, registered in module.go.
type Migrator struct{ k *Keeper }

// NewMigrator returns the migrator for k.
func NewMigrator(k *Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 (the v2 upgrade) adds params.max_elevation. A chain that
// started before it stores params without the field, which decodes as 0: an
// invalid bound that would refuse every elevation above ground. The
// migration sets the default and leaves every hotspot record as it is; a
// hotspot asserted higher keeps its elevation until its next assertion.
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if params.MaxElevation == 0 {
		params.MaxElevation = types.DefaultMaxElevation
	}
	if err := params.Validate(); err != nil {
		return err
	}
	return m.k.Params.Set(ctx, params)
}
