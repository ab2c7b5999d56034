package types

import (
	"github.com/pocnet/pocd/x/poc/verify"
)

// DefaultEpochIdentifier is the x/epochs identifier PoC epochs run on.
const DefaultEpochIdentifier = "poc"

// DefaultParams are Helium's values (docs/poc-rules.md) plus the chain's own.
func DefaultParams() Params {
	v := verify.DefaultParams()
	p := Params{
		EntropyLifespanMs:     v.EntropyLifespanMs,
		BeaconIntervalMs:      v.BeaconIntervalMs,
		WitnessLagMs:          v.WitnessLagMs,
		FirstWitnessLagMs:     v.FirstWitnessLagMs,
		MaxFrequencyDeltaHz:   v.MaxFrequencyDeltaHz,
		MinGridDistance:       int32(v.MinGridDistance),
		MinDistanceResolution: int32(v.MinDistanceResolution),
		MaxDistanceKm:         v.MaxDistanceKm,
		ReciprocityWindowMs:   v.ReciprocityWindowMs,
		MaxSelectedWitnesses:  int32(v.MaxSelectedWitnesses),
		PayloadSize:           int32(v.PayloadSize),
		MaxWitnessesPerMsg:    64,
		GasPerWitness:         25_000,
		HexActivityWindowMs:   60 * 3600_000,
		EpochIdentifier:       DefaultEpochIdentifier,
		RetentionEpochs:       30,
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
		FirstWitnessLagMs:     p.FirstWitnessLagMs,
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
func (p Params) VerifyHexParams() []verify.HexResParams {
	out := make([]verify.HexResParams, len(p.HexParams))
	for i, h := range p.HexParams {
		out[i] = verify.HexResParams{Res: int(h.Res), N: h.N, Target: h.Target, Max: h.Max}
	}
	return out
}

// Validate checks ranges that would make a rule meaningless.
func (p Params) Validate() error {
	switch {
	case p.EntropyLifespanMs <= 0:
		return ErrInvalidParams.Wrap("entropy_lifespan_ms must be positive")
	case p.BeaconIntervalMs < 0:
		return ErrInvalidParams.Wrap("beacon_interval_ms must not be negative")
	case p.WitnessLagMs <= 0 || p.FirstWitnessLagMs <= 0:
		return ErrInvalidParams.Wrap("witness lags must be positive")
	case p.MinDistanceResolution < 0 || p.MinDistanceResolution > 12:
		return ErrInvalidParams.Wrap("min_distance_resolution must be 0..12")
	case p.MinGridDistance < 0:
		return ErrInvalidParams.Wrap("min_grid_distance must not be negative")
	case p.ReciprocityWindowMs <= 0 || p.HexActivityWindowMs <= 0:
		return ErrInvalidParams.Wrap("windows must be positive")
	case p.MaxSelectedWitnesses <= 0:
		return ErrInvalidParams.Wrap("max_selected_witnesses must be positive")
	case p.PayloadSize <= 1:
		return ErrInvalidParams.Wrap("payload_size must be at least 2")
	case p.MaxWitnessesPerMsg == 0:
		return ErrInvalidParams.Wrap("max_witnesses_per_msg must be positive")
	case p.EpochIdentifier == "":
		return ErrInvalidParams.Wrap("epoch_identifier is required")
	case p.RetentionEpochs == 0:
		return ErrInvalidParams.Wrap("retention_epochs must be positive")
	case len(p.HexParams) == 0:
		return ErrInvalidParams.Wrap("hex_params is required")
	}
	for i, h := range p.HexParams {
		if h.Res < 0 || h.Res > 10 || (i > 0 && h.Res >= p.HexParams[i-1].Res) {
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
