package types

import (
	"math/big"

	sdkmath "cosmossdk.io/math"
)

// Bones per HNT.
var bonesPerHNT = sdkmath.NewInt(100_000_000)

// MinHistoryEpochs is the payout horizon: how many epochs after its
// settlement an epoch can still be paid. Payouts read an epoch's shares from
// x/poc, which starts pruning them retention_epochs (30 by default) + 1
// epochs after the epoch (a budget per block); until then the epoch's batches
// or a transfer (BeforeHotspotTransfer) can pay a hotspot for it, and only
// the hotspot's HotspotReward record for the epoch stops a second payment.
// Paying the hotspot for epoch E deletes its record for E - history_epochs,
// so a shorter history could delete a record while its epoch can still be
// paid. x/rewards cannot read x/poc's parameters, so the keeper also never
// deletes a record of an epoch still queued for payout: that covers a
// pruning that lags, or a longer retention set later by governance.
const MinHistoryEpochs = 31

// DefaultParams: Helium's L1 schedule — 5,000,000 HNT per 30 days, halving
// every two years, capped at 223,000,000 HNT — split 16 % beacons, 64 %
// witnesses, 10 % validators, 10 % community pool.
func DefaultParams() Params {
	return Params{
		EpochIdentifier:        "poc",
		EmissionPerPeriod:      sdkmath.NewInt(5_000_000).Mul(bonesPerHNT),
		EmissionPeriodSeconds:  30 * 24 * 3600,
		HalvingIntervalSeconds: 730 * 24 * 3600,
		MaxSupply:              sdkmath.NewInt(223_000_000).Mul(bonesPerHNT),
		BeaconShare:            sdkmath.LegacyNewDecWithPrec(16, 2),
		WitnessShare:           sdkmath.LegacyNewDecWithPrec(64, 2),
		ValidatorShare:         sdkmath.LegacyNewDecWithPrec(10, 2),
		CommunityShare:         sdkmath.LegacyNewDecWithPrec(10, 2),
		// A payout block at a million hotspots costs about 1 ms a hotspot:
		// 600 keep it within 2x a normal block (docs/benchmarks.md, Growth).
		PayoutBatchSize: 600,
		HistoryEpochs:   365,
	}
}

// Validate checks the schedule and that the split sums to exactly 1.
func (p Params) Validate() error {
	if p.EpochIdentifier == "" {
		return ErrInvalidParams.Wrap("epoch_identifier is required")
	}
	if p.EmissionPerPeriod.IsNil() || p.EmissionPerPeriod.IsNegative() || p.MaxSupply.IsNil() || p.MaxSupply.IsNegative() {
		return ErrInvalidParams.Wrap("emission_per_period and max_supply must be non-negative")
	}
	if p.EmissionPeriodSeconds <= 0 || p.HalvingIntervalSeconds <= 0 {
		return ErrInvalidParams.Wrap("periods must be positive")
	}
	sum := sdkmath.LegacyZeroDec()
	for _, d := range []sdkmath.LegacyDec{p.BeaconShare, p.WitnessShare, p.ValidatorShare, p.CommunityShare} {
		if d.IsNil() || d.IsNegative() {
			return ErrInvalidParams.Wrap("shares must be non-negative")
		}
		sum = sum.Add(d)
	}
	if !sum.Equal(sdkmath.LegacyOneDec()) {
		return ErrInvalidParams.Wrapf("shares sum to %s, not 1", sum)
	}
	if p.PayoutBatchSize == 0 {
		return ErrInvalidParams.Wrap("payout_batch_size must be positive")
	}
	if p.HistoryEpochs < MinHistoryEpochs {
		return ErrInvalidParams.Wrapf("history_epochs %d is below the payout horizon of %d epochs: an epoch can still be paid "+
			"(by its batches, or early at a transfer) until x/poc prunes its shares, from retention_epochs (30) + 1 epochs after it, "+
			"and a hotspot's record for the epoch, which stops it being paid twice, must outlive that", p.HistoryEpochs, MinHistoryEpochs)
	}
	return nil
}

// EpochEmission is the bones minted for epoch (1-based) when epochs last
// epochSeconds: emission_per_period x epochSeconds / period, halved (floor)
// once per completed halving interval since the start of epoch 1. The supply
// cap is applied by the keeper, which knows the supply.
func (p Params) EpochEmission(epoch, epochSeconds int64) sdkmath.Int {
	if epoch < 1 || epochSeconds <= 0 {
		return sdkmath.ZeroInt()
	}
	base := p.EmissionPerPeriod.MulRaw(epochSeconds).QuoRaw(p.EmissionPeriodSeconds)
	halvings := (epoch - 1) * epochSeconds / p.HalvingIntervalSeconds
	if halvings >= 128 {
		return sdkmath.ZeroInt()
	}
	return sdkmath.NewIntFromBigInt(new(big.Int).Rsh(base.BigInt(), uint(halvings)))
}

// NextHalvingEpoch is the first epoch after `epoch` with one more halving.
func (p Params) NextHalvingEpoch(epoch, epochSeconds int64) int64 {
	if epochSeconds <= 0 {
		return 0
	}
	h := (max(epoch, 1) - 1) * epochSeconds / p.HalvingIntervalSeconds
	need := (h + 1) * p.HalvingIntervalSeconds // (E'-1) * D >= need
	return (need+epochSeconds-1)/epochSeconds + 1
}

// Split divides an emission: validators, community and beacons get their
// truncated share, witnesses the remainder, so no bone is lost to rounding.
func (p Params) Split(emission sdkmath.Int) (beacon, witness, validator, community sdkmath.Int) {
	e := sdkmath.LegacyNewDecFromInt(emission)
	validator = e.Mul(p.ValidatorShare).TruncateInt()
	community = e.Mul(p.CommunityShare).TruncateInt()
	beacon = e.Mul(p.BeaconShare).TruncateInt()
	witness = emission.Sub(validator).Sub(community).Sub(beacon)
	return
}
