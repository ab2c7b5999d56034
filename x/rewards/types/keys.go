package types

import "cosmossdk.io/collections"

const (
	ModuleName = "rewards"
	StoreKey   = ModuleName
)

var (
	ParamsKey         = collections.NewPrefix(0)
	LastSettledKey    = collections.NewPrefix(1)
	MintedKey         = collections.NewPrefix(2)
	EpochRewardsKey   = collections.NewPrefix(3) // epoch -> EpochRewards
	HotspotRewardsKey = collections.NewPrefix(4) // (hotspot, epoch) -> HotspotReward
	PayoutsKey        = collections.NewPrefix(5) // epoch -> PayoutCursor (epochs being paid)
	OwnerPaidKey      = collections.NewPrefix(6) // owner -> Int
)
