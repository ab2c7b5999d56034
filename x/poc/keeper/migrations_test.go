package keeper_test

import (
	"encoding/binary"
	"encoding/hex"
	"testing"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/x/poc/keeper"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// A chain upgraded from consensus version 1 keeps its hex scales: the
// counts in use move to generation 0 and are read as before, a rebuild
// whose walk had ended (its staged counts under the retired prefix 21)
// finishes into generation 1 with the counts the in-memory roll-up gives,
// and nothing is left under the retired prefixes.
func TestMigrate1to2MovesHexCountsIntoGenerations(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	cells := hexFleet(t, f, 20)
	table := p.VerifyHexParams()
	old, err := verify.NewHexDensityMap(table, cells[:5])
	require.NoError(t, err)
	want, err := verify.NewHexDensityMap(table, cells)
	require.NoError(t, err)

	// Version 1's layout, written raw: counts by cell under prefix 11,
	// staged res-11 counts under 21, and a rebuild whose walk had ended
	// (field 4, walked, now reserved).
	kv := f.ctx.KVStore(f.pkey)
	be := func(prefix byte, n uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefix}, n) }
	for _, c := range asStored(old.Cells()) {
		bz, err := c.Marshal()
		require.NoError(t, err)
		kv.Set(be(11, c.Cell), bz)
	}
	staged := map[uint64]uint64{}
	for _, c := range cells {
		p11, err := h3.Cell(c).Parent(verify.PopulationResolution)
		require.NoError(t, err)
		staged[uint64(p11)]++
	}
	for cell, n := range staged {
		kv.Set(be(21, cell), binary.BigEndian.AppendUint64(nil, n))
	}
	var last string
	require.NoError(t, f.k.Activity.Walk(f.ctx, nil, func(addr string, _ types.HotspotActivity) (bool, error) { last = addr; return false, nil }))
	r := types.HexRebuild{Epoch: 2, SinceMs: nowMs - 60_000, Cursor: last, Active: uint64(len(cells))}
	bz, err := r.Marshal()
	require.NoError(t, err)
	kv.Set(types.HexRebuildKey, append(bz, 0x20, 0x01)) // walked = true
	scaleBefore := verify.ScaleFromCounts(table, cells[0], func(c uint64) (verify.HexCount, bool) { return old.Count(c) })

	require.NoError(t, keeper.NewMigrator(f.k).Migrate1to2(f.ctx))

	for _, prefix := range []byte{11, 21} {
		it := kv.Iterator([]byte{prefix}, []byte{prefix + 1})
		require.False(t, it.Valid(), "prefix %d emptied", prefix)
		require.NoError(t, it.Close())
	}
	require.Equal(t, asStored(old.Cells()), hexGen(t, f, 0), "the counts in use, as generation 0")
	hs, err := f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: h3.Cell(cells[0]).String()})
	require.NoError(t, err)
	require.Equal(t, scaleBefore, hs.Scale, "read as before the upgrade")
	got, err := f.k.HexRebuild.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(len(staged)), got.Cells, "the staged cells counted")

	f.endBlocks(t, 1) // the walk resumes past its cursor, then the roll-up
	has, err := f.k.HexRebuild.Has(f.ctx)
	require.NoError(t, err)
	require.False(t, has, "the rebuild finished")
	require.Equal(t, asStored(want.Cells()), hexGen(t, f, 1))
	require.Empty(t, hexGen(t, f, 0))
}

// legacyPruneBefore opens versions 2 and 3's epoch mark of record pruning
// (retired prefix 19) in f's store.
func legacyPruneBefore(t *testing.T, f *fixture) collections.Item[int64] {
	t.Helper()
	sb := collections.NewSchemaBuilder(runtime.NewKVStoreService(f.pkey))
	mark := collections.NewItem(sb, collections.NewPrefix(19), "prune_before", collections.Int64Value)
	_, err := sb.Build()
	require.NoError(t, err)
	return mark
}

// A chain upgraded from consensus version 2 has its one pruning mark
// become the shares' mark too: the epochs being pruned stay so.
func TestMigrate2to3SplitsTheRetention(t *testing.T) {
	f := setup(t)
	mark := legacyPruneBefore(t, f)
	require.NoError(t, mark.Set(f.ctx, 7))

	require.NoError(t, keeper.NewMigrator(f.k).Migrate2to3(f.ctx))

	before, err := f.k.SharesPruneBefore.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(7), before)

	// A chain with no mark: nothing was being pruned.
	g := setup(t)
	require.NoError(t, keeper.NewMigrator(g.k).Migrate2to3(g.ctx))
	has, err := g.k.SharesPruneBefore.Has(g.ctx)
	require.NoError(t, err)
	require.False(t, has, "no mark: nothing was being pruned")
}

// Version 3 closes PoCs without verifying their reports again, so the
// migration checks the reports of the PoCs open at the upgrade (version
// 1's genesis took them unchecked): a forged one is dropped, an authentic
// one is stored without the beacon's payload, and a report of another
// payload, signed by its witness, stays as it was and is judged as before.
func TestMigrate2to3ChecksTheReportsOfOpenPocs(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	good := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.hotspot(t, "forger", cellAt(t, 6, 90))
	near := f.hotspot(t, "near", cellAt(t, 4, 270))
	replayer := f.hotspot(t, "replayer", cellAt(t, 6, 180))
	f.seasoned(t, b, good, near)
	beacon := f.beacon("beaconer", 1)
	_, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon))
	require.NoError(t, err)
	id := beacon.ID()
	open, err := f.k.OpenPocs.Get(f.ctx, id[:])
	require.NoError(t, err)
	// What a version-2 store may hold: whole reports, one of them forged
	// (and, whatever wrote it, one already without its payload).
	forged := types.WitnessFromVerify(f.witness("forger", beacon, 300, -950))
	forged.Signature[0] ^= 1
	stripped := types.WitnessFromVerify(f.witness("near", beacon, 350, -950))
	stripped.Payload = nil
	open.Witnesses = []types.WitnessReport{
		types.WitnessFromVerify(f.witness("good", beacon, 300, -950)),
		forged,
		types.WitnessFromVerify(f.witness("replayer", f.beacon("beaconer", 2), 300, -950)),
		stripped,
	}
	require.NoError(t, f.k.OpenPocs.Set(f.ctx, id[:], open))

	require.NoError(t, keeper.NewMigrator(f.k).Migrate2to3(f.ctx))

	got, err := f.k.OpenPocs.Get(f.ctx, id[:])
	require.NoError(t, err)
	require.Len(t, got.Witnesses, 3, "the forged report is dropped")
	require.Equal(t, f.pub("good"), got.Witnesses[0].Pubkey)
	require.Empty(t, got.Witnesses[0].Payload, "stored as version 3 stores it")
	require.Equal(t, f.pub("replayer"), got.Witnesses[1].Pubkey)
	require.NotEmpty(t, got.Witnesses[1].Payload, "another payload is kept")
	require.Equal(t, f.pub("near"), got.Witnesses[2].Pubkey, "checked over the beacon's payload")

	f.closeDue(t)
	poc, err := f.query.Poc(f.ctx, &types.QueryPocRequest{BeaconId: hex.EncodeToString(id[:])})
	require.NoError(t, err)
	reasons := map[string]types.Reason{}
	for _, w := range poc.Witnesses {
		reasons[w.Witness] = w.Reason
	}
	require.Equal(t, types.REASON_INVALID_PACKET, reasons[replayer])
	require.Len(t, reasons, 3)
	require.Contains(t, reasons, good)
	require.Contains(t, reasons, near)
}

// A chain upgraded from consensus version 3 prunes its full PoC records by
// the height that judged them: the upgrade sets record_retention_blocks to
// its default and drops the epoch mark, and leaves the records under the
// epoch index; the next block's pruning moves them to the height index
// (dropping an epoch index entry without its record), and they are pruned
// once the retention has passed.
func TestMigrate3to4IndexesRecordsByHeight(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	recs := judgeInTurn(t, f, p, 2)
	p.BeaconIntervalMs = 0
	// Version 3's layout: the records under (epoch, id), a mark, and no
	// record_retention_blocks (version 3 stored field 23 instead).
	mark := legacyPruneBefore(t, f)
	for _, r := range recs {
		require.NoError(t, f.k.PocsByHeight.Remove(f.ctx, collections.Join(r.Height, r.BeaconId)))
		require.NoError(t, f.k.LegacyPocsByEpoch.Set(f.ctx, collections.Join(r.Epoch, r.BeaconId)))
	}
	require.NoError(t, f.k.LegacyPocsByEpoch.Set(f.ctx, collections.Join(int64(1), []byte("no record"))))
	require.NoError(t, mark.Set(f.ctx, 1))
	p.RecordRetentionBlocks = 0
	require.NoError(t, f.k.Params.Set(f.ctx, p))

	require.NoError(t, keeper.NewMigrator(f.k).Migrate3to4(f.ctx))

	got, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(types.DefaultRecordRetentionBlocks), got.RecordRetentionBlocks)
	require.NoError(t, got.Validate())
	has, err := mark.Has(f.ctx)
	require.NoError(t, err)
	require.False(t, has, "the epoch mark is gone")
	require.Len(t, keySet(t, f, f.k.LegacyPocsByEpoch), 3, "the upgrade block moves nothing")

	f.endBlocks(t, 1)
	require.Empty(t, keySet(t, f, f.k.LegacyPocsByEpoch), "the epoch index is drained")
	require.Equal(t, []collections.Pair[int64, []byte]{
		collections.Join(recs[0].Height, recs[0].BeaconId), collections.Join(recs[1].Height, recs[1].BeaconId),
	}, keySet(t, f, f.k.PocsByHeight))

	f.ctx = f.ctx.WithBlockHeight(recs[1].Height + int64(got.RecordRetentionBlocks) - 1)
	f.staleBeacons(t)
	f.endBlocks(t, 1)
	for _, r := range recs {
		ok, err := f.k.Pocs.Has(f.ctx, r.BeaconId)
		require.NoError(t, err)
		require.False(t, ok, "pruned through the height index")
	}
}

// The epoch index drains at most prune_per_block entries a block, two
// counted for each record it may move: with the smallest budget (100), 120
// entries take three blocks.
func TestEpochIndexDrainsABudgetPerBlock(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PrunePerBlock = types.MinMaintenancePerBlock
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	for i := range 120 {
		require.NoError(t, f.k.LegacyPocsByEpoch.Set(f.ctx, collections.Join(int64(1), []byte{byte(i)})))
	}
	for _, left := range []int{70, 20, 0} {
		f.endBlocks(t, 1)
		require.Len(t, keySet(t, f, f.k.LegacyPocsByEpoch), left)
	}
}

// keySet lists a key set's keys in order.
func keySet[K any](t *testing.T, f *fixture, ks collections.KeySet[K]) []K {
	t.Helper()
	it, err := ks.Iterate(f.ctx, nil)
	require.NoError(t, err)
	keys, err := it.Keys()
	require.NoError(t, err)
	return keys
}

// A record in the epoch index judged above the current height (an old
// chain's, imported by a zero-height genesis of version 3, which kept
// record heights) is indexed at the height that drains it, so it is pruned
// a retention after the drain instead of once the chain reaches the old
// chain's height.
func TestEpochIndexDrainCountsAnOldChainsRecordFromNow(t *testing.T) {
	f := setup(t)
	rec := types.PocRecord{BeaconId: make([]byte, 32), Seq: 1, Epoch: 1, Height: f.ctx.BlockHeight() + 1_000_000}
	require.NoError(t, f.k.Pocs.Set(f.ctx, rec.BeaconId, rec))
	require.NoError(t, f.k.LegacyPocsByEpoch.Set(f.ctx, collections.Join(rec.Epoch, rec.BeaconId)))
	f.endBlocks(t, 1)
	require.Equal(t, []collections.Pair[int64, []byte]{collections.Join(f.ctx.BlockHeight(), rec.BeaconId)}, keySet(t, f, f.k.PocsByHeight))
}
