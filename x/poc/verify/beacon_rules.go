package verify

import "bytes"

// BeaconVerdict is the outcome of the beacon checks. The chain runs them
// when a PoC opens (an attempt uses up its interval bucket then) and keeps
// the result for the close.
type BeaconVerdict struct {
	BeaconReason  Reason
	BeaconSide    Side
	Beaconer      Hotspot
	BeaconerKnown bool
	// UsedBucket is set when an authentic beacon reached the interval
	// check: the attempt uses up Bucket whether or not it is valid.
	UsedBucket bool
	Bucket     int64
	// EntropyFound and EntropyMs: the beacon's entropy block and its time,
	// which bound the witnesses' timestamps too.
	EntropyFound bool
	EntropyMs    int64
}

// JudgeBeacon runs beacon checks 1-9 (docs/poc-rules.md) at block time nowMs.
func JudgeBeacon(p Params, chain Chain, b *Beacon, nowMs int64, opt Options) BeaconVerdict {
	var v BeaconVerdict
	if !opt.SkipHistory {
		v.EntropyMs, v.EntropyFound = chain.EntropyTimeMs(b.EntropyHeight, b.EntropyHash)
	}
	v.BeaconReason, v.BeaconSide = beaconRules(p, chain, b, nowMs, opt, &v)
	// Only an authentic attempt uses up the beaconer's bucket: otherwise
	// anyone could forge beacons to silence a hotspot. (The chain refuses a
	// beacon whose signature fails before judging it.)
	if v.UsedBucket && !opt.SkipSignatures && v.BeaconReason != Valid && !b.VerifySignature() {
		v.UsedBucket = false
	}
	return v
}

func beaconRules(p Params, chain Chain, b *Beacon, nowMs int64, opt Options, v *BeaconVerdict) (Reason, Side) {
	h, ok := chain.Hotspot(b.Pubkey)
	if !ok {
		return ReasonGatewayNotFound, SideBeaconer
	}
	v.Beaconer, v.BeaconerKnown = h, true
	if !h.Asserted {
		return ReasonNotAsserted, SideBeaconer
	}
	if !opt.SkipHistory && chain.Denied(h.Address) {
		return ReasonDenied, SideBeaconer
	}
	tsMs := b.TimestampNs / 1e6
	if !opt.SkipHistory {
		if !v.EntropyFound || tsMs < v.EntropyMs || tsMs > v.EntropyMs+p.EntropyLifespanMs || tsMs > nowMs {
			return ReasonEntropyExpired, SideBeaconer
		}
	}
	if h.DataOnly {
		return ReasonInvalidCapability, SideBeaconer
	}
	if !opt.SkipHistory && p.BeaconIntervalMs > 0 {
		bucket := floorDiv(tsMs, p.BeaconIntervalMs)
		v.UsedBucket, v.Bucket = true, bucket
		// Not merely "not equal": a hotspot alternating beacons stamped in
		// buckets k+1 and k (both within the entropy lifespan of a 6 h
		// boundary) would otherwise beacon without bound.
		if last, ok := chain.LastBeaconBucket(h.Address); ok && bucket <= last {
			return ReasonIrregularInterval, SideBeaconer
		}
	}
	plan, ok := chain.RegionPlan(h.Region)
	if !ok || len(plan.Channels) == 0 {
		return ReasonInvalidPacket, SideBeaconer
	}
	if len(b.Payload) != p.PayloadSize {
		return ReasonInvalidPacket, SideBeaconer
	}
	if opt.SkipHistory {
		if !contains(plan.Channels, b.FrequencyHz) {
			return ReasonInvalidPacket, SideBeaconer
		}
	} else {
		if len(b.LocalEntropy) != LocalEntropySize || !bytes.Equal(b.Payload, BeaconPayload(b.EntropyHash, b.Pubkey, b.LocalEntropy, p.PayloadSize)) {
			return ReasonInvalidPacket, SideBeaconer
		}
		if b.FrequencyHz != plan.Channels[BeaconChannel(b.Payload, len(plan.Channels))] || b.DataRate != plan.DataRate {
			return ReasonInvalidPacket, SideBeaconer
		}
	}
	if int64(b.TxPowerDBm) > MaxConductedPowerDBm(plan.MaxEIRPDdbm, h.Gain) {
		return ReasonInvalidTxPower, SideBeaconer
	}
	if !opt.SkipSignatures && !b.VerifySignature() {
		return ReasonBadSignature, SideBeaconer
	}
	return Valid, SideNone
}

// MaxConductedPowerDBm is the highest transmit power a beacon may declare:
// trunc(max EIRP in dBm) - trunc(antenna gain in dBi), Helium's
// conducted-power rule. Both inputs are int32 tenths, so the int64 result
// cannot overflow and compares safely with any int32 power.
func MaxConductedPowerDBm(maxEIRPDdbm, gainDdbi int32) int64 {
	return int64(maxEIRPDdbm)/10 - int64(gainDdbi)/10
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func contains(xs []uint64, x uint64) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
