package types

import (
	"github.com/pocnet/pocd/x/poc/verify"
)

// DefaultEpochIdentifier is the x/epochs identifier PoC epochs run on.
const DefaultEpochIdentifier = "poc"

// Floors and caps of the parameters that bound what a block costs.
// Governance moves the values between them; outside them a parameter
// would make verification free or a block unbounded (docs/security.md).
const (
	// MinGasPerWitness: a witness report's ed25519 verification, path-loss
	// bound and stored verdict cost well over this much gas-equivalent work.
	MinGasPerWitness = 5_000
	MaxGasPerWitness = 1_000_000
	// MaxWitnessesPerMsgCap bounds one relay's reports (and one relayer's
	// allowance per open PoC).
	MaxWitnessesPerMsgCap = 256
	// MaxSelectedWitnessesCap bounds HIP-15 selection.
	MaxSelectedWitnessesCap = 64
	// Min/MaxCloseGraceMs: a PoC stays open this long after its first
	// relay. Zero would close it in the block that opened it, and the first
	// relay would fix the witness set again.
	MinCloseGraceMs = 2_000
	MaxCloseGraceMs = 10 * 60_000
	// Per-block budgets: at least enough to make progress, at most what a
	// block can afford (measured in docs/benchmarks.md).
	MinCloseWitnessesPerBlock = 64
	MaxCloseWitnessesPerBlock = 200_000
	MinMaintenancePerBlock    = 100
	MaxMaintenancePerBlock    = 1_000_000
	// MaxEntropyLifespanMs: a day. Block hashes are kept for twice the
	// lifespan, and the relay checks add it and witness_lag_ms to
	// timestamps: bounded, they cannot overflow int64.
	MaxEntropyLifespanMs = 24 * 3600_000
	// DefaultRecordRetentionBlocks keeps full PoC records an hour of 1 s
	// blocks. At Helium's peak an hour of records is about 1.5 GB; a day
	// of them was 36-49 GB (docs/benchmarks.md, "Disk"). The history past
	// it is in the blocks and their events while they are retained, and
	// for good in an archive node or the PostgreSQL event sink; the reward
	// shares stay retention_epochs.
	DefaultRecordRetentionBlocks = 3_600
	// MaxRecordRetentionBlocks: about a year of 1 s blocks. Heights stay
	// far from overflowing int64 when it is subtracted.
	MaxRecordRetentionBlocks = 31_536_000
)

// DefaultParams are Helium's values (docs/poc-rules.md) plus the chain's own.
func DefaultParams() Params {
	v := verify.DefaultParams()
	p := Params{
		EntropyLifespanMs:         v.EntropyLifespanMs,
		BeaconIntervalMs:          v.BeaconIntervalMs,
		WitnessLagMs:              v.WitnessLagMs,
		MaxWitnessLeadMs:          v.MaxWitnessLeadMs,
		MaxFrequencyDeltaHz:       v.MaxFrequencyDeltaHz,
		MinGridDistance:           int32(v.MinGridDistance),
		MinDistanceResolution:     int32(v.MinDistanceResolution),
		MaxDistanceKm:             v.MaxDistanceKm,
		ReciprocityWindowMs:       v.ReciprocityWindowMs,
		MaxSelectedWitnesses:      int32(v.MaxSelectedWitnesses),
		PayloadSize:               int32(v.PayloadSize),
		MaxWitnessesPerMsg:        64,
		GasPerWitness:             25_000,
		HexActivityWindowMs:       60 * 3600_000,
		EpochIdentifier:           DefaultEpochIdentifier,
		RetentionEpochs:           30,
		RecordRetentionBlocks:     DefaultRecordRetentionBlocks,
		CloseGraceMs:              30_000,
		MaxCloseWitnessesPerBlock: 20_000,
		PrunePerBlock:             5_000,
		HexRebuildPerBlock:        2_500, // 2x a normal block at a million hotspots (docs/benchmarks.md, Growth)
	}
	for _, h := range verify.DefaultHexParams() {
		p.HexParams = append(p.HexParams, HexResParams{Res: int32(h.Res), N: h.N, Target: h.Target, Max: h.Max})
	}
	return p
}

// Verify converts to the verifier's parameters.
func (p Params) Verify() verify.Params {
	return verify.Params{
		EntropyLifespanMs:     p.EntropyLifespanMs,
		BeaconIntervalMs:      p.BeaconIntervalMs,
		WitnessLagMs:          p.WitnessLagMs,
		MaxWitnessLeadMs:      p.MaxWitnessLeadMs,
		MaxFrequencyDeltaHz:   p.MaxFrequencyDeltaHz,
		MinGridDistance:       int(p.MinGridDistance),
		MinDistanceResolution: int(p.MinDistanceResolution),
		MaxDistanceKm:         p.MaxDistanceKm,
		ReciprocityWindowMs:   p.ReciprocityWindowMs,
		MaxSelectedWitnesses:  int(p.MaxSelectedWitnesses),
		PayloadSize:           int(p.PayloadSize),
	}
}

// VerifyHexParams converts the HIP-17 table.
func (p Params) VerifyHexParams() []verify.HexResParams { return VerifyHexTable(p.HexParams) }

// VerifyHexTable converts a HIP-17 table (the params', or the one a
// generation of counts was built with).
func VerifyHexTable(table []HexResParams) []verify.HexResParams {
	out := make([]verify.HexResParams, len(table))
	for i, h := range table {
		out[i] = verify.HexResParams{Res: int(h.Res), N: h.N, Target: h.Target, Max: h.Max}
	}
	return out
}

// Validate checks ranges that would make a rule meaningless, verification
// free, or a block's work unbounded.
func (p Params) Validate() error {
	switch {
	case p.EntropyLifespanMs <= 0 || p.EntropyLifespanMs > MaxEntropyLifespanMs:
		return ErrInvalidParams.Wrapf("entropy_lifespan_ms must be 1..%d", MaxEntropyLifespanMs)
	case p.BeaconIntervalMs < 0:
		return ErrInvalidParams.Wrap("beacon_interval_ms must not be negative")
	// A relay is taken after the witness window closes and until the beacon
	// is twice the entropy lifespan old (ErrStaleRelay); the window stays
	// below one lifespan so that span is never empty or a sliver.
	case p.WitnessLagMs <= 0 || p.WitnessLagMs >= p.EntropyLifespanMs || p.MaxWitnessLeadMs < 0:
		return ErrInvalidParams.Wrap("witness_lag_ms must be positive and below entropy_lifespan_ms, and max_witness_lead_ms not negative")
	case p.MinDistanceResolution < 0 || p.MinDistanceResolution > 12:
		return ErrInvalidParams.Wrap("min_distance_resolution must be 0..12")
	case p.MinGridDistance < 0:
		return ErrInvalidParams.Wrap("min_grid_distance must not be negative")
	case p.ReciprocityWindowMs <= 0 || p.HexActivityWindowMs <= 0:
		return ErrInvalidParams.Wrap("windows must be positive")
	case p.MaxSelectedWitnesses <= 0 || p.MaxSelectedWitnesses > MaxSelectedWitnessesCap:
		return ErrInvalidParams.Wrapf("max_selected_witnesses must be 1..%d", MaxSelectedWitnessesCap)
	case p.PayloadSize <= 1 || p.PayloadSize > MaxPayloadBytes:
		return ErrInvalidParams.Wrapf("payload_size must be 2..%d", MaxPayloadBytes)
	case p.MaxWitnessesPerMsg == 0 || p.MaxWitnessesPerMsg > MaxWitnessesPerMsgCap:
		return ErrInvalidParams.Wrapf("max_witnesses_per_msg must be 1..%d", MaxWitnessesPerMsgCap)
	case p.GasPerWitness < MinGasPerWitness || p.GasPerWitness > MaxGasPerWitness:
		return ErrInvalidParams.Wrapf("gas_per_witness must be %d..%d", MinGasPerWitness, MaxGasPerWitness)
	case p.CloseGraceMs < MinCloseGraceMs || p.CloseGraceMs > MaxCloseGraceMs:
		return ErrInvalidParams.Wrapf("close_grace_ms must be %d..%d", MinCloseGraceMs, MaxCloseGraceMs)
	case p.MaxCloseWitnessesPerBlock < MinCloseWitnessesPerBlock || p.MaxCloseWitnessesPerBlock > MaxCloseWitnessesPerBlock:
		return ErrInvalidParams.Wrapf("max_close_witnesses_per_block must be %d..%d", MinCloseWitnessesPerBlock, MaxCloseWitnessesPerBlock)
	case p.PrunePerBlock < MinMaintenancePerBlock || p.PrunePerBlock > MaxMaintenancePerBlock ||
		p.HexRebuildPerBlock < MinMaintenancePerBlock || p.HexRebuildPerBlock > MaxMaintenancePerBlock:
		return ErrInvalidParams.Wrapf("prune_per_block and hex_rebuild_per_block must be %d..%d", MinMaintenancePerBlock, MaxMaintenancePerBlock)
	case p.EpochIdentifier == "":
		return ErrInvalidParams.Wrap("epoch_identifier is required")
	case p.RetentionEpochs == 0:
		return ErrInvalidParams.Wrap("retention_epochs must be positive")
	case p.RecordRetentionBlocks == 0 || p.RecordRetentionBlocks > MaxRecordRetentionBlocks:
		return ErrInvalidParams.Wrapf("record_retention_blocks must be 1..%d", MaxRecordRetentionBlocks)
	}
	return ValidateHexParams(p.HexParams)
}

// ValidateHexParams checks a HIP-17 table: resolutions descending from at
// most 10 (each is rolled up from the one before, the first from the
// population's res 11) and 0 < target <= max.
func ValidateHexParams(table []HexResParams) error {
	if len(table) == 0 {
		return ErrInvalidParams.Wrap("hex_params is required")
	}
	for i, h := range table {
		if h.Res < 0 || h.Res > 10 || (i > 0 && h.Res >= table[i-1].Res) {
			return ErrInvalidParams.Wrap("hex_params resolutions must descend from at most 10")
		}
		if h.Target == 0 || h.Max < h.Target {
			return ErrInvalidParams.Wrapf("hex_params res %d: need 0 < target <= max", h.Res)
		}
	}
	return nil
}

// CanonicalEdge orders an edge so (a, b) and (b, a) are one key.
func CanonicalEdge(a, b string) Edge {
	if b < a {
		a, b = b, a
	}
	return Edge{A: a, B: b}
}
