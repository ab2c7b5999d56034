package app

import (
	"sync"

	sdk "github.com/cosmos/cosmos-sdk/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

const (
	// Name is the application name reported over ABCI.
	Name = "pocd"
	// Bech32Prefix is the account address prefix: hnt1...
	Bech32Prefix = "hnt"
	// BondDenom is the base denom for staking, fees and rewards.
	BondDenom = hotspottypes.BondDenom
	// DisplayDenom is the display unit: 1 HNT = 10^8 bones.
	DisplayDenom = "HNT"
	// DisplayExponent is the number of decimals of HNT.
	DisplayExponent = 8
)

var configOnce sync.Once

// SetSDKConfig installs the bech32 prefixes and the default bond denom. It is
// idempotent and seals the global config, so call it before anything derives
// an address string.
func SetSDKConfig() {
	configOnce.Do(func() {
		cfg := sdk.GetConfig()
		cfg.SetBech32PrefixForAccount(Bech32Prefix, Bech32Prefix+sdk.PrefixPublic)
		cfg.SetBech32PrefixForValidator(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator, Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator+sdk.PrefixPublic)
		cfg.SetBech32PrefixForConsensusNode(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixConsensus, Bech32Prefix+sdk.PrefixValidator+sdk.PrefixConsensus+sdk.PrefixPublic)
		cfg.Seal()
		sdk.DefaultBondDenom = BondDenom
	})
}
