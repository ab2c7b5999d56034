package keeper

import (
	"bytes"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// Migrator holds the store migrations of x/poc, one method per consensus
// version step, registered in module.go.
type Migrator struct{ k *Keeper }

// NewMigrator returns the migrator for k.
func NewMigrator(k *Keeper) Migrator { return Migrator{k: k} }

// Retired prefixes (types/keys.go): 11 and 21 of consensus version 1, 19
// of version 3.
var (
	legacyHexCountsKey   = collections.NewPrefix(11) // cell -> HexCount
	legacyHexStagingKey  = collections.NewPrefix(21) // res-11 cell -> count of the rebuild in progress
	legacyPruneBeforeKey = collections.NewPrefix(19) // records of epochs before it are being pruned
)

// legacyPruneBefore is versions 2 and 3's epoch mark of record pruning.
func (m Migrator) legacyPruneBefore() (collections.Item[int64], error) {
	sb := collections.NewSchemaBuilder(m.k.storeService)
	mark := collections.NewItem(sb, legacyPruneBeforeKey, "prune_before_v3", collections.Int64Value)
	_, err := sb.Build()
	return mark, err
}

// Migrate1to2 (the v2 upgrade) moves the hex counts into generations. The
// counts in use become generation 0; a rebuild's staged res-11 counts
// become the start of generation 1, where the budgeted rebuild expects
// them. A rebuild whose walk had ended (version 1's `walked`, now a
// reserved field) resumes its walk at its cursor, finds nothing left and
// goes on to the roll-up with the current table. Both retired prefixes are
// emptied.
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	k := m.k
	sb := collections.NewSchemaBuilder(k.storeService)
	oldCounts := collections.NewMap(sb, legacyHexCountsKey, "hex_counts_v1", collections.Uint64Key, codec.CollValue[types.HexCount](k.cdc))
	oldStaging := collections.NewMap(sb, legacyHexStagingKey, "hex_staging_v1", collections.Uint64Key, collections.Uint64Value)
	if _, err := sb.Build(); err != nil {
		return err
	}
	counts, err := oldCounts.Iterate(ctx, nil)
	if err != nil {
		return err
	}
	kvs, err := counts.KeyValues()
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		if err := k.HexCounts.Set(ctx, collections.Join(uint64(0), kv.Key), kv.Value); err != nil {
			return err
		}
	}
	if err := oldCounts.Clear(ctx, nil); err != nil {
		return err
	}
	staging, err := oldStaging.Iterate(ctx, nil)
	if err != nil {
		return err
	}
	staged, err := staging.KeyValues()
	if err != nil {
		return err
	}
	for _, kv := range staged {
		if err := k.HexCounts.Set(ctx, collections.Join(uint64(1), kv.Key), populationCount(kv.Key, kv.Value)); err != nil {
			return err
		}
	}
	if err := oldStaging.Clear(ctx, nil); err != nil {
		return err
	}
	if err := k.HexGeneration.Set(ctx, 0); err != nil {
		return err
	}
	r, err := k.HexRebuild.Get(ctx)
	if isNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	r.Cells = uint64(len(staged)) // version 1 did not count cells
	return k.HexRebuild.Set(ctx, r)
}

// Migrate2to3 splits the retention. Version 2 kept PoC records and reward
// shares for retention_epochs; version 3 keeps the full records shorter
// (version 3's record_retention_epochs; Migrate3to4 sets its successor,
// record_retention_blocks) and the shares as before. The single pruning
// mark becomes both marks: epochs already being pruned stay so.
//
// Version 3 also closes PoCs without verifying their reports again, because
// relaying verified each one; but version 1's genesis took open PoCs
// without checking their reports. So every open PoC's reports are checked
// here: one that does not verify is dropped, and the others are stored as
// version 3 stores them, without the beacon's payload (a relay's gas
// limit counts on that).
func (m Migrator) Migrate2to3(ctx sdk.Context) error {
	k := m.k
	it, err := k.OpenPocs.Iterate(ctx, nil)
	if err != nil {
		return err
	}
	open, err := it.KeyValues()
	if err != nil {
		return err
	}
	for _, kv := range open {
		o := kv.Value
		kept := make([]types.WitnessReport, 0, len(o.Witnesses))
		for _, w := range o.Witnesses {
			if vw := w.WithPayload(o.Beacon.Payload).ToVerify(); !vw.VerifySignature() {
				continue
			}
			if bytes.Equal(w.Payload, o.Beacon.Payload) {
				w.Payload = nil
			}
			kept = append(kept, w)
		}
		o.Witnesses = kept
		if err := k.OpenPocs.Set(ctx, kv.Key, o); err != nil {
			return err
		}
	}
	mark, err := m.legacyPruneBefore()
	if err != nil {
		return err
	}
	before, err := mark.Get(ctx)
	if isNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	return k.SharesPruneBefore.Set(ctx, before)
}

// Migrate3to4 prunes full PoC records by age in blocks instead of by
// epoch: record_retention_blocks (the new param, set to its default)
// replaces record_retention_epochs, and the epoch mark goes. The records
// stay under version 3's epoch index (LegacyPocsByEpoch) here: pruning
// moves them to the height index a budget per block (drainEpochIndex). A
// chain at Helium's scale holds millions of them, and moving them all in
// the upgrade block would halt the chain for as long as that takes.
func (m Migrator) Migrate3to4(ctx sdk.Context) error {
	k := m.k
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	p.RecordRetentionBlocks = types.DefaultParams().RecordRetentionBlocks
	if err := k.Params.Set(ctx, p); err != nil {
		return err
	}
	mark, err := m.legacyPruneBefore()
	if err != nil {
		return err
	}
	return mark.Remove(ctx)
}
