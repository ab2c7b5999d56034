package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	grpctypes "github.com/cosmos/cosmos-sdk/types/grpc"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	rewardstypes "github.com/pocnet/pocd/x/rewards/types"
)

// checkRewardsLedger pins every query to one height and checks, over gRPC,
// that the bones moved exactly as the settlements say: the owner holds its
// genesis balance minus hotspot fees minus the transaction fees it paid
// (ownerTxFees) plus every payout; the distribution module holds the
// validator pools, the community pools, the dust, the hotspot fees and
// every transaction fee (allTxFees: the fee collector passes them on in the
// next block); the supply grew by exactly what x/rewards minted. Every
// transaction must be in a block before the settlement checked.
func checkRewardsLedger(t *testing.T, n *node, conn *grpc.ClientConn, owner string, hotspots int, ownerTxFees, allTxFees, genesisBalance, genesisSupply sdkmath.Int) int64 {
	t.Helper()
	rq := rewardstypes.NewQueryClient(conn)
	bq := banktypes.NewQueryClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// Wait for a height at which at least one epoch with rewards is settled
	// and every settled epoch is paid out.
	var height int64
	var settled []rewardstypes.EpochRewards
	require.Eventually(t, func() bool {
		h, err := n.height()
		if err != nil {
			return false
		}
		at := metadata.AppendToOutgoingContext(ctx, grpctypes.GRPCBlockHeightHeader, strconv.FormatInt(h, 10))
		em, err := rq.Emission(at, &rewardstypes.QueryEmissionRequest{})
		if err != nil || em.LastSettledEpoch == 0 {
			return false
		}
		settled = settled[:0]
		paidSomething := false
		for e := int64(1); e <= em.LastSettledEpoch; e++ {
			r, err := rq.EpochRewards(at, &rewardstypes.QueryEpochRewardsRequest{Epoch: e})
			if err != nil || !r.Rewards.PaidOut {
				return false
			}
			paidSomething = paidSomething || r.Rewards.Paid.IsPositive()
			settled = append(settled, r.Rewards)
		}
		height = h
		return paidSomething
	}, 90*time.Second, 500*time.Millisecond, "an epoch with rewards settled and paid out")

	at := metadata.AppendToOutgoingContext(ctx, grpctypes.GRPCBlockHeightHeader, strconv.FormatInt(height, 10))
	minted, paid, distr := sdkmath.ZeroInt(), sdkmath.ZeroInt(), sdkmath.ZeroInt()
	for _, r := range settled {
		minted = minted.Add(r.Emission)
		paid = paid.Add(r.Paid)
		distr = distr.Add(r.ValidatorPool).Add(r.CommunityPool).Add(r.Dust)
		require.Equal(t, r.BeaconPool.Add(r.WitnessPool), r.Paid.Add(r.Dust), "epoch %d: paid + dust = PoC pools", r.Epoch)
	}
	em, err := rq.Emission(at, &rewardstypes.QueryEmissionRequest{})
	require.NoError(t, err)
	require.Equal(t, minted, em.Minted, "minted = sum of settled emissions")

	fees := hotspottypes.DefaultParams().OnboardingFee.AmountOf("bones").Add(hotspottypes.DefaultParams().LocationFee.AmountOf("bones")).MulRaw(int64(hotspots))
	bal, err := bq.Balance(at, &banktypes.QueryBalanceRequest{Address: owner, Denom: "bones"})
	require.NoError(t, err)
	require.Equal(t, genesisBalance.Sub(fees).Sub(ownerTxFees).Add(paid), bal.Balance.Amount, "owner balance")

	or, err := rq.OwnerRewards(at, &rewardstypes.QueryOwnerRewardsRequest{Owner: owner})
	require.NoError(t, err)
	require.Equal(t, paid, or.Paid)

	distrAddr := sdk.MustBech32ifyAddressBytes("hnt", authtypes.NewModuleAddress(distrtypes.ModuleName))
	db, err := bq.Balance(at, &banktypes.QueryBalanceRequest{Address: distrAddr, Denom: "bones"})
	require.NoError(t, err)
	require.Equal(t, distr.Add(fees).Add(allTxFees), db.Balance.Amount, "distribution module: validator + community pools, dust, hotspot fees, tx fees")

	// The community pool: the community shares, the dust, the hotspot fees,
	// and x/distribution's community tax (2 %) on the validator pools and
	// the transaction fees.
	dq := distrtypes.NewQueryClient(conn)
	cp, err := dq.CommunityPool(at, &distrtypes.QueryCommunityPoolRequest{})
	require.NoError(t, err)
	tax := sdkmath.LegacyNewDecFromInt(allTxFees).Mul(sdkmath.LegacyNewDecWithPrec(2, 2))
	community := sdkmath.ZeroInt()
	for _, r := range settled {
		community = community.Add(r.CommunityPool).Add(r.Dust)
		tax = tax.Add(sdkmath.LegacyNewDecFromInt(r.ValidatorPool).Mul(sdkmath.LegacyNewDecWithPrec(2, 2)))
	}
	require.Equal(t, sdkmath.LegacyNewDecFromInt(community.Add(fees)).Add(tax).String(), cp.Pool.AmountOf("bones").String(), "community pool")

	supply, err := bq.SupplyOf(at, &banktypes.QuerySupplyOfRequest{Denom: "bones"})
	require.NoError(t, err)
	require.Equal(t, genesisSupply.Add(minted), supply.Amount.Amount, "supply grows by exactly the emission")

	rewardsAddr := sdk.MustBech32ifyAddressBytes("hnt", authtypes.NewModuleAddress(rewardstypes.ModuleName))
	rb, err := bq.Balance(at, &banktypes.QueryBalanceRequest{Address: rewardsAddr, Denom: "bones"})
	require.NoError(t, err)
	require.True(t, rb.Balance.Amount.IsZero(), "nothing left in the rewards account once paid out")
	return height
}
