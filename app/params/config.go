// Package params holds pocd's chain-wide constants (name, address prefixes,
// denoms, the default gas price) and the client encoding: what an off-node
// client (the ingest relayer, hotspotd, the scripts) needs to build, sign
// and pay for pocd transactions without linking the application. It is a
// leaf under app: it imports the SDK and x/*/types, never app or a keeper.
package params

import (
	"sync"

	sdk "github.com/cosmos/cosmos-sdk/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

const (
	// AppName is the application name reported over ABCI, and the keyring
	// service name of pocd's and its clients' keys.
	AppName = "pocd"
	// Bech32Prefix is the account address prefix: hnt1...
	Bech32Prefix = "hnt"
	// BondDenom is the base denom for staking, fees and rewards.
	BondDenom = hotspottypes.BondDenom
	// DisplayDenom is the display unit: 1 HNT = 10^8 bones.
	DisplayDenom = "HNT"
	// DisplayExponent is the number of decimals of HNT.
	DisplayExponent = 8

	// DefaultMinGasPrice is the minimum gas price, in bones per unit of gas,
	// that `pocd init` writes to app.toml (minimum-gas-prices) and that the
	// ingest relayer, hotspotd, the simulator and the scripts pay by
	// default. A 14-witness PoC relay uses about 0.51 M gas; the relayer
	// declares 1.25 M, so it pays about 3,100 bones (0.000031 HNT). The
	// block limits that go with it are in app/fees.go; the numbers and how
	// they were measured are in docs/operator-guide.md ("Fees and block
	// limits").
	DefaultMinGasPrice = "0.0025"
	// DefaultMinGasPrices is DefaultMinGasPrice with its denom, as
	// app.toml and --gas-prices take it.
	DefaultMinGasPrices = DefaultMinGasPrice + BondDenom
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
