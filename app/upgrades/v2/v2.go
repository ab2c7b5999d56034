// Package v2 is the chain's first software upgrade. It runs x/hotspot's
// v1→v2 migration, which adds params.max_elevation (the bound on an asserted
// antenna elevation), and x/poc's v1→v3: v2 moves the hex-density counts
// into generations (prefixes 11 and 21 retired for 23), v3 gives the reward
// shares their own pruning mark (prefix 26), and v4 prunes full PoC records
// by age in blocks (the v3 upgrade's migration). No store is added, renamed
// or deleted.
package v2

import "github.com/pocnet/pocd/app/upgrades"

// Name is the plan name a MsgSoftwareUpgrade proposal must carry, and the
// directory cosmovisor takes the new binary from (upgrades/v2/bin).
const Name = "v2"

// Upgrade runs every module's registered migrations (RunMigrations).
var Upgrade = upgrades.Upgrade{Name: Name}
