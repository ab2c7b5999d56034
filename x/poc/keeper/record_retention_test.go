package keeper_test

import (
	"bytes"
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"cosmossdk.io/collections"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// Full PoC records are kept record_retention_epochs and the reward shares
// retention_epochs: ending epoch 3 with 1 and 2 deletes epoch 1's records
// and witness verdicts but keeps its shares and totals, which go when
// epoch 4 ends.
func TestFullRecordsArePrunedBeforeTheirShares(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.RecordRetentionEpochs = 1
	p.RetentionEpochs = 2
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	beacon := f.beacon("beaconer", 1)
	rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.Equal(t, int64(1), rec.Epoch)
	shares, err := f.k.HotspotShares(f.ctx, 1, w)
	require.NoError(t, err)
	require.NotZero(t, shares.WitnessShares)
	totals, err := f.k.EpochShareTotals(f.ctx, 1)
	require.NoError(t, err)
	require.NotZero(t, totals.WitnessShares)

	f.epochs.epoch = 4
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 3))
	f.staleBeacons(t)
	f.endBlocks(t, 1)
	_, err = f.query.Poc(f.ctx, &types.QueryPocRequest{BeaconId: hexID(rec.BeaconId)})
	require.ErrorIs(t, err, types.ErrPocNotFound, "the record is past record_retention_epochs")
	ws, err := f.query.Witnessed(f.ctx, &types.QueryWitnessedRequest{Hotspot: w})
	require.NoError(t, err)
	require.Empty(t, ws.Witnessed, "and so are its witness verdicts")
	got, err := f.k.HotspotShares(f.ctx, 1, w)
	require.NoError(t, err)
	require.Equal(t, shares, got, "the shares are within retention_epochs")
	gotTotals, err := f.k.EpochShareTotals(f.ctx, 1)
	require.NoError(t, err)
	require.Equal(t, totals, gotTotals)

	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 4))
	f.endBlocks(t, 1)
	got, err = f.k.HotspotShares(f.ctx, 1, w)
	require.NoError(t, err)
	require.Zero(t, got.WitnessShares, "epoch 4's end takes epoch 1's shares")
	gotTotals, err = f.k.EpochShareTotals(f.ctx, 1)
	require.NoError(t, err)
	require.Zero(t, gotTotals.WitnessShares)
}

// Attack: after a halt, the epochs module ends one overdue epoch per block,
// so a short record retention passes in seconds. A judged PoC's record is
// what refuses a second relay of its beacon (ErrDuplicateBeacon); deleted
// while the beacon could still be relayed, a late or replayed relay would
// judge it again and pay its hotspots twice. Pruning waits until the
// beacon is too old to relay (ErrStaleRelay).
func TestAttackJudgedBeaconRelayedAgainAfterEpochCatchUp(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	beacon := f.beacon("beaconer", 1)
	relay := f.msg(beacon, f.witness("good", beacon, 300, -950))
	rec := f.judge(t, relay)
	shares, err := f.k.HotspotShares(f.ctx, rec.Epoch, w)
	require.NoError(t, err)
	require.NotZero(t, shares.WitnessShares)

	// Three overdue epochs end in three blocks: record_retention_epochs (1)
	// has passed for epoch 1.
	for e := int64(1); e <= 3; e++ {
		f.epochs.epoch = e + 1
		require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, e))
		f.endBlocks(t, 1)
	}
	before, err := f.k.PruneBefore.Get(f.ctx)
	require.NoError(t, err)
	require.Greater(t, before, rec.Epoch, "epoch 1 is due for pruning")
	_, err = f.msgs.SubmitPoc(f.ctx, relay)
	require.ErrorIs(t, err, types.ErrDuplicateBeacon, "the record still refuses the beacon")

	// At exactly twice the entropy lifespan the beacon can still be
	// relayed (TestStaleRelayIsRefused), so the record stays; a millisecond
	// later it goes.
	lastRelayable := beaconMs + 2*types.DefaultParams().EntropyLifespanMs
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

// Full records are the short history and shares the long one:
// record_retention_epochs is at most retention_epochs.
func TestRecordRetentionIsWithinTheSharesRetention(t *testing.T) {
	f := setup(t)
	for name, edit := range map[string]func(p *types.Params){
		"record retention above shares":      func(p *types.Params) { p.RecordRetentionEpochs = p.RetentionEpochs + 1 },
		"shares retention below the records": func(p *types.Params) { p.RecordRetentionEpochs, p.RetentionEpochs = 3, 2 },
	} {
		p := types.DefaultParams()
		edit(&p)
		_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: p})
		require.ErrorIs(t, err, types.ErrInvalidParams, name)
	}
	p := types.DefaultParams()
	p.RecordRetentionEpochs = p.RetentionEpochs
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: p})
	require.NoError(t, err)
}

// record_retention_epochs 0 (params stored or exported before the field
// existed) keeps full records as long as the shares, as before: with
// retention_epochs 2, epoch 1's record outlives epoch 3's end and goes at
// epoch 4's.
func TestRecordRetentionZeroKeepsRecordsAsLongAsShares(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.RecordRetentionEpochs = 0
	p.RetentionEpochs = 2
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: p})
	require.NoError(t, err)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	beacon := f.beacon("beaconer", 1)
	rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	f.staleBeacons(t)
	judged := func() bool {
		ok, err := f.k.Pocs.Has(f.ctx, rec.BeaconId)
		require.NoError(t, err)
		return ok
	}
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 3))
	f.endBlocks(t, 1)
	require.True(t, judged(), "kept while its shares are")
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 4))
	f.endBlocks(t, 1)
	require.False(t, judged())
}

// A record stamped after the block time can come only from a genesis (a
// relay is refused until its beacon's witness window has passed): pruning
// does not wait for it, which would stop all record pruning behind it for
// as long as its timestamp is ahead. A record inside the relay bound still
// stops the block's pruning, and the records after it wait with it.
func TestPruningDoesNotWaitForARecordStampedAhead(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.BeaconIntervalMs = 0
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	for i := byte(1); i <= 3; i++ {
		beacon := f.beacon("beaconer", i)
		f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	}
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Len(t, gs.Pocs, 3)
	// Records are pruned in beacon-id order within an epoch: stamp the
	// first far ahead, and the second inside the relay bound.
	slices.SortFunc(gs.Pocs, func(a, b types.PocRecord) int { return bytes.Compare(a.BeaconId, b.BeaconId) })
	gs.Pocs[0].TimestampNs = math.MaxInt64
	gs.PruneBefore = 2
	g := setup(t)
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
