package keeper_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/pocnet/pocd/x/rewards/types"
)

// 10-second epochs: emission 1,929,012,345 bones; pools: beacon 308,641,975,
// witness 1,234,567,901, validators 192,901,234, community 192,901,234 (+1
// truncation remainder in witnesses).
func TestSettleAndPayOneEpoch(t *testing.T) {
	f := setup(t)
	alice, bob := addr("alice"), addr("bob")
	f.share(1, "h1", alice, 5_000_000, 0)           // beacon only
	f.share(1, "h2", bob, 0, 20_000_000)            // witness only
	f.share(1, "h3", alice, 15_000_000, 10_000_000) // both

	f.endEpoch(t, 1)
	er, err := f.query.EpochRewards(f.ctx, &types.QueryEpochRewardsRequest{Epoch: 1})
	require.NoError(t, err)
	r := er.Rewards
	require.Equal(t, "1929012345", r.Emission.String())
	require.Equal(t, r.Emission, r.BeaconPool.Add(r.WitnessPool).Add(r.ValidatorPool).Add(r.CommunityPool))
	require.Equal(t, r.ValidatorPool, f.bank.get(authtypes.FeeCollectorName), "validators' share goes where x/distribution takes it")
	require.Equal(t, r.CommunityPool, f.bank.get("community"))

	require.NoError(t, f.k.EndBlock(f.ctx))
	f.invariants(t)
	r = mustEpoch(t, f, 1)
	require.True(t, r.PaidOut)
	// per pool: rate = pool / total shares, each hotspot truncated
	beaconRate := sdkmath.LegacyNewDecFromInt(r.BeaconPool).QuoInt64(20_000_000)
	witnessRate := sdkmath.LegacyNewDecFromInt(r.WitnessPool).QuoInt64(30_000_000)
	h1 := beaconRate.MulInt64(5_000_000).TruncateInt()
	h2 := witnessRate.MulInt64(20_000_000).TruncateInt()
	h3 := beaconRate.MulInt64(15_000_000).TruncateInt().Add(witnessRate.MulInt64(10_000_000).TruncateInt())
	require.Equal(t, h1.Add(h3), f.bank.get(alice))
	require.Equal(t, h2, f.bank.get(bob))
	require.Equal(t, r.BeaconPool.Add(r.WitnessPool).Sub(h1).Sub(h2).Sub(h3), r.Dust)
	require.Equal(t, r.CommunityPool.Add(r.Dust), f.bank.get("community"), "dust to the community pool")
	require.True(t, f.bank.get(types.ModuleName).IsZero())

	hr, err := f.query.HotspotRewards(f.ctx, &types.QueryHotspotRewardsRequest{Hotspot: "h3"})
	require.NoError(t, err)
	require.Len(t, hr.Rewards, 1)
	require.Equal(t, alice, hr.Rewards[0].Owner)
	or, err := f.query.OwnerRewards(f.ctx, &types.QueryOwnerRewardsRequest{Owner: alice})
	require.NoError(t, err)
	require.Equal(t, h1.Add(h3), or.Paid)
	require.True(t, or.Owed.IsZero())
	em, err := f.query.Emission(f.ctx, &types.QueryEmissionRequest{})
	require.NoError(t, err)
	require.Equal(t, r.Emission, em.Minted)
	require.Equal(t, int64(2), em.Epoch)
}

func mustEpoch(t *testing.T, f *fixture, e int64) types.EpochRewards {
	r, err := f.k.EpochRewards.Get(f.ctx, e)
	require.NoError(t, err)
	return r
}

func TestEmptyPoolsGoToCommunity(t *testing.T) {
	f := setup(t)
	f.share(1, "w", addr("w"), 0, 1000) // witness shares only: no beacon shares
	f.endEpoch(t, 1)
	r := mustEpoch(t, f, 1)
	require.True(t, r.BeaconPool.IsZero())
	require.True(t, r.BeaconRate.IsZero())
	require.False(t, r.PaidOut)
	require.NoError(t, f.k.EndBlock(f.ctx))
	f.invariants(t)
	require.Equal(t, mustEpoch(t, f, 1).WitnessPool, f.bank.get(addr("w")), "a lone witness takes the whole pool")

	f.endEpoch(t, 2) // no shares at all
	r = mustEpoch(t, f, 2)
	require.True(t, r.PaidOut)
	require.Equal(t, r.Emission.Sub(r.ValidatorPool), r.CommunityPool)
	f.invariants(t)
}

func TestPayoutIsBatchedAcrossBlocks(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 2
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	for _, h := range []string{"a", "b", "c", "d", "e"} {
		f.share(1, h, addr(h), 1000, 1000)
	}
	f.endEpoch(t, 1)
	paid := func() int {
		n := 0
		for _, h := range []string{"a", "b", "c", "d", "e"} {
			if f.bank.get(addr(h)).IsPositive() {
				n++
			}
		}
		return n
	}
	for _, want := range []int{2, 4, 5} {
		require.NoError(t, f.k.EndBlock(f.ctx))
		f.invariants(t) // the module holds exactly what is still unpaid
		require.Equal(t, want, paid())
	}
	require.True(t, mustEpoch(t, f, 1).PaidOut)
	or, err := f.query.OwnerRewards(f.ctx, &types.QueryOwnerRewardsRequest{Owner: addr("e")})
	require.NoError(t, err)
	require.True(t, or.Paid.IsPositive())
}

// A hotspot transferred while its epoch is being paid out: its owner at
// settlement time is paid, not the new owner.
func TestTransferDuringPayoutPaysOwnerAtSettlement(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 1
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	f.share(1, "a", addr("alice"), 1000, 0)
	f.share(1, "b", addr("bob"), 1000, 0)
	f.endEpoch(t, 1)
	require.NoError(t, f.k.EndBlock(f.ctx)) // pays "a"

	owed, err := f.query.OwnerRewards(f.ctx, &types.QueryOwnerRewardsRequest{Owner: addr("bob")})
	require.NoError(t, err)
	require.True(t, owed.Owed.IsPositive(), "bob can see what he is owed")

	require.NoError(t, f.k.BeforeHotspotTransfer(f.ctx, "b"))
	f.hotspots.owner["b"] = addr("carol")
	require.Equal(t, owed.Owed, f.bank.get(addr("bob")))
	require.NoError(t, f.k.EndBlock(f.ctx)) // reaches "b": already paid, skipped
	require.NoError(t, f.k.EndBlock(f.ctx)) // nothing left: the epoch closes
	require.True(t, f.bank.get(addr("carol")).IsZero())
	require.True(t, mustEpoch(t, f, 1).PaidOut)
	f.invariants(t)
}

func TestMissedEpochsAreSettledAndFailuresRetried(t *testing.T) {
	f := setup(t)
	f.bank.failMint = errors.New("mint refused")
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, "poc", 1), "a failure never halts the chain")
	last, err := f.k.LastSettled.Get(f.ctx)
	require.NoError(t, err)
	require.Zero(t, last)
	failed := false
	for _, ev := range f.ctx.EventManager().Events() {
		if ev.Type == "pocd.rewards.v1.EventSettlementFailed" {
			failed = true
		}
	}
	require.True(t, failed, "the failure is reported as an event")
	require.True(t, f.bank.get(authtypes.FeeCollectorName).IsZero(), "nothing of the failed settlement remains")

	// a panicking bank (e.g. a missing module account) is a failure too
	f.bank.failMint = errPanic
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, "poc", 1))
	last, _ = f.k.LastSettled.Get(f.ctx)
	require.Zero(t, last)

	f.bank.failMint = nil
	f.endEpoch(t, 3) // settles 1, 2 and 3
	last, err = f.k.LastSettled.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(3), last)
	for e := int64(1); e <= 3; e++ {
		mustEpoch(t, f, e)
	}
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, "other", 4))
	last, _ = f.k.LastSettled.Get(f.ctx)
	require.Equal(t, int64(3), last, "other epoch identifiers are ignored")
}

func TestSupplyCap(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.MaxSupply = f.bank.supply.AddRaw(1000) // room for 1000 bones
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	f.endEpoch(t, 1)
	require.Equal(t, int64(1000), mustEpoch(t, f, 1).Emission.Int64())
	f.endEpoch(t, 2)
	require.True(t, mustEpoch(t, f, 2).Emission.IsZero(), "nothing is minted at the cap")
	require.Equal(t, p.MaxSupply, f.bank.supply)
}

func TestGenesisRoundTrip(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 1
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	f.share(1, "a", addr("alice"), 1000, 0)
	f.share(1, "b", addr("bob"), 1000, 0)
	f.endEpoch(t, 1)
	require.NoError(t, f.k.EndBlock(f.ctx))
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	g := setup(t)
	require.NoError(t, g.k.InitGenesis(g.ctx, *gs))
	again, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	b1, err := gs.Marshal()
	require.NoError(t, err)
	b2, err := again.Marshal()
	require.NoError(t, err)
	require.NotEmpty(t, b1)
	require.Equal(t, b1, b2)
	paid, err := g.k.OwnerPaid.Get(g.ctx, addr("alice"))
	require.NoError(t, err)
	require.Equal(t, f.bank.get(addr("alice")), paid)

	bad := *gs
	bad.Minted = gs.Minted.AddRaw(1)
	require.ErrorIs(t, bad.Validate(), types.ErrInvalidGenesis)
}

// A failing payout (here: the module account cannot pay) never halts the
// chain: the batch is discarded and retried next block.
func TestPayoutFailureIsRetried(t *testing.T) {
	f := setup(t)
	f.share(1, "a", addr("alice"), 1000, 0)
	f.endEpoch(t, 1)
	stolen := f.bank.get(types.ModuleName)
	f.bank.bal[types.ModuleName] = sdkmath.ZeroInt()
	require.NoError(t, f.k.EndBlock(f.ctx))
	require.False(t, mustEpoch(t, f, 1).PaidOut)
	require.True(t, f.bank.get(addr("alice")).IsZero())
	f.bank.bal[types.ModuleName] = stolen
	require.NoError(t, f.k.EndBlock(f.ctx))
	require.True(t, mustEpoch(t, f, 1).PaidOut)
	f.invariants(t)
}

// Per-hotspot history keeps history_epochs epochs.
func TestHotspotHistoryIsBounded(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.HistoryEpochs = 2
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	for e := int64(1); e <= 4; e++ {
		f.share(e, "a", addr("alice"), 1000, 0)
		f.endEpoch(t, e)
		require.NoError(t, f.k.EndBlock(f.ctx))
	}
	hr, err := f.query.HotspotRewards(f.ctx, &types.QueryHotspotRewardsRequest{Hotspot: "a"})
	require.NoError(t, err)
	var epochs []int64
	for _, r := range hr.Rewards {
		epochs = append(epochs, r.Epoch)
	}
	require.Equal(t, []int64{3, 4}, epochs)
	f.invariants(t)
}
