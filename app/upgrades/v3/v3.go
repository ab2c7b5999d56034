// Package v3 is the upgrade that prunes full PoC records by age in blocks:
// x/poc's v3→v4 migration sets the new params.record_retention_blocks
// (record_retention_epochs is retired) and drops the epoch mark (prefix
// 19); after it, pruning moves the records from the epoch index (prefix 5)
// to the height index (prefix 27) a budget per block, so the upgrade block
// stays small however many records the chain holds. A chain still on the
// first release takes the v2 plan, which runs this migration after the
// others. No store is added, renamed or deleted.
package v3

import "github.com/pocnet/pocd/app/upgrades"

// Name is the plan name a MsgSoftwareUpgrade proposal must carry, and the
// directory cosmovisor takes the new binary from (upgrades/v3/bin).
const Name = "v3"

// Upgrade runs every module's registered migrations (RunMigrations).
var Upgrade = upgrades.Upgrade{Name: Name}
