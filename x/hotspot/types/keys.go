package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module name, store key and route.
	ModuleName = "hotspot"
	StoreKey   = ModuleName
)

// Store prefixes. Never reuse a number.
var (
	ParamsKey        = collections.NewPrefix(0)
	HotspotsKey      = collections.NewPrefix(1)
	HotspotsByOwner  = collections.NewPrefix(2)
	HotspotsByCell   = collections.NewPrefix(3)
	HotspotsByName   = collections.NewPrefix(4)
	HotspotsByRegion = collections.NewPrefix(5)
)
