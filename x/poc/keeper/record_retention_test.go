package keeper_test

import (
	"bytes"
	"cmp"
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"cosmossdk.io/collections"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// Full PoC records are kept record_retention_blocks and the reward shares
// retention_epochs: with 5 blocks, a record judged at height H is kept at
// H+4 and deleted with its witness verdicts at H+5, while its shares and
// totals stay until their own epoch mark passes.
func TestFullRecordsArePrunedBeforeTheirShares(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.RecordRetentionBlocks = 5
	p.RetentionEpochs = 2
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	beacon := f.beacon("beaconer", 1)
	rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.Equal(t, f.ctx.BlockHeight(), rec.Height)
	shares, err := f.k.HotspotShares(f.ctx, 1, w)
	require.NoError(t, err)
	require.NotZero(t, shares.WitnessShares)
	totals, err := f.k.EpochShareTotals(f.ctx, 1)
	require.NoError(t, err)
	require.NotZero(t, totals.WitnessShares)
	judged := func() bool {
		ok, err := f.k.Pocs.Has(f.ctx, rec.BeaconId)
		require.NoError(t, err)
		return ok
	}

	f.staleBeacons(t)
	f.endBlocks(t, 4)
	require.True(t, judged(), "four blocks after its judgement the record is within record_retention_blocks")
	f.endBlocks(t, 1)
	_, err = f.query.Poc(f.ctx, &types.QueryPocRequest{BeaconId: hexID(rec.BeaconId)})
	require.ErrorIs(t, err, types.ErrPocNotFound, "the record is past record_retention_blocks")
	ws, err := f.query.Witnessed(f.ctx, &types.QueryWitnessedRequest{Hotspot: w})
	require.NoError(t, err)
	require.Empty(t, ws.Witnessed, "and so are its witness verdicts")
	got, err := f.k.HotspotShares(f.ctx, 1, w)
	require.NoError(t, err)
	require.Equal(t, shares, got, "the shares are within retention_epochs")
	gotTotals, err := f.k.EpochShareTotals(f.ctx, 1)
	require.NoError(t, err)
	require.Equal(t, totals, gotTotals)

	f.epochs.epoch = 5
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 4))
	f.endBlocks(t, 1)
	got, err = f.k.HotspotShares(f.ctx, 1, w)
	require.NoError(t, err)
	require.Zero(t, got.WitnessShares, "epoch 4's end takes epoch 1's shares")
	gotTotals, err = f.k.EpochShareTotals(f.ctx, 1)
	require.NoError(t, err)
	require.Zero(t, gotTotals.WitnessShares)
}

// Attack: blocks can come faster than the params assume (a fast network,
// or a chain catching up after a halt), so a short record retention can
// pass in seconds. A judged PoC's record is what refuses a second relay of
// its beacon (ErrDuplicateBeacon); deleted while the beacon could still be
// relayed, a late or replayed relay would judge it again and pay its
// hotspots twice. Pruning waits until the beacon is too old to relay
// (ErrStaleRelay).
func TestAttackJudgedBeaconRelayedAgainAfterFastBlocks(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.RecordRetentionBlocks = 1
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	beacon := f.beacon("beaconer", 1)
	relay := f.msg(beacon, f.witness("good", beacon, 300, -950))
	rec := f.judge(t, relay)
	shares, err := f.k.HotspotShares(f.ctx, rec.Epoch, w)
	require.NoError(t, err)
	require.NotZero(t, shares.WitnessShares)

	// Ten one-second blocks: record_retention_blocks (1) has long passed.
	f.endBlocks(t, 10)
	require.Greater(t, f.ctx.BlockHeight()-rec.Height, int64(p.RecordRetentionBlocks), "the record is due for pruning")
	_, err = f.msgs.SubmitPoc(f.ctx, relay)
	require.ErrorIs(t, err, types.ErrDuplicateBeacon, "the record still refuses the beacon")

	// At exactly twice the entropy lifespan the beacon can still be
	// relayed (TestStaleRelayIsRefused), so the record stays; a millisecond
	// later it goes.
	lastRelayable := beaconMs + 2*p.EntropyLifespanMs
	endBlockAt := func(ms int64) bool {
		f.ctx = f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).WithBlockTime(time.UnixMilli(ms))
		require.NoError(t, f.k.EndBlock(f.ctx))
		judged, err := f.k.Pocs.Has(f.ctx, rec.BeaconId)
		require.NoError(t, err)
		return judged
	}
	require.True(t, endBlockAt(lastRelayable), "kept while the beacon can be relayed")
	_, err = f.msgs.SubmitPoc(f.ctx, relay)
	require.ErrorIs(t, err, types.ErrDuplicateBeacon)
	require.False(t, endBlockAt(lastRelayable+1), "pruned once the beacon is too old to relay")
	_, err = f.msgs.SubmitPoc(f.ctx, relay)
	require.ErrorIs(t, err, types.ErrStaleRelay)
	got, err := f.k.HotspotShares(f.ctx, rec.Epoch, w)
	require.NoError(t, err)
	require.Equal(t, shares, got, "paid once")
}

// record_retention_blocks is 1..MaxRecordRetentionBlocks: 0 would prune a
// record in the block that judged it, and a value past the cap could
// wrap the pruning horizon ahead of the chain.
func TestRecordRetentionBlocksIsBounded(t *testing.T) {
	f := setup(t)
	for name, v := range map[string]uint64{"zero": 0, "above the cap": types.MaxRecordRetentionBlocks + 1, "wraps int64": 1 << 63} {
		p := types.DefaultParams()
		p.RecordRetentionBlocks = v
		_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: p})
		require.ErrorIs(t, err, types.ErrInvalidParams, name)
	}
	for _, v := range []uint64{1, types.MaxRecordRetentionBlocks} {
		p := types.DefaultParams()
		p.RecordRetentionBlocks = v
		_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: p})
		require.NoError(t, err, v)
	}
}

// Records are pruned oldest judgement first, whatever their epoch: a
// record judged later in an earlier epoch (a genesis can hold one) does
// not hold back an older record of a later epoch, and a record still
// within the retention is not touched for being in an old epoch.
func TestRecordsArePrunedByTheirJudgingHeight(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.RecordRetentionBlocks = 3
	recs := judgeInTurn(t, f, p, 2)
	require.Equal(t, recs[0].Height+1, recs[1].Height)
	// The newer record claims an older epoch.
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	for i := range gs.Pocs {
		gs.Pocs[i].Epoch = 2
		if bytes.Equal(gs.Pocs[i].BeaconId, recs[1].BeaconId) {
			gs.Pocs[i].Epoch = 1
		}
	}
	g := setup(t)
	g.ctx = g.ctx.WithBlockHeight(recs[0].Height + 2) // an export at the next height
	require.NoError(t, g.k.InitGenesis(g.ctx, *gs))
	g.staleBeacons(t)
	has := func(r types.PocRecord) bool {
		ok, err := g.k.Pocs.Has(g.ctx, r.BeaconId)
		require.NoError(t, err)
		return ok
	}
	g.endBlocks(t, 1) // height recs[0].Height + 3
	require.False(t, has(recs[0]), "three blocks after its judgement")
	require.True(t, has(recs[1]), "two blocks after its judgement, in an older epoch")
	g.endBlocks(t, 1)
	require.False(t, has(recs[1]))
}

// A record stamped after the block time can come only from a genesis (a
// relay is refused until its beacon's witness window has passed): pruning
// does not wait for it, which would stop all record pruning behind it for
// as long as its timestamp is ahead. A record inside the relay bound still
// stops the block's pruning, and the records after it wait with it.
func TestPruningDoesNotWaitForARecordStampedAhead(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.RecordRetentionBlocks = 1
	judgeInTurn(t, f, p, 3)
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Len(t, gs.Pocs, 3)
	// Records are pruned in the order they were judged: stamp the first
	// far ahead, and the second inside the relay bound.
	slices.SortFunc(gs.Pocs, func(a, b types.PocRecord) int { return cmp.Compare(a.Height, b.Height) })
	gs.Pocs[0].TimestampNs = math.MaxInt64
	g := setup(t)
	g.ctx = g.ctx.WithBlockHeight(gs.Pocs[2].Height) // an export at the next height
	require.NoError(t, g.k.InitGenesis(g.ctx, *gs))
	g.staleBeacons(t)
	inBound := g.ctx.BlockTime().UnixNano() - 1e9
	gs.Pocs[1].TimestampNs = inBound
	require.NoError(t, g.k.Pocs.Set(g.ctx, gs.Pocs[1].BeaconId, gs.Pocs[1]))
	has := func(i int) bool {
		ok, err := g.k.Pocs.Has(g.ctx, gs.Pocs[i].BeaconId)
		require.NoError(t, err)
		return ok
	}
	g.endBlocks(t, 1)
	require.False(t, has(0), "stamped ahead: pruned")
	require.True(t, has(1), "inside the relay bound: kept")
	require.True(t, has(2), "behind the waiting record")
	g.staleBeacons(t)
	g.endBlocks(t, 1)
	require.False(t, has(1))
	require.False(t, has(2))
}

// judgeInTurn sets p (with no beacon interval), seasons a beaconer and a
// witness, and judges n of the beaconer's beacons, one a block, each with
// the witness's valid report.
func judgeInTurn(t *testing.T, f *fixture, p types.Params, n int) []types.PocRecord {
	t.Helper()
	p.BeaconIntervalMs = 0
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	recs := make([]types.PocRecord, n)
	for i := range recs {
		beacon := f.beacon("beaconer", byte(i+1))
		recs[i] = f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	}
	return recs
}

// fixedQueue is x/rewards' payout queue reduced to its oldest epoch.
type fixedQueue struct {
	oldest int64
	queued bool
}

func (q *fixedQueue) OldestQueuedPayout(context.Context) (int64, bool, error) {
	return q.oldest, q.queued, nil
}

// Shares are pruned below both marks: their retention's and the oldest
// epoch still queued for payout (app: TestSharesOfAnEpochQueuedForPayoutOutliveTheirRetention).
func TestSharesArePrunedOnlyBelowTheOldestQueuedPayout(t *testing.T) {
	f := setup(t)
	q := &fixedQueue{oldest: 2, queued: true}
	f.k.SetPayoutQueue(q)
	for e := int64(1); e <= 4; e++ {
		require.NoError(t, f.k.Shares.Set(f.ctx, collections.Join(e, "hotspot"), types.RewardShares{Hotspot: "hotspot", Epoch: e, WitnessShares: 1}))
	}
	kept := func() []int64 {
		var out []int64
		require.NoError(t, f.k.Shares.Walk(f.ctx, nil, func(k collections.Pair[int64, string], _ types.RewardShares) (bool, error) {
			out = append(out, k.K1())
			return false, nil
		}))
		return out
	}
	require.NoError(t, f.k.SharesPruneBefore.Set(f.ctx, 4))
	f.endBlocks(t, 1)
	require.Equal(t, []int64{2, 3, 4}, kept(), "epoch 2 is queued for payout")
	q.oldest = 9 // a later epoch queued: the retention's mark rules
	f.endBlocks(t, 1)
	require.Equal(t, []int64{4}, kept())
	q.oldest, q.queued = 0, false // nothing queued
	require.NoError(t, f.k.SharesPruneBefore.Set(f.ctx, 5))
	f.endBlocks(t, 1)
	require.Empty(t, kept())
}

// Closing a PoC does not verify its reports' signatures again: every
// report an open PoC holds was verified when relayed, so a genesis must
// not carry one that does not verify. An open PoC exported as the chain
// holds it (reports without their payload) imports; one with a report
// whose signature was altered is refused.
func TestGenesisRefusesAnOpenPocWithAForgedReport(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	beacon := f.beacon("beaconer", 1)
	_, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.NoError(t, err)
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Len(t, gs.OpenPocs, 1)
	require.Len(t, gs.OpenPocs[0].Witnesses, 1)
	require.Empty(t, gs.OpenPocs[0].Witnesses[0].Payload, "held without the payload")
	require.NoError(t, gs.Validate())

	forged := gs.OpenPocs[0].Witnesses[0]
	forged.Signature = append([]byte(nil), forged.Signature...)
	forged.Signature[0] ^= 1
	gs.OpenPocs[0].Witnesses[0] = forged
	err = gs.Validate()
	require.ErrorIs(t, err, types.ErrInvalidGenesis)
	require.ErrorContains(t, err, "witness report 0 is not signed by its hotspot")
	g := setup(t)
	require.ErrorIs(t, g.k.InitGenesis(g.ctx, *gs), types.ErrInvalidGenesis)
}

// A genesis record's retention counts from its judging height, or from the
// genesis height when that is lower (a zero-height export starts the new
// chain below the old chain's heights; app: TestZeroHeightExportRoundTrip):
// its pruning index says so. A negative judging height is refused.
func TestGenesisCountsRetentionFromTheGenesisHeight(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	beacon := f.beacon("beaconer", 1)
	rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	indexedAt := func(genesisHeight int64) int64 {
		g := setup(t)
		g.ctx = g.ctx.WithBlockHeight(genesisHeight)
		require.NoError(t, g.k.InitGenesis(g.ctx, *gs))
		keys := keySet(t, g, g.k.PocsByHeight)
		require.Len(t, keys, 1)
		require.Equal(t, rec.BeaconId, keys[0].K2())
		return keys[0].K1()
	}
	require.Equal(t, int64(0), indexedAt(0), "a zero-height genesis")
	require.Equal(t, rec.Height, indexedAt(rec.Height+1), "an export at the next height")

	gs.Pocs[0].Height = -1
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
}
