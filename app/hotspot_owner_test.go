package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	rewardstypes "github.com/pocnet/pocd/x/rewards/types"
)

// Attack 8 wiring: the hotspot keeper refuses as owner exactly the
// addresses the bank refuses to send to, so x/rewards can pay every owner.
func TestAttackPayoutStoppedByTransferIsWired(t *testing.T) {
	a := newApp(t)
	for _, name := range []string{authtypes.FeeCollectorName, distrtypes.ModuleName, stakingtypes.BondedPoolName,
		stakingtypes.NotBondedPoolName, rewardstypes.ModuleName} {
		addr := authtypes.NewModuleAddress(name)
		require.True(t, a.BankKeeper.BlockedAddr(addr), name)
		require.ErrorIs(t, a.HotspotKeeper.CheckOwner(addr), hotspottypes.ErrBlockedOwner, name)
	}
	// gov is not blocked by the bank (it can receive), so it may own hotspots.
	require.NoError(t, a.HotspotKeeper.CheckOwner(authtypes.NewModuleAddress(govtypes.ModuleName)))
	require.NoError(t, a.HotspotKeeper.CheckOwner(make([]byte, 20)))
}
