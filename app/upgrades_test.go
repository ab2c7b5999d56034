package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/app/upgrades"
	v2 "github.com/pocnet/pocd/app/upgrades/v2"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

// Anything listed in app.Upgrades gets a handler registered with x/upgrade
// when the app is built; nothing else does.
func TestUpgradesAreRegistered(t *testing.T) {
	saved := app.Upgrades
	t.Cleanup(func() { app.Upgrades = saved })
	app.Upgrades = append(app.Upgrades, upgrades.Upgrade{Name: "v3-test"})

	a := newApp(t)
	require.True(t, a.UpgradeKeeper.HasHandler(v2.Name))
	require.True(t, a.UpgradeKeeper.HasHandler("v3-test"))
	require.False(t, a.UpgradeKeeper.HasHandler("never-declared"))
}

// The v2 plan, applied by the real upgrade keeper to a chain whose stored
// version map says x/hotspot is at v1, runs x/hotspot's migration: the
// params gain max_elevation, the version map moves to 2, hotspots stay.
func TestUpgradeV2MigratesHotspotParams(t *testing.T) {
	w := newWired(t)
	hs := w.addHotspot(t, "upgrade-a", acct("owner"))
	// The state a v1 binary leaves: params without the field, version 1.
	p, err := w.a.HotspotKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	p.MaxElevation = 0
	require.NoError(t, w.a.HotspotKeeper.Params.Set(w.ctx, p))
	vm := w.a.ModuleManager.GetVersionMap()
	vm[hotspottypes.ModuleName] = 1
	require.NoError(t, w.a.UpgradeKeeper.SetModuleVersionMap(w.ctx, vm))
	before, err := w.a.HotspotKeeper.GetHotspot(w.ctx, hs)
	require.NoError(t, err)

	require.NoError(t, w.a.UpgradeKeeper.ApplyUpgrade(w.ctx, upgradetypes.Plan{Name: v2.Name, Height: w.ctx.BlockHeight()}))

	got, err := w.a.HotspotKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	require.Equal(t, int32(hotspottypes.DefaultMaxElevation), got.MaxElevation)
	vm, err = w.a.UpgradeKeeper.GetModuleVersionMap(w.ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(2), vm[hotspottypes.ModuleName])
	after, err := w.a.HotspotKeeper.GetHotspot(w.ctx, hs)
	require.NoError(t, err)
	require.Equal(t, before, after)
}
