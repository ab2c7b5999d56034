package app

import (
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	evidencetypes "github.com/cosmos/cosmos-sdk/x/evidence/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	rewardstypes "github.com/pocnet/pocd/x/rewards/types"
)

// Block ordering. TestBlockOrdering guards the rules stated here.

// PreBlockers: upgrade first, so a scheduled upgrade halts (or migrates)
// before anything else touches state.
var PreBlockers = []string{
	upgradetypes.ModuleName,
	authtypes.ModuleName,
}

// BeginBlockers: poc first, so this block's hash is recorded as entropy
// before anything runs; epochs before distribution, so that anything an epoch
// hook sends to the fee collector is distributed to validators in the same block.
var BeginBlockers = []string{
	poctypes.ModuleName,
	epochstypes.ModuleName,
	distrtypes.ModuleName,
	slashingtypes.ModuleName,
	evidencetypes.ModuleName,
	stakingtypes.ModuleName,
	genutiltypes.ModuleName,
}

// EndBlockers: bank must be first since v0.54; poc closes due PoCs (their
// selection seed is this block's hash) and runs a budget of pruning and
// hex-density work; rewards pays a batch of hotspot owners each block.
var EndBlockers = []string{
	banktypes.ModuleName,
	govtypes.ModuleName,
	stakingtypes.ModuleName,
	poctypes.ModuleName,
	rewardstypes.ModuleName,
	genutiltypes.ModuleName,
}

// InitGenesisOrder: genutil after staking (gentxs need the pools) and after
// auth and bank (they need accounts and balances).
var InitGenesisOrder = []string{
	consensustypes.ModuleName,
	authtypes.ModuleName,
	banktypes.ModuleName,
	distrtypes.ModuleName,
	stakingtypes.ModuleName,
	slashingtypes.ModuleName,
	govtypes.ModuleName,
	upgradetypes.ModuleName,
	evidencetypes.ModuleName,
	epochstypes.ModuleName,
	hotspottypes.ModuleName,
	poctypes.ModuleName,
	rewardstypes.ModuleName,
	genutiltypes.ModuleName,
}

// ExportGenesisOrder exports consensus params first, like simapp.
var ExportGenesisOrder = InitGenesisOrder
