package types

import "cosmossdk.io/collections"

const (
	ModuleName = "poc"
	StoreKey   = ModuleName
)

// Store prefixes; never reuse a number.
var (
	ParamsKey         = collections.NewPrefix(0)
	PocsKey           = collections.NewPrefix(1) // beacon id -> PocRecord
	PocsByBeaconerKey = collections.NewPrefix(2) // (beaconer, seq) -> beacon id
	WitnessesKey      = collections.NewPrefix(3) // (beaconer, seq, witness) -> WitnessRecord
	WitnessedKey      = collections.NewPrefix(4) // (witness, seq, beaconer)
	// LegacyPocsByEpochKey: (epoch, beacon id), consensus version 3's
	// record index. Pruning drains it into PocsByHeightKey after the v3
	// upgrade; empty on a chain that started after it.
	LegacyPocsByEpochKey = collections.NewPrefix(5)
	SeqKey               = collections.NewPrefix(6)  // next PoC sequence number
	ActivityKey          = collections.NewPrefix(7)  // hotspot -> HotspotActivity
	SharesKey            = collections.NewPrefix(8)  // (epoch, hotspot) -> RewardShares
	DeniedHotspotsKey    = collections.NewPrefix(9)  // hotspot
	DeniedEdgesKey       = collections.NewPrefix(10) // (a, b), a < b
	// 11 (cell -> HexCount) is retired: counts now live in generations (23).
	HexEpochKey       = collections.NewPrefix(12) // epoch of the last recomputation
	EntropyKey        = collections.NewPrefix(13) // height -> BlockEntropy
	EpochTotalsKey    = collections.NewPrefix(14) // epoch -> RewardShares (sum over hotspots)
	OpenPocsKey       = collections.NewPrefix(15) // beacon id -> OpenPoc
	OpenByCloseKey    = collections.NewPrefix(16) // (close_at_ms, beacon id): the closing queue
	RelayersKey       = collections.NewPrefix(17) // validator operator -> RelayerRegistration
	RelayersByAccount = collections.NewPrefix(18) // (relay account, validator operator)
	// 19 (the epoch mark of record pruning) is retired with 5.
	HexRebuildKey = collections.NewPrefix(20) // HexRebuild in progress
	// 21 (res-11 cell -> count of the rebuild in progress) is retired: a
	// rebuild counts straight into the next generation (23).
	// RelayersByIngestPeer: ingest peer ID -> validator operator, for the
	// registrations that have one.
	RelayersByIngestPeer = collections.NewPrefix(22)
	// HexCountsKey: (generation, cell) -> HexCount. Cells of one resolution
	// are contiguous (an H3 index holds its resolution above its digits),
	// so a rebuild walks one resolution of one generation as a range.
	HexCountsKey     = collections.NewPrefix(23)
	HexGenerationKey = collections.NewPrefix(24) // generation of HexCounts in use
	HexTableKey      = collections.NewPrefix(25) // HIP-17 table of the generation in use
	// SharesPruneBeforeKey: reward shares and totals of epochs before it are
	// being pruned.
	SharesPruneBeforeKey = collections.NewPrefix(26)
	// PocsByHeightKey: (judging height, beacon id), the pruning order of
	// full PoC records.
	PocsByHeightKey = collections.NewPrefix(27)
)

// MaxRecordedPocsQuery bounds the beacon ids in one RecordedPocs request;
// MaxRecordedPocsWithKeys bounds them when the request asks for report
// keys, which make an open PoC's answer up to 4 x max_witnesses_per_msg x
// 32 bytes (35 KB at the parameter cap): 100 full ones stay under gRPC's
// default 4 MiB message size.
const (
	MaxRecordedPocsQuery    = 1000
	MaxRecordedPocsWithKeys = 100
)
