package verify

// Params are the rule constants (defaults: docs/poc-rules.md).
type Params struct {
	EntropyLifespanMs     int64  // 180000
	BeaconIntervalMs      int64  // 6 h, buckets aligned to the Unix epoch (UTC midnight)
	WitnessLagMs          int64  // 4000: witness after beacon
	MaxWitnessLeadMs      int64  // 1000: witness before beacon
	MaxFrequencyDeltaHz   uint64 // 100000
	MinGridDistance       int    // 8, between resolution-11 parents
	MinDistanceResolution int    // 11
	MaxDistanceKm         uint64 // 100
	ReciprocityWindowMs   int64  // 48 h
	MaxSelectedWitnesses  int    // 14
	PayloadSize           int    // 51
}

// DefaultParams are Helium's last values.
func DefaultParams() Params {
	return Params{
		EntropyLifespanMs:     180_000,
		BeaconIntervalMs:      6 * 3600_000,
		WitnessLagMs:          4000,
		MaxWitnessLeadMs:      1000,
		MaxFrequencyDeltaHz:   100_000,
		MinGridDistance:       8,
		MinDistanceResolution: 11,
		MaxDistanceKm:         100,
		ReciprocityWindowMs:   48 * 3600_000,
		MaxSelectedWitnesses:  14,
		PayloadSize:           51,
	}
}
