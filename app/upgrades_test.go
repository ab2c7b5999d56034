package app_test

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"cosmossdk.io/collections"

	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/app/upgrades"
	v2 "github.com/pocnet/pocd/app/upgrades/v2"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
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

// The v2 plan also runs x/poc's migrations through the app's wiring: hex
// counts stored by cell under version 1's prefix become generation 0 of
// the new layout, the params gain record_retention_epochs, and the version
// map moves to 3.
func TestUpgradeV2MovesHexCountsIntoGenerations(t *testing.T) {
	w := newWired(t)
	cell := uint64(h3.IndexFromString("8a283082a2b7fff"))
	count := poctypes.HexCount{Cell: cell, Res: 10, Unclipped: 3, Occupied: 1, Limit: 1, Clipped: 1}
	bz, err := count.Marshal()
	require.NoError(t, err)
	w.ctx.KVStore(w.a.GetKey(poctypes.StoreKey)).Set(binary.BigEndian.AppendUint64([]byte{11}, cell), bz)
	p, err := w.a.PocKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	p.RecordRetentionEpochs = 0 // versions 1 and 2 have no such field
	require.NoError(t, w.a.PocKeeper.Params.Set(w.ctx, p))
	vm := w.a.ModuleManager.GetVersionMap()
	vm[poctypes.ModuleName] = 1
	require.NoError(t, w.a.UpgradeKeeper.SetModuleVersionMap(w.ctx, vm))

	require.NoError(t, w.a.UpgradeKeeper.ApplyUpgrade(w.ctx, upgradetypes.Plan{Name: v2.Name, Height: w.ctx.BlockHeight()}))

	p, err = w.a.PocKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	require.Equal(t, poctypes.DefaultParams().RecordRetentionEpochs, p.RecordRetentionEpochs)
	got, err := w.a.PocKeeper.HexCounts.Get(w.ctx, collections.Join(uint64(0), cell))
	require.NoError(t, err)
	require.Equal(t, count, got)
	require.False(t, w.ctx.KVStore(w.a.GetKey(poctypes.StoreKey)).Has(binary.BigEndian.AppendUint64([]byte{11}, cell)))
	vm, err = w.a.UpgradeKeeper.GetModuleVersionMap(w.ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(3), vm[poctypes.ModuleName])
}
