package types

import (
	"fmt"
	"sort"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// BondDenom is the base denomination (1 HNT = 10^8 bones).
const BondDenom = "bones"

// Default gain bounds in tenths of dBi (Helium's 1.0 .. 15.0 dBi).
const (
	DefaultMinGain = 10
	DefaultMaxGain = 150
	// DefaultGain is what hotspotd asserts when the owner does not say.
	DefaultGain = 12
	// DefaultMaxElevation in metres: above the tallest masts (about 600 m),
	// so only an impossible assertion is refused.
	DefaultMaxElevation = 1000
)

func mhz(vs ...float64) []uint64 {
	out := make([]uint64, len(vs))
	for i, v := range vs {
		// Only used on constant literals with at most 4 decimals; rounding to
		// the nearest Hz makes the result exact.
		out[i] = uint64(v*1e6 + 0.5)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// DefaultRegionPlans follows the LoRaWAN Regional Parameters (RP002) as Helium
// used them: US915 and AU915 on sub-band 2, AS923-2..4 offset from AS923-1 by
// -1.8, -6.6 and -5.9 MHz. max_eirp is Helium's per-region value in ddBm.
// data_rate is the slowest rate whose maximum payload fits a 51-byte beacon.
func DefaultRegionPlans() []RegionPlan {
	plan := func(region string, eirp int32, dr string, ch []uint64) RegionPlan {
		return RegionPlan{Region: region, ChannelFrequenciesHz: ch, BandwidthHz: 125_000, MaxEirpDdbm: eirp, DataRate: dr}
	}
	return []RegionPlan{
		plan("US915", 360, "SF9BW125", mhz(903.9, 904.1, 904.3, 904.5, 904.7, 904.9, 905.1, 905.3)),
		plan("EU868", 160, "SF12BW125", mhz(867.1, 867.3, 867.5, 867.7, 867.9, 868.1, 868.3, 868.5)),
		plan("AU915", 300, "SF12BW125", mhz(916.8, 917.0, 917.2, 917.4, 917.6, 917.8, 918.0, 918.2)),
		plan("AS923-1", 160, "SF12BW125", mhz(922.0, 922.2, 922.4, 922.6, 922.8, 923.0, 923.2, 923.4)),
		plan("AS923-2", 160, "SF12BW125", mhz(920.2, 920.4, 920.6, 920.8, 921.0, 921.2, 921.4, 921.6)),
		plan("AS923-3", 160, "SF12BW125", mhz(915.4, 915.6, 915.8, 916.0, 916.2, 916.4, 916.6, 916.8)),
		plan("AS923-4", 160, "SF12BW125", mhz(916.1, 916.3, 916.5, 916.7, 916.9, 917.1, 917.3, 917.5)),
		plan("KR920", 140, "SF12BW125", mhz(922.1, 922.3, 922.5, 922.7, 922.9, 923.1, 923.3)),
		plan("IN865", 300, "SF12BW125", mhz(865.0625, 865.4025, 865.985)),
		plan("CN470", 191, "SF12BW125", mhz(486.3, 486.5, 486.7, 486.9, 487.1, 487.3, 487.5, 487.7)),
		plan("EU433", 121, "SF12BW125", mhz(433.175, 433.375, 433.575)),
	}
}

// DefaultParams: 40 HNT to onboard, 10 HNT to move (Helium charged $40 / $10
// in data credits; we charge HNT into the community pool).
func DefaultParams() Params {
	return Params{
		OnboardingFee: sdk.NewCoins(sdk.NewCoin(BondDenom, sdkmath.NewInt(40_0000_0000))),
		LocationFee:   sdk.NewCoins(sdk.NewCoin(BondDenom, sdkmath.NewInt(10_0000_0000))),
		MinGain:       DefaultMinGain,
		MaxGain:       DefaultMaxGain,
		RegionPlans:   DefaultRegionPlans(),
		MaxElevation:  DefaultMaxElevation,
	}
}

// Validate checks the parameters for internal consistency.
func (p Params) Validate() error {
	if err := p.OnboardingFee.Validate(); err != nil {
		return ErrInvalidParams.Wrapf("onboarding_fee: %v", err)
	}
	if err := p.LocationFee.Validate(); err != nil {
		return ErrInvalidParams.Wrapf("location_fee: %v", err)
	}
	if p.MinGain < 0 || p.MinGain > p.MaxGain {
		return ErrInvalidParams.Wrapf("gain bounds [%d, %d] are not an interval of non-negative tenths of dBi", p.MinGain, p.MaxGain)
	}
	if p.MaxElevation <= 0 {
		return ErrInvalidParams.Wrapf("max_elevation %d must be positive metres", p.MaxElevation)
	}
	if len(p.RegionPlans) == 0 {
		return ErrInvalidParams.Wrap("at least one region plan is required")
	}
	seen := make(map[string]bool, len(p.RegionPlans))
	for _, rp := range p.RegionPlans {
		if err := rp.Validate(); err != nil {
			return err
		}
		if seen[rp.Region] {
			return ErrInvalidParams.Wrapf("region %s listed twice", rp.Region)
		}
		seen[rp.Region] = true
	}
	return nil
}

// Validate checks one region plan.
func (rp RegionPlan) Validate() error {
	if rp.Region == "" {
		return ErrInvalidParams.Wrap("region plan without a name")
	}
	if len(rp.ChannelFrequenciesHz) == 0 {
		return ErrInvalidParams.Wrapf("region %s has no channels", rp.Region)
	}
	for i, f := range rp.ChannelFrequenciesHz {
		if f < 100_000_000 || f > 3_000_000_000 {
			return ErrInvalidParams.Wrapf("region %s channel %d Hz is not a LoRa frequency", rp.Region, f)
		}
		if i > 0 && f <= rp.ChannelFrequenciesHz[i-1] {
			return ErrInvalidParams.Wrapf("region %s channels must be strictly ascending", rp.Region)
		}
	}
	if rp.BandwidthHz == 0 {
		return ErrInvalidParams.Wrapf("region %s has zero bandwidth", rp.Region)
	}
	if rp.DataRate == "" {
		return ErrInvalidParams.Wrapf("region %s has no data rate", rp.Region)
	}
	return nil
}

// RegionPlan returns the plan named region.
func (p Params) RegionPlan(region string) (RegionPlan, bool) {
	for _, rp := range p.RegionPlans {
		if rp.Region == region {
			return rp, true
		}
	}
	return RegionPlan{}, false
}

// CheckGain returns ErrGainOutOfBounds unless min_gain <= gain <= max_gain.
func (p Params) CheckGain(gain int32) error {
	if gain < p.MinGain || gain > p.MaxGain {
		return ErrGainOutOfBounds.Wrapf("gain %d not in [%d, %d] tenths of dBi", gain, p.MinGain, p.MaxGain)
	}
	return nil
}

// CheckElevation returns ErrElevationOutOfBounds unless 0 <= elevation <= max_elevation.
func (p Params) CheckElevation(elevation int32) error {
	if elevation < 0 || elevation > p.MaxElevation {
		return ErrElevationOutOfBounds.Wrapf("elevation %d not in [0, %d] metres", elevation, p.MaxElevation)
	}
	return nil
}

// ParseHotspotMode accepts "full" / "data_only" (and the enum names).
func ParseHotspotMode(s string) (HotspotMode, error) {
	switch s {
	case "full", "FULL", "HOTSPOT_MODE_FULL":
		return HOTSPOT_MODE_FULL, nil
	case "data_only", "dataonly", "DATA_ONLY", "HOTSPOT_MODE_DATA_ONLY":
		return HOTSPOT_MODE_DATA_ONLY, nil
	}
	return 0, ErrInvalidMode.Wrapf("%q is not full or data_only", s)
}

// CheckMode rejects the unspecified and unknown modes.
func CheckMode(m HotspotMode) error {
	if m != HOTSPOT_MODE_FULL && m != HOTSPOT_MODE_DATA_ONLY {
		return ErrInvalidMode.Wrapf("mode %d is not full or data_only", m)
	}
	return nil
}

var _ fmt.Stringer = Cell(0)
