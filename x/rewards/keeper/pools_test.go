package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// The settlement's pools follow the documented split (docs: 16 % beacons,
// 64 % witnesses, 10 % validators, 10 % community; each truncated, the
// truncation remainder to witnesses), computed here from those percentages
// with integer arithmetic, not with Params.Split. A hotspot holding every
// beacon share is paid the beacon pool, one holding every witness share the
// witness pool: swapping the pools cannot go unnoticed.
func TestSettlementPoolsFollowTheDocumentedSplit(t *testing.T) {
	f := setup(t)
	beaconer, witness := addr("beaconer"), addr("witness")
	f.share(1, "hb", beaconer, 7_000_000, 0)
	f.share(1, "hw", witness, 0, 3_000_000)
	f.endEpoch(t, 1)

	r := mustEpoch(t, f, 1)
	// 10-second epochs of 5,000,000 HNT per 30 days, in bones.
	emission := int64(5_000_000) * 100_000_000 * 10 / (30 * 24 * 3600)
	require.Equal(t, sdkmath.NewInt(emission), r.Emission)
	pct := func(n int64) int64 { return emission * n / 100 }
	wantBeacon, wantValidator, wantCommunity := pct(16), pct(10), pct(10)
	wantWitness := emission - wantBeacon - wantValidator - wantCommunity
	require.Equal(t, int64(308_641_975), wantBeacon)
	require.Equal(t, int64(1_234_567_902), wantWitness)
	require.GreaterOrEqual(t, wantWitness, pct(64))

	require.Equal(t, sdkmath.NewInt(wantBeacon), r.BeaconPool, "beacon pool: 16 %")
	require.Equal(t, sdkmath.NewInt(wantWitness), r.WitnessPool, "witness pool: 64 % + remainder")
	require.Equal(t, sdkmath.NewInt(wantValidator), r.ValidatorPool, "validators: 10 %")
	require.Equal(t, sdkmath.NewInt(wantCommunity), r.CommunityPool, "community: 10 %")
	require.Equal(t, sdkmath.NewInt(wantValidator), f.bank.get(authtypes.FeeCollectorName))

	require.NoError(t, f.k.EndBlock(f.ctx))
	f.invariants(t)
	// Each is paid rate x shares, truncated: the whole pool, less at most a
	// bone of truncation (which goes to the community as dust).
	paidWithin := func(who string, pool int64) {
		t.Helper()
		got := f.bank.get(who)
		require.True(t, got.LTE(sdkmath.NewInt(pool)) && got.GTE(sdkmath.NewInt(pool-1)), "%s paid %s, pool %d", who, got, pool)
	}
	paidWithin(beaconer, wantBeacon)
	paidWithin(witness, wantWitness)
	require.True(t, mustEpoch(t, f, 1).PaidOut)
}
