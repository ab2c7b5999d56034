package keeper_test

import (
	"fmt"
	"testing"

	"cosmossdk.io/collections"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// What a judged PoC leaves for later verdicts and for rewards: a valid
// beacon nobody was selected for counts as beaconed but not as witnessed and
// earns nothing; beacons and witnesses selected in several PoCs of an epoch
// accrue shares that add up.
func TestJudgedPocEffectsAndSharesAddUp(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.BeaconIntervalMs = 0 // several beacons of one hotspot
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w1 := f.hotspot(t, "w1", cellAt(t, 5, 0))
	w2 := f.hotspot(t, "w2", cellAt(t, 6, 120))
	fresh := f.hotspot(t, "fresh", cellAt(t, 5, 240)) // has never beaconed
	f.seasoned(t, b, w1, w2)
	epoch := f.epochs.epoch
	shares := func(addr string) (types.RewardShares, bool) {
		sh, err := f.k.Shares.Get(f.ctx, collections.Join(epoch, addr))
		if err != nil {
			return types.RewardShares{}, false
		}
		return sh, true
	}
	activity := func(addr string) types.HotspotActivity {
		a, err := f.k.Activity.Get(f.ctx, addr)
		require.NoError(t, err)
		return a
	}

	// A valid beacon whose only witness fails its own reciprocity.
	beacon := f.beacon("beaconer", 1)
	rec := f.judge(t, f.msg(beacon, f.witness("fresh", beacon, 2500, -950)))
	require.Equal(t, types.REASON_VALID, rec.Reason)
	require.Zero(t, rec.Selected)
	before := activity(b)
	require.Equal(t, f.ctx.BlockTime().UnixMilli(), before.LastBeaconMs, "a witness passed checks 1-13: the beacon counts")
	require.NotEqual(t, f.ctx.BlockTime().UnixMilli(), before.LastWitnessedBeaconMs, "nobody was selected: not witnessed")
	_, has := shares(b)
	require.False(t, has, "no reward unit, no shares record")
	_, has = shares(fresh)
	require.False(t, has)

	// Two PoCs with both seasoned witnesses selected.
	for i := 0; i < 2; i++ {
		beacon := f.beacon("beaconer", byte(10+i))
		rec := f.judge(t, f.msg(beacon, f.witness("w1", beacon, 2500, -950), f.witness("w2", beacon, 2600, -960)))
		require.Equal(t, uint32(2), rec.Selected, fmt.Sprint("PoC ", i))
	}
	require.Equal(t, f.ctx.BlockTime().UnixMilli(), activity(b).LastWitnessedBeaconMs)
	bs, ok := shares(b)
	require.True(t, ok)
	s1, ok1 := shares(w1)
	s2, ok2 := shares(w2)
	require.True(t, ok1)
	require.True(t, ok2, "every selected witness accrues, not only the first")
	require.Positive(t, s1.WitnessShares)
	require.Equal(t, s1.WitnessShares, s2.WitnessShares)
	// Each PoC gave the beaconer the same unit at the same scale: the two add up.
	recs, err := f.query.PocsByBeaconer(f.ctx, &types.QueryPocsByBeaconerRequest{Hotspot: b})
	require.NoError(t, err)
	var want uint64
	for _, r := range recs.Pocs {
		want += uint64(r.HexScale) * uint64(r.RewardUnit)
	}
	require.Positive(t, want)
	require.Equal(t, want, bs.BeaconShares)
	tot, err := f.k.EpochTotals.Get(f.ctx, epoch)
	require.NoError(t, err)
	require.Equal(t, bs.BeaconShares, tot.BeaconShares)
	require.Equal(t, s1.WitnessShares+s2.WitnessShares, tot.WitnessShares)
}
