package app

import (
	"encoding/json"
	"time"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/x/bank"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/epochs"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/pocnet/pocd/app/params"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// PocEpochDuration is the default length of a PoC (and reward) epoch.
const PocEpochDuration = 24 * time.Hour

// epochsBasic adds pocd's own epoch identifier to x/epochs' defaults.
type epochsBasic struct{ epochs.AppModule }

func (b epochsBasic) DefaultGenesis(cdc codec.JSONCodec) json.RawMessage {
	gs := epochstypes.DefaultGenesis()
	gs.Epochs = append(gs.Epochs, epochstypes.NewGenesisEpochInfo(poctypes.DefaultEpochIdentifier, PocEpochDuration))
	return cdc.MustMarshalJSON(gs)
}

// HNTMetadata describes the token to wallets and explorers.
func HNTMetadata() banktypes.Metadata {
	return banktypes.Metadata{
		Description: "HNT, the proof-of-coverage reward and staking token of pocd.",
		DenomUnits: []*banktypes.DenomUnit{
			{Denom: params.BondDenom, Exponent: 0, Aliases: []string{"bone"}},
			{Denom: params.DisplayDenom, Exponent: params.DisplayExponent},
		},
		Base:    params.BondDenom,
		Display: params.DisplayDenom,
		Name:    "Helium Network Token",
		Symbol:  params.DisplayDenom,
	}
}

// bankBasic is x/bank's module basic with HNT metadata in its default
// genesis, so `pocd init` writes a genesis that wallets can display. (The
// other modules pick up "bones" from sdk.DefaultBondDenom, set by params.SetSDKConfig.)
type bankBasic struct{ bank.AppModuleBasic }

func (b bankBasic) DefaultGenesis(cdc codec.JSONCodec) json.RawMessage {
	gs := banktypes.DefaultGenesisState()
	gs.DenomMetadata = append(gs.DenomMetadata, HNTMetadata())
	return cdc.MustMarshalJSON(gs)
}
