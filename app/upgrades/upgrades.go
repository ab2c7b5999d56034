// Package upgrades holds one sub-package per named software upgrade. Each
// declares an Upgrade; app.Upgrades lists them, and app.go registers each
// with x/upgrade and installs its store loader when the node restarts at the
// upgrade height.
package upgrades

import (
	"context"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"
)

// Upgrade is one governance-scheduled upgrade.
type Upgrade struct {
	// Name must equal the plan name in the upgrade proposal.
	Name string
	// StoreUpgrades adds, renames or deletes module stores at the upgrade height.
	StoreUpgrades storetypes.StoreUpgrades
	// Handler runs once at the upgrade height. RunMigrations is the default.
	Handler func(mm *module.Manager, cfg module.Configurator) upgradetypes.UpgradeHandler
}

// RunMigrations is the handler most upgrades need: run every module's
// registered migrations from the stored version map.
func RunMigrations(mm *module.Manager, cfg module.Configurator) upgradetypes.UpgradeHandler {
	return func(ctx context.Context, _ upgradetypes.Plan, vm module.VersionMap) (module.VersionMap, error) {
		return mm.RunMigrations(ctx, cfg, vm)
	}
}
