package keeper_test

import (
	"fmt"
	"testing"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// smallPruneBudget sets params for pruning tests: several beacons of one
// hotspot, records kept one block and shares one epoch, the smallest prune
// budget.
func smallPruneBudget(t *testing.T, f *fixture) types.Params {
	t.Helper()
	p := types.DefaultParams()
	p.BeaconIntervalMs = 0
	p.RecordRetentionBlocks = 1
	p.RetentionEpochs = 1
	p.PrunePerBlock = types.MinMaintenancePerBlock
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	return p
}

// Pruning stops at its budget exactly: PoCs whose entries add up to the
// budget are deleted in one block and the next one waits. A PoC with one
// witness is five entries (the record, its height and beaconer indexes, the
// witness verdict and its witness-side index), so a budget of 100 is 20 PoCs.
func TestPruneStopsAtTheBudgetExactly(t *testing.T) {
	f := setup(t)
	p := smallPruneBudget(t, f)
	const perPoc = 5
	fits := int(p.PrunePerBlock) / perPoc
	require.Zero(t, int(p.PrunePerBlock)%perPoc, "the budget is a whole number of PoCs")
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	for i := 0; i < fits+1; i++ {
		beacon := f.beacon("beaconer", byte(i))
		_, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
		require.NoError(t, err)
	}
	f.closeDue(t)
	judgedAt := f.ctx.BlockHeight()
	pocs := func() int {
		n := 0
		require.NoError(t, f.k.PocsByHeight.Walk(f.ctx, nil, func(collections.Pair[int64, []byte]) (bool, error) {
			n++
			return false, nil
		}))
		return n
	}
	require.Equal(t, fits+1, pocs())

	// Every record is due from the next block on, and the event names the
	// judging height pruning reached.
	f.staleBeacons(t)
	// pruned runs one block and returns its EventPocsPruned.
	pruned := func() []*types.EventPocsPruned {
		f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
		f.endBlocks(t, 1)
		var out []*types.EventPocsPruned
		for _, ev := range f.ctx.EventManager().Events().ToABCIEvents() {
			if ev.Type == "pocd.poc.v1.EventPocsPruned" {
				msg, err := sdk.ParseTypedEvent(ev)
				require.NoError(t, err)
				out = append(out, msg.(*types.EventPocsPruned))
			}
		}
		return out
	}
	require.Equal(t, []*types.EventPocsPruned{{ThroughHeight: judgedAt, Pocs: uint64(fits)}}, pruned())
	require.Equal(t, 1, pocs(), "exactly the budget's worth of PoCs is pruned")
	require.Equal(t, []*types.EventPocsPruned{{ThroughHeight: judgedAt, Pocs: 1}}, pruned())
	require.Zero(t, pocs())
	require.Empty(t, pruned(), "a block that prunes no PoC announces nothing")
}

// The reward shares of pruned epochs share the block's budget with the
// PoCs: a block deletes PoCs first, then shares up to what is left of the
// budget exactly, and clears the epochs' totals only in a block that has
// budget left after the last share.
func TestPruneSharesUseWhatIsLeftOfTheBudget(t *testing.T) {
	f := setup(t)
	p := smallPruneBudget(t, f)
	const perPoc, pocN = 5, 10
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	for i := 0; i < pocN; i++ {
		beacon := f.beacon("beaconer", byte(i))
		_, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
		require.NoError(t, err)
	}
	f.closeDue(t) // epoch 1: 10 PoCs, and shares of the beaconer and the witness
	// More hotspots with shares in epoch 1 than the budget leaves.
	for i := 0; i < 60; i++ {
		require.NoError(t, f.k.Shares.Set(f.ctx, collections.Join(int64(1), fmt.Sprintf("hotspot%02d", i)), types.RewardShares{WitnessShares: 1}))
	}
	require.NoError(t, f.k.EpochTotals.Set(f.ctx, 1, types.RewardShares{WitnessShares: 60}))
	count := func() int {
		n := 0
		require.NoError(t, f.k.Shares.Walk(f.ctx, nil, func(collections.Pair[int64, string], types.RewardShares) (bool, error) { n++; return false, nil }))
		return n
	}
	shares := count()
	left := int(p.PrunePerBlock) - perPoc*pocN
	require.Greater(t, shares, left, "more shares than the PoCs leave of the budget")
	hasTotals := func() bool {
		ok, err := f.k.EpochTotals.Has(f.ctx, 1)
		require.NoError(t, err)
		return ok
	}
	require.True(t, hasTotals())

	f.epochs.epoch = 3
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 3)) // prunes epochs < 2
	f.staleBeacons(t)
	f.endBlocks(t, 1)
	require.Equal(t, shares-left, count(), "shares deleted up to what the PoCs left of the budget")
	require.True(t, hasTotals(), "no budget left for the totals")
	f.endBlocks(t, 1)
	require.Zero(t, count())
	require.False(t, hasTotals(), "the totals go in the block that has budget left")
}

// The PoC that takes a block's pruning past its budget is deleted whole
// (seven entries with two witnesses: 15 of them are 105 entries against
// 100), and that block deletes no shares: nothing is left of its budget.
func TestPruneOvershootLeavesTheSharesForLater(t *testing.T) {
	f := setup(t)
	smallPruneBudget(t, f)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.hotspot(t, "good2", cellAt(t, 6, 90))
	f.seasoned(t, b)
	for i := 0; i < 20; i++ {
		beacon := f.beacon("beaconer", byte(i))
		_, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950), f.witness("good2", beacon, 300, -950)))
		require.NoError(t, err)
	}
	f.closeDue(t)
	for i := 0; i < 10; i++ {
		require.NoError(t, f.k.Shares.Set(f.ctx, collections.Join(int64(1), fmt.Sprintf("hotspot%02d", i)), types.RewardShares{WitnessShares: 1}))
	}
	count := func() (pocs, shares int) {
		require.NoError(t, f.k.PocsByHeight.Walk(f.ctx, nil, func(collections.Pair[int64, []byte]) (bool, error) { pocs++; return false, nil }))
		require.NoError(t, f.k.Shares.Walk(f.ctx, nil, func(collections.Pair[int64, string], types.RewardShares) (bool, error) { shares++; return false, nil }))
		return pocs, shares
	}
	_, shares := count()

	f.epochs.epoch = 3
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 3)) // prunes epochs < 2
	f.staleBeacons(t)
	f.endBlocks(t, 1)
	pocs, left := count()
	require.Equal(t, 5, pocs, "15 PoCs of 7 entries: the fifteenth starts below the budget")
	require.Equal(t, shares, left, "no shares deleted past the budget")
	f.endBlocks(t, 1)
	pocs, left = count()
	require.Zero(t, pocs)
	require.Zero(t, left)
}

// Draining version 3's epoch index and pruning share one budget: a block
// that drops 30 index entries without records (one entry each) prunes 70
// entries' worth of due PoCs (14 of one witness, five entries each), not
// 100.
func TestEpochIndexDrainSharesThePruneBudget(t *testing.T) {
	f := setup(t)
	smallPruneBudget(t, f)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	for i := 0; i < 20; i++ {
		beacon := f.beacon("beaconer", byte(i))
		_, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
		require.NoError(t, err)
	}
	f.closeDue(t)
	for i := range 30 {
		require.NoError(t, f.k.LegacyPocsByEpoch.Set(f.ctx, collections.Join(int64(1), []byte{byte(i)})))
	}
	f.staleBeacons(t)
	f.endBlocks(t, 1)
	require.Empty(t, keySet(t, f, f.k.LegacyPocsByEpoch))
	require.Len(t, keySet(t, f, f.k.PocsByHeight), 20-14)
}
