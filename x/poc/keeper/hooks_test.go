package keeper_test

import (
	"encoding/hex"
	"fmt"
	"testing"

	"cosmossdk.io/collections"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// At an epoch boundary the hex density is rebuilt from hotspots with a valid
// witnessed beacon, later PoCs carry the new scale into their shares, and
// records older than the retention are pruned.
func TestEpochEndRecomputesScalesAndPrunes(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)

	beacon := f.beacon("beaconer", 1)
	rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))

	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, "other-identifier", 1))
	_, err := f.k.HexRebuild.Get(f.ctx)
	require.ErrorIs(t, err, collections.ErrNotFound, "another identifier schedules nothing")
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 1))
	f.endBlocks(t, 2) // walk the activity, then swap the counts in

	// Only the beaconer had a valid witnessed beacon: it is alone, scale 1.0.
	hs, err := f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: cellAt(t, 0, 0)})
	require.NoError(t, err)
	require.Equal(t, uint32(10000), hs.Scale)
	require.Equal(t, int64(1), hs.ComputedEpoch)
	require.Len(t, hs.Counts, 8, "res 11 down to 4")
	// the witness is not active: default scale
	hs, err = f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: cellAt(t, 5, 0)})
	require.NoError(t, err)
	require.Equal(t, uint32(2000), hs.Scale)

	// A PoC in epoch 2 uses the beaconer's new scale.
	// (resetting its activity frees the interval bucket the first beacon used)
	f.epochs.epoch = 2
	require.NoError(t, f.k.Activity.Set(f.ctx, b, types.HotspotActivity{Hotspot: b, LastWitnessMs: nowMs - 1, LastBeaconMs: nowMs - 1}))
	b2 := f.beacon("beaconer", 2)
	rec2 := f.judge(t, f.msg(b2, f.witness("good", b2, 300, -950)))
	require.Equal(t, uint32(10000), rec2.HexScale)
	sh, err := f.query.RewardShares(f.ctx, &types.QueryRewardSharesRequest{Hotspot: b, Epoch: 2})
	require.NoError(t, err)
	require.Equal(t, uint64(10000*2500), sh.Shares.BeaconShares)

	// Shares kept 1 epoch: ending epoch 3 prunes epoch 1's. Records kept as
	// many blocks as lie between the two judgements: the next block prunes
	// the first PoC's record and keeps the second's.
	p := types.DefaultParams()
	p.RetentionEpochs = 1
	p.RecordRetentionBlocks = uint64(rec2.Height - rec.Height)
	require.Greater(t, p.RecordRetentionBlocks, uint64(1))
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 3))
	f.staleBeacons(t)
	f.endBlocks(t, 1)
	_, err = f.query.Poc(f.ctx, &types.QueryPocRequest{BeaconId: hex.EncodeToString(rec.BeaconId)})
	require.ErrorIs(t, err, types.ErrPocNotFound)
	ws, err := f.query.Witnessed(f.ctx, &types.QueryWitnessedRequest{Hotspot: w})
	require.NoError(t, err)
	require.Len(t, ws.Witnessed, 1, "only epoch 2's witness record is left")
	sh, err = f.query.RewardShares(f.ctx, &types.QueryRewardSharesRequest{Hotspot: b, Epoch: 1})
	require.NoError(t, err)
	require.Zero(t, sh.Shares.BeaconShares)
	_, err = f.query.Poc(f.ctx, &types.QueryPocRequest{BeaconId: hex.EncodeToString(rec2.BeaconId)})
	require.NoError(t, err)
}

func TestEntropyIsRecordedAndExpires(t *testing.T) {
	f := setup(t)
	e, err := f.query.Entropy(f.ctx, &types.QueryEntropyRequest{})
	require.NoError(t, err)
	require.Equal(t, f.entropy, e.Entropy.Hash)
	// a block far later forgets it
	later := f.ctx.WithBlockHeight(500).WithBlockTime(f.ctx.BlockTime().Add(3600e9)).WithHeaderHash([]byte("h500-h500-h500-h500-h500-h500-12"))
	require.NoError(t, f.k.BeginBlock(later))
	_, err = f.k.Entropy.Get(later, 100)
	require.ErrorIs(t, err, collections.ErrNotFound)
	e, err = f.query.Entropy(later, &types.QueryEntropyRequest{})
	require.NoError(t, err)
	require.Equal(t, int64(500), e.Entropy.Height)
}

func TestGenesisRoundTrip(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	beacon := f.beacon("beaconer", 1)
	f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	open := f.beacon("beaconer", 2) // stays open across the export
	_, err := f.msgs.SubmitPoc(f.ctx, f.msg(open, f.witness("good", open, 300, -950)))
	require.NoError(t, err)
	_, err = f.msgs.AddToDenylist(f.ctx, &types.MsgAddToDenylist{Authority: f.gov, Hotspots: []string{w}, Edges: []types.Edge{{A: b, B: w}}})
	require.NoError(t, err)
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 1))
	// A pruning horizon, so that what genesis imports after it is seen to
	// follow it.
	require.NoError(t, f.k.SharesPruneBefore.Set(f.ctx, 1))

	gs, g, again := reimport(t, f)
	require.Equal(t, int64(1), gs.SharesPruneBefore)
	require.Len(t, gs.OpenPocs, 1)
	require.Len(t, gs.Relayers, 1)
	require.NotNil(t, gs.HexRebuild, "a rebuild in progress is exported")
	b1, err := gs.Marshal()
	require.NoError(t, err)
	b2, err := again.Marshal()
	require.NoError(t, err)
	require.NotEmpty(t, b1)
	require.Equal(t, b1, b2)
	// indexes rebuilt
	ws, err := g.query.Witnessed(g.ctx, &types.QueryWitnessedRequest{Hotspot: w})
	require.NoError(t, err)
	require.Len(t, ws.Witnessed, 1)
	// per-epoch totals are rebuilt from the shares
	t1, err := f.k.EpochShareTotals(f.ctx, 1)
	require.NoError(t, err)
	t2, err := g.k.EpochShareTotals(g.ctx, 1)
	require.NoError(t, err)
	require.Equal(t, t1, t2)
	// the sequence continues
	seq, err := g.k.Seq.Peek(g.ctx)
	require.NoError(t, err)
	require.Equal(t, gs.NextSeq-1, seq)
}

// reimport exports f's genesis, requires it valid, imports it into a fresh
// keeper and exports that again.
func reimport(t *testing.T, f *fixture) (exported *types.GenesisState, g *fixture, again *types.GenesisState) {
	t.Helper()
	exported, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	g = setup(t)
	require.NoError(t, g.k.InitGenesis(g.ctx, *exported))
	again, err = g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	return exported, g, again
}

// The pruning horizon of reward shares (epochs before it are pruned or
// being pruned) survives an export and import. (PoC records need none:
// they keep the height that judged them.)
func TestGenesisKeepsThePruningHorizon(t *testing.T) {
	f := setup(t)
	require.NoError(t, f.k.SharesPruneBefore.Set(f.ctx, 2))
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	require.Equal(t, int64(2), gs.SharesPruneBefore)
	g := setup(t)
	require.NoError(t, g.k.InitGenesis(g.ctx, *gs))
	got, err := g.k.SharesPruneBefore.Get(g.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), got)
}

// Hex counts survive an export and import (a rebuild in progress, at each
// of its stages: TestGenesisKeepsARebuildAtEveryStage).
func TestGenesisKeepsHexCounts(t *testing.T) {
	f := setup(t)
	for i, km := range []float64{0, 5, 40, 120} {
		h := f.hotspot(t, fmt.Sprintf("h%d", i), cellAt(t, km, float64(i*90)))
		// Active for hex density: a beacon of it was witnessed recently.
		require.NoError(t, f.k.Activity.Set(f.ctx, h, types.HotspotActivity{Hotspot: h, LastWitnessedBeaconMs: nowMs - 1000}))
	}
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 1))
	roundTrip := func(what string) {
		t.Helper()
		gs, _, again := reimport(t, f)
		require.Equal(t, gs.HexStaging, again.HexStaging, what)
		require.Equal(t, gs.HexCounts, again.HexCounts, what)
		require.Equal(t, gs.HexRebuild, again.HexRebuild, what)
	}
	f.endBlocks(t, 1) // the whole rebuild fits a block's default budget
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Greater(t, len(gs.HexCounts), 1, "counts at several resolutions")
	roundTrip("after the rebuild")
}

// Sequence numbers start at 1: a genesis with next_seq 0 is refused (the
// first PoC judged after it would get sequence 0, which no export passes).
func TestGenesisRefusesNextSeqZero(t *testing.T) {
	gs := types.DefaultGenesis()
	require.NoError(t, gs.Validate())
	gs.NextSeq = 0
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
}
