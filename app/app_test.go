package app_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	dbm "github.com/cosmos/cosmos-db"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/pocnet/pocd/app"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

func newApp(t *testing.T) *app.App {
	t.Helper()
	return app.New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
}

func before(t *testing.T, order []string, a, b string) {
	t.Helper()
	ia, ib := slices.Index(order, a), slices.Index(order, b)
	require.NotEqual(t, -1, ia, "%s missing from %v", a, order)
	require.NotEqual(t, -1, ib, "%s missing from %v", b, order)
	require.Less(t, ia, ib, "%s must run before %s in %v", a, b, order)
}

// TestBlockOrdering guards the ordering rules documented in order.go.
func TestBlockOrdering(t *testing.T) {
	require.Equal(t, upgradetypes.ModuleName, app.PreBlockers[0], "upgrade must be the first pre-blocker")
	require.Equal(t, banktypes.ModuleName, app.EndBlockers[0], "bank must be the first end-blocker (v0.54+)")
	before(t, app.BeginBlockers, epochstypes.ModuleName, distrtypes.ModuleName)
	for _, m := range []string{authtypes.ModuleName, banktypes.ModuleName, stakingtypes.ModuleName, hotspottypes.ModuleName} {
		before(t, app.InitGenesisOrder, m, genutiltypes.ModuleName)
	}

	// Every module with genesis is ordered (the manager would panic otherwise,
	// but say which one is missing).
	a := newApp(t)
	for name := range a.ModuleManager.Modules {
		require.Contains(t, app.InitGenesisOrder, name)
	}
}

func TestDefaultGenesisUsesHNT(t *testing.T) {
	a := newApp(t)
	gen := a.DefaultGenesis()
	cdc := a.AppCodec()

	var bank banktypes.GenesisState
	cdc.MustUnmarshalJSON(gen[banktypes.ModuleName], &bank)
	require.Len(t, bank.DenomMetadata, 1)
	md := bank.DenomMetadata[0]
	require.Equal(t, "bones", md.Base)
	require.Equal(t, "HNT", md.Display)
	require.Equal(t, uint32(8), md.DenomUnits[1].Exponent)
	require.NoError(t, md.Validate())

	var staking stakingtypes.GenesisState
	cdc.MustUnmarshalJSON(gen[stakingtypes.ModuleName], &staking)
	require.Equal(t, "bones", staking.Params.BondDenom)

	var gov govv1.GenesisState
	cdc.MustUnmarshalJSON(gen["gov"], &gov)
	require.Equal(t, "bones", gov.Params.MinDeposit[0].Denom)

	require.Contains(t, gen, hotspottypes.ModuleName)
	require.NoError(t, a.BasicModuleManager.ValidateGenesis(cdc, a.TxConfig(), gen))
}

func TestModuleAccountsIncludeKeyRotationPool(t *testing.T) {
	a := newApp(t)
	require.NotNil(t, a.AccountKeeper.GetModuleAddress(stakingtypes.KeyRotationFeePoolName))
	require.True(t, app.BlockedAddresses()[authtypes.NewModuleAddress(distrtypes.ModuleName).String()])
}

// Every registered message has a resolvable signer (cosmos.msg.v1.signer),
// which tx decoding needs; a broken proto option would fail here, not in production.
func TestSigningContextValid(t *testing.T) {
	a := newApp(t)
	require.NoError(t, a.InterfaceRegistry().SigningContext().Validate())
}

// x/rewards is the only module allowed to mint.
func TestOnlyRewardsMints(t *testing.T) {
	a := newApp(t)
	for _, name := range []string{authtypes.FeeCollectorName, distrtypes.ModuleName, stakingtypes.BondedPoolName, "gov", "rewards"} {
		_, perms := a.AccountKeeper.GetModuleAddressAndPermissions(name)
		require.Equal(t, name == "rewards", slices.Contains(perms, authtypes.Minter), name)
	}
}
