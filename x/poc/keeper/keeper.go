package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
)

// HotspotKeeper is the part of x/hotspot the rules read.
type HotspotKeeper interface {
	GetHotspot(ctx context.Context, id string) (hotspottypes.Hotspot, error)
	RegionPlan(ctx context.Context, region string) (hotspottypes.RegionPlan, bool, error)
}

// EpochsKeeper tells which epoch shares accrue to.
type EpochsKeeper interface {
	GetEpochInfo(ctx sdk.Context, identifier string) (epochstypes.EpochInfo, error)
}

// PayoutQueue tells the oldest epoch x/rewards has still to pay out. Its
// shares, and every later epoch's, are kept until then, whatever
// retention_epochs says: after a long halt the epochs module ends an
// overdue epoch per block, and the shares' retention could pass while the
// epoch is paid a batch per block.
type PayoutQueue interface {
	OldestQueuedPayout(ctx context.Context) (epoch int64, queued bool, err error)
}

// StakingKeeper tells whether a relayer's validator is in the active set.
type StakingKeeper interface {
	GetValidator(ctx context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error)
}

// OpenPocIndexes: the closing queue, ordered by close time.
type OpenPocIndexes struct {
	ByClose *indexes.Multi[int64, []byte, types.OpenPoc]
}

// IndexesList implements collections.Indexes.
func (i OpenPocIndexes) IndexesList() []collections.Index[[]byte, types.OpenPoc] {
	return []collections.Index[[]byte, types.OpenPoc]{i.ByClose}
}

// RelayerIndexes: one relay account serves one validator, and one ingest
// peer ID belongs to one validator (registrations without one are not in
// IngestPeer).
type RelayerIndexes struct {
	Account    *indexes.Unique[string, string, types.RelayerRegistration]
	IngestPeer *optionalUnique[string, types.RelayerRegistration]
}

// IndexesList implements collections.Indexes.
func (i RelayerIndexes) IndexesList() []collections.Index[string, types.RelayerRegistration] {
	return []collections.Index[string, types.RelayerRegistration]{i.Account, i.IngestPeer}
}

// Keeper stores PoC verdicts, per-hotspot activity and reward shares.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService corestore.KVStoreService // for migrations of retired prefixes
	addressCodec address.Codec
	valCodec     address.Codec
	authority    string
	hotspots     HotspotKeeper
	epochs       EpochsKeeper
	staking      StakingKeeper
	payouts      PayoutQueue // nil: no module pays from the shares

	Schema         collections.Schema
	Params         collections.Item[types.Params]
	Pocs           collections.Map[[]byte, types.PocRecord]
	PocsByBeaconer collections.Map[collections.Pair[string, uint64], []byte]
	Witnesses      collections.Map[collections.Triple[string, uint64, string], types.WitnessRecord]
	Witnessed      collections.KeySet[collections.Triple[string, uint64, string]]
	PocsByHeight   collections.KeySet[collections.Pair[int64, []byte]]
	// LegacyPocsByEpoch is version 3's index of the same records, drained
	// into PocsByHeight a budget per block (maintenance.go).
	LegacyPocsByEpoch collections.KeySet[collections.Pair[int64, []byte]]
	Seq               collections.Sequence
	Activity          collections.Map[string, types.HotspotActivity]
	Shares            collections.Map[collections.Pair[int64, string], types.RewardShares]
	DeniedHotspots    collections.KeySet[string]
	DeniedEdges       collections.KeySet[collections.Pair[string, string]]
	// HexCounts: (generation, cell) -> the cell's HIP-17 numbers. Readers
	// use HexGeneration's; a rebuild writes the next one beside it.
	HexCounts     collections.Map[collections.Pair[uint64, uint64], types.HexCount]
	HexGeneration collections.Item[uint64]
	// HexTable is the HIP-17 table the generation in use was built with;
	// scales are read with it, not with a table changed since.
	HexTable collections.Item[types.HexTable]
	HexEpoch collections.Item[int64]
	Entropy  collections.Map[int64, types.BlockEntropy]
	// EpochTotals sums Shares per epoch, so settlement never iterates hotspots.
	EpochTotals collections.Map[int64, types.RewardShares]
	// OpenPocs are relayed PoCs still accepting witness reports.
	OpenPocs *collections.IndexedMap[[]byte, types.OpenPoc, OpenPocIndexes]
	// Relayers: validator operator -> its registered relay account and
	// ingest peer ID.
	Relayers *collections.IndexedMap[string, types.RelayerRegistration, RelayerIndexes]
	// SharesPruneBefore (reward shares) and HexRebuild are the cursors of
	// the epoch-boundary work done a budget per block (maintenance.go,
	// hex_rebuild.go). PoC records need none: PocsByHeight orders them by
	// the height that judged them.
	SharesPruneBefore collections.Item[int64]
	HexRebuild        collections.Item[types.HexRebuild]
}

// NewKeeper builds the keeper.
func NewKeeper(cdc codec.BinaryCodec, storeService corestore.KVStoreService, addressCodec, validatorAddressCodec address.Codec,
	hotspots HotspotKeeper, epochs EpochsKeeper, staking StakingKeeper, authority string,
) *Keeper {
	sb := collections.NewSchemaBuilder(storeService)
	k := &Keeper{
		cdc: cdc, storeService: storeService, addressCodec: addressCodec, valCodec: validatorAddressCodec, authority: authority,
		hotspots: hotspots, epochs: epochs, staking: staking,
		Params: collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Pocs:   collections.NewMap(sb, types.PocsKey, "pocs", collections.BytesKey, codec.CollValue[types.PocRecord](cdc)),
		PocsByBeaconer: collections.NewMap(sb, types.PocsByBeaconerKey, "pocs_by_beaconer",
			collections.PairKeyCodec(collections.StringKey, collections.Uint64Key), collections.BytesValue),
		Witnesses: collections.NewMap(sb, types.WitnessesKey, "witnesses",
			collections.TripleKeyCodec(collections.StringKey, collections.Uint64Key, collections.StringKey),
			codec.CollValue[types.WitnessRecord](cdc)),
		Witnessed: collections.NewKeySet(sb, types.WitnessedKey, "witnessed",
			collections.TripleKeyCodec(collections.StringKey, collections.Uint64Key, collections.StringKey)),
		PocsByHeight: collections.NewKeySet(sb, types.PocsByHeightKey, "pocs_by_height",
			collections.PairKeyCodec(collections.Int64Key, collections.BytesKey)),
		LegacyPocsByEpoch: collections.NewKeySet(sb, types.LegacyPocsByEpochKey, "pocs_by_epoch",
			collections.PairKeyCodec(collections.Int64Key, collections.BytesKey)),
		Seq:      collections.NewSequence(sb, types.SeqKey, "seq"),
		Activity: collections.NewMap(sb, types.ActivityKey, "activity", collections.StringKey, codec.CollValue[types.HotspotActivity](cdc)),
		Shares: collections.NewMap(sb, types.SharesKey, "shares",
			collections.PairKeyCodec(collections.Int64Key, collections.StringKey), codec.CollValue[types.RewardShares](cdc)),
		DeniedHotspots: collections.NewKeySet(sb, types.DeniedHotspotsKey, "denied_hotspots", collections.StringKey),
		DeniedEdges: collections.NewKeySet(sb, types.DeniedEdgesKey, "denied_edges",
			collections.PairKeyCodec(collections.StringKey, collections.StringKey)),
		HexCounts: collections.NewMap(sb, types.HexCountsKey, "hex_counts",
			collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key), codec.CollValue[types.HexCount](cdc)),
		HexGeneration: collections.NewItem(sb, types.HexGenerationKey, "hex_generation", collections.Uint64Value),
		HexTable:      collections.NewItem(sb, types.HexTableKey, "hex_table", codec.CollValue[types.HexTable](cdc)),
		HexEpoch:      collections.NewItem(sb, types.HexEpochKey, "hex_epoch", collections.Int64Value),
		Entropy:       collections.NewMap(sb, types.EntropyKey, "entropy", collections.Int64Key, codec.CollValue[types.BlockEntropy](cdc)),
		EpochTotals:   collections.NewMap(sb, types.EpochTotalsKey, "epoch_totals", collections.Int64Key, codec.CollValue[types.RewardShares](cdc)),
		OpenPocs: collections.NewIndexedMap(sb, types.OpenPocsKey, "open_pocs", collections.BytesKey, codec.CollValue[types.OpenPoc](cdc),
			OpenPocIndexes{ByClose: indexes.NewMulti(sb, types.OpenByCloseKey, "open_pocs_by_close", collections.Int64Key, collections.BytesKey,
				func(_ []byte, op types.OpenPoc) (int64, error) { return op.CloseAtMs, nil })}),
		Relayers: collections.NewIndexedMap(sb, types.RelayersKey, "relayers", collections.StringKey, codec.CollValue[types.RelayerRegistration](cdc),
			RelayerIndexes{
				Account: indexes.NewUnique(sb, types.RelayersByAccount, "relayers_by_account", collections.StringKey, collections.StringKey,
					func(_ string, r types.RelayerRegistration) (string, error) { return r.Relayer, nil }),
				IngestPeer: newOptionalUnique(sb, types.RelayersByIngestPeer, "relayers_by_ingest_peer", collections.StringKey,
					func(_ string, r types.RelayerRegistration) string { return r.IngestPeer }),
			}),
		SharesPruneBefore: collections.NewItem(sb, types.SharesPruneBeforeKey, "shares_prune_before", collections.Int64Value),
		HexRebuild:        collections.NewItem(sb, types.HexRebuildKey, "hex_rebuild", codec.CollValue[types.HexRebuild](cdc)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority is the governance address.
func (k *Keeper) Authority() string { return k.authority }

// SetPayoutQueue gives pruning the module that pays from the shares
// (x/rewards, built after this keeper because it reads the shares).
func (k *Keeper) SetPayoutQueue(q PayoutQueue) { k.payouts = q }

// requireEpoch fails unless x/epochs runs the identifier: without it shares
// would pile up in epoch 0 and the hex density would never be recomputed.
// (x/epochs initialises its genesis before x/poc.)
func (k *Keeper) requireEpoch(ctx context.Context, identifier string) error {
	if _, err := k.epochs.GetEpochInfo(sdk.UnwrapSDKContext(ctx), identifier); err != nil {
		return types.ErrInvalidParams.Wrapf("x/epochs has no epoch %q: %v", identifier, err)
	}
	return nil
}

// currentEpoch is the epoch shares accrue to (0 before the epoch starts).
func (k *Keeper) currentEpoch(ctx sdk.Context, p types.Params) int64 {
	info, err := k.epochs.GetEpochInfo(ctx, p.EpochIdentifier)
	if err != nil {
		return 0
	}
	return info.CurrentEpoch
}
