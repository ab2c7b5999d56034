package app_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"cosmossdk.io/collections"

	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/app/upgrades"
	v2 "github.com/pocnet/pocd/app/upgrades/v2"
	v3 "github.com/pocnet/pocd/app/upgrades/v3"
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
// the new layout, the params gain record_retention_blocks, and the version
// map moves to 4.
func TestUpgradeV2MovesHexCountsIntoGenerations(t *testing.T) {
	w := newWired(t)
	cell := uint64(h3.IndexFromString("8a283082a2b7fff"))
	count := poctypes.HexCount{Cell: cell, Res: 10, Unclipped: 3, Occupied: 1, Limit: 1, Clipped: 1}
	bz, err := count.Marshal()
	require.NoError(t, err)
	w.ctx.KVStore(w.a.GetKey(poctypes.StoreKey)).Set(binary.BigEndian.AppendUint64([]byte{11}, cell), bz)
	p, err := w.a.PocKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	p.RecordRetentionBlocks = 0 // versions 1 to 3 have no such field
	require.NoError(t, w.a.PocKeeper.Params.Set(w.ctx, p))
	vm := w.a.ModuleManager.GetVersionMap()
	vm[poctypes.ModuleName] = 1
	require.NoError(t, w.a.UpgradeKeeper.SetModuleVersionMap(w.ctx, vm))

	require.NoError(t, w.a.UpgradeKeeper.ApplyUpgrade(w.ctx, upgradetypes.Plan{Name: v2.Name, Height: w.ctx.BlockHeight()}))

	p, err = w.a.PocKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	require.Equal(t, poctypes.DefaultParams().RecordRetentionBlocks, p.RecordRetentionBlocks)
	got, err := w.a.PocKeeper.HexCounts.Get(w.ctx, collections.Join(uint64(0), cell))
	require.NoError(t, err)
	require.Equal(t, count, got)
	require.False(t, w.ctx.KVStore(w.a.GetKey(poctypes.StoreKey)).Has(binary.BigEndian.AppendUint64([]byte{11}, cell)))
	vm, err = w.a.UpgradeKeeper.GetModuleVersionMap(w.ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(4), vm[poctypes.ModuleName])
}

// The v3 plan takes a chain on x/poc version 3 to version 4 through the
// app's wiring: the params gain record_retention_blocks, and a record
// indexed under its epoch (prefix 5) is indexed under the height that
// judged it (prefix 27) by the next block's pruning.
func TestUpgradeV3IndexesRecordsByHeight(t *testing.T) {
	w := newWired(t)
	rec := poctypes.PocRecord{BeaconId: bytes.Repeat([]byte{7}, 32), Seq: 1, Epoch: 2, Height: 1} // judged below the current height
	require.NoError(t, w.a.PocKeeper.Pocs.Set(w.ctx, rec.BeaconId, rec))
	byEpoch := w.a.PocKeeper.LegacyPocsByEpoch
	require.NoError(t, byEpoch.Set(w.ctx, collections.Join(rec.Epoch, rec.BeaconId)))
	p, err := w.a.PocKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	p.RecordRetentionBlocks = 0
	require.NoError(t, w.a.PocKeeper.Params.Set(w.ctx, p))
	vm := w.a.ModuleManager.GetVersionMap()
	vm[poctypes.ModuleName] = 3
	require.NoError(t, w.a.UpgradeKeeper.SetModuleVersionMap(w.ctx, vm))

	require.NoError(t, w.a.UpgradeKeeper.ApplyUpgrade(w.ctx, upgradetypes.Plan{Name: v3.Name, Height: w.ctx.BlockHeight()}))
	require.NoError(t, w.a.PocKeeper.RunMaintenance(w.ctx))

	has, err := w.a.PocKeeper.PocsByHeight.Has(w.ctx, collections.Join(rec.Height, rec.BeaconId))
	require.NoError(t, err)
	require.True(t, has)
	has, err = byEpoch.Has(w.ctx, collections.Join(rec.Epoch, rec.BeaconId))
	require.NoError(t, err)
	require.False(t, has)
	p, err = w.a.PocKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	require.Equal(t, poctypes.DefaultParams().RecordRetentionBlocks, p.RecordRetentionBlocks)
	vm, err = w.a.UpgradeKeeper.GetModuleVersionMap(w.ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(4), vm[poctypes.ModuleName])
}
