package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/rewards/types"
)

// BankKeeper mints and moves the emission.
type BankKeeper interface {
	MintCoins(ctx context.Context, moduleName string, amt sdk.Coins) error
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipientAddr sdk.AccAddress, amt sdk.Coins) error
	SendCoinsFromModuleToModule(ctx context.Context, senderModule, recipientModule string, amt sdk.Coins) error
	GetSupply(ctx context.Context, denom string) sdk.Coin
}

// AccountKeeper creates the module account (bank cannot mint into an
// account that does not exist yet).
type AccountKeeper interface {
	GetModuleAccount(ctx context.Context, moduleName string) sdk.ModuleAccountI
}

// CommunityPool receives the community share and the dust.
type CommunityPool interface {
	FundCommunityPool(ctx context.Context, amount sdk.Coins, sender sdk.AccAddress) error
}

// PocKeeper provides the shares to pay.
type PocKeeper interface {
	EpochShareTotals(ctx context.Context, epoch int64) (poctypes.RewardShares, error)
	SharesAfter(ctx context.Context, epoch int64, after string, limit int) ([]poctypes.RewardShares, error)
	HotspotShares(ctx context.Context, epoch int64, hotspot string) (poctypes.RewardShares, error)
}

// HotspotKeeper says who owns a hotspot.
type HotspotKeeper interface {
	GetHotspot(ctx context.Context, id string) (hotspottypes.Hotspot, error)
	HotspotsOf(ctx context.Context, owner sdk.AccAddress) ([]string, error)
}

// EpochsKeeper gives the epoch length.
type EpochsKeeper interface {
	GetEpochInfo(ctx sdk.Context, identifier string) (epochstypes.EpochInfo, error)
}

// Keeper settles epochs and pays hotspot owners.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	authority    string
	denom        string
	feeCollector string
	moduleAddr   sdk.AccAddress

	accounts AccountKeeper
	bank     BankKeeper
	pool     CommunityPool
	poc      PocKeeper
	hotspots HotspotKeeper
	epochs   EpochsKeeper

	Schema         collections.Schema
	Params         collections.Item[types.Params]
	LastSettled    collections.Item[int64]
	Minted         collections.Item[sdkmath.Int]
	EpochRewards   collections.Map[int64, types.EpochRewards]
	HotspotRewards collections.Map[collections.Pair[string, int64], types.HotspotReward]
	Payouts        collections.Map[int64, types.PayoutCursor]
	OwnerPaid      collections.Map[string, sdkmath.Int]
}

// NewKeeper builds the keeper. moduleAddr is the rewards module account
// (Minter); feeCollector is where x/distribution takes validator rewards from.
func NewKeeper(cdc codec.BinaryCodec, storeService corestore.KVStoreService, addressCodec address.Codec,
	moduleAddr sdk.AccAddress, denom, feeCollector string, accounts AccountKeeper,
	bank BankKeeper, pool CommunityPool, poc PocKeeper, hotspots HotspotKeeper, epochs EpochsKeeper, authority string,
) *Keeper {
	sb := collections.NewSchemaBuilder(storeService)
	k := &Keeper{
		cdc: cdc, addressCodec: addressCodec, authority: authority, denom: denom, feeCollector: feeCollector,
		moduleAddr: moduleAddr, accounts: accounts, bank: bank, pool: pool, poc: poc, hotspots: hotspots, epochs: epochs,
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		LastSettled:  collections.NewItem(sb, types.LastSettledKey, "last_settled", collections.Int64Value),
		Minted:       collections.NewItem(sb, types.MintedKey, "minted", sdk.IntValue),
		EpochRewards: collections.NewMap(sb, types.EpochRewardsKey, "epoch_rewards", collections.Int64Key, codec.CollValue[types.EpochRewards](cdc)),
		HotspotRewards: collections.NewMap(sb, types.HotspotRewardsKey, "hotspot_rewards",
			collections.PairKeyCodec(collections.StringKey, collections.Int64Key), codec.CollValue[types.HotspotReward](cdc)),
		Payouts:   collections.NewMap(sb, types.PayoutsKey, "payouts", collections.Int64Key, codec.CollValue[types.PayoutCursor](cdc)),
		OwnerPaid: collections.NewMap(sb, types.OwnerPaidKey, "owner_paid", collections.StringKey, sdk.IntValue),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

func (k *Keeper) coins(amount sdkmath.Int) sdk.Coins {
	return sdk.NewCoins(sdk.NewCoin(k.denom, amount))
}

// epochSeconds is the configured length of the settled epoch.
func (k *Keeper) epochSeconds(ctx context.Context, p types.Params) (int64, error) {
	info, err := k.epochs.GetEpochInfo(sdk.UnwrapSDKContext(ctx), p.EpochIdentifier)
	if err != nil {
		return 0, types.ErrInvalidParams.Wrapf("x/epochs has no epoch %q: %v", p.EpochIdentifier, err)
	}
	return int64(info.Duration.Seconds()), nil
}
