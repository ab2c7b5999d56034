package verify

import (
	"bytes"
	"sort"

	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/geo"
)

// Hotspot is what the rules need to know about a registered hotspot.
type Hotspot struct {
	Address  string
	DataOnly bool
	Asserted bool
	Location uint64   // H3 res-12 cell
	Center   geo.Vec3 // its centre, computed once at assertion
	Gain     int32    // tenths of dBi
	Region   string
}

// RegionPlan is the part of a region plan the packet checks use.
type RegionPlan struct {
	Channels []uint64 // Hz, ascending
	DataRate string
}

// Chain answers the questions a verdict asks of chain state. The keeper
// implements it over the store; the offline checker over a scenario file.
type Chain interface {
	Hotspot(pubkey []byte) (Hotspot, bool)
	RegionPlan(region string) (RegionPlan, bool)
	Denied(address string) bool
	DeniedEdge(a, b string) bool
	// EntropyTimeMs is the block time of the entropy block, false if
	// (height, hash) is not a block of this chain.
	EntropyTimeMs(height int64, hash []byte) (int64, bool)
	// LastBeaconBucket is the interval bucket of the hotspot's last beacon attempt.
	LastBeaconBucket(address string) (int64, bool)
	// LastWitnessMs: block time of the hotspot's last witness that passed checks 1-13.
	LastWitnessMs(address string) (int64, bool)
	// LastBeaconMs: block time of the hotspot's last valid beacon with a witness report.
	LastBeaconMs(address string) (int64, bool)
}

// Options switch off checks for the offline checker.
type Options struct {
	// SkipSignatures does not verify report signatures.
	SkipSignatures bool
	// SkipHistory skips what needs chain history: entropy, beacon interval,
	// reciprocity and the denylist. The payload is then not re-derived (there
	// is no entropy); the beacon frequency must still be one of the plan's.
	SkipHistory bool
}

// WitnessVerdict is the judgement of one witness report, in input order.
type WitnessVerdict struct {
	Address         string // empty when the key is not a registered hotspot
	Reason          Reason
	Side            Side
	DistanceM       uint64 // 0 when not computed
	MaxRSSIMicroDBm int64  // 0 when not computed
	RSSIComputed    bool
	Selected        bool
	RewardUnit      uint32 // x10^-4
	// Stored is false for self witnesses, which are dropped, and for reports
	// whose signature fails, which may be forgeries in another's name.
	Stored bool
	// PassedPhysical: passed checks 1-13 (counts for the witness's reciprocity).
	PassedPhysical bool
}

// Verdict is the judgement of a whole PoC.
type Verdict struct {
	BeaconID         [32]byte
	Beaconer         Hotspot
	BeaconerKnown    bool
	BeaconReason     Reason
	BeaconSide       Side
	BeaconRewardUnit uint32
	Witnesses        []WitnessVerdict
	// UsedBucket is set when the beacon reached the interval check: the
	// attempt uses up its bucket whether or not it is valid.
	UsedBucket bool
	Bucket     int64
	// BeaconCounts: the beacon passed its checks and has a witness report,
	// so it counts for the beaconer's reciprocity from now on.
	BeaconCounts bool
	Selected     int
}

// Judge applies every rule. nowMs is the block time of the block that
// includes the PoC; only the reports, chain state and that time feed the verdict.
func Judge(p Params, chain Chain, b *Beacon, ws []Witness, nowMs int64, opt Options) Verdict {
	v := Verdict{BeaconID: b.ID(), Witnesses: make([]WitnessVerdict, len(ws))}
	v.BeaconReason, v.BeaconSide = judgeBeacon(p, chain, b, nowMs, opt, &v)
	// Only an authentic attempt uses up the beaconer's bucket: otherwise
	// anyone could forge beacons to silence a hotspot. (A valid beacon's
	// signature has already been checked.)
	if v.UsedBucket && v.BeaconReason != Valid && !opt.SkipSignatures && !b.VerifySignature() {
		v.UsedBucket = false
	}
	beaconTsMs := b.TimestampNs / 1e6

	// Witness signatures come first: a forged report must not turn the real
	// one into a "duplicate".
	// Each witness's registry entry is looked up once and reused below.
	hotspots := make([]Hotspot, len(ws))
	registered := make([]bool, len(ws))
	for i := range ws {
		wv := &v.Witnesses[i]
		hotspots[i], registered[i] = chain.Hotspot(ws[i].Pubkey)
		if registered[i] {
			wv.Address = hotspots[i].Address
		}
		wv.Stored = true
		if !opt.SkipSignatures && !ws[i].VerifySignature() {
			// Not attributed to the hotspot it names: anyone could forge it.
			wv.Reason, wv.Side, wv.Stored = ReasonBadSignature, SideWitness, false
		}
	}
	// Earliest report per key wins (ties: input order).
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, c int) bool { return ws[order[a]].TimestampNs < ws[order[c]].TimestampNs })
	seen := make(map[string]bool, len(ws))
	firstTsMs, haveFirst := int64(0), false
	for _, i := range order {
		if v.Witnesses[i].Reason != ReasonUnspecified {
			continue
		}
		k := string(ws[i].Pubkey)
		if seen[k] {
			v.Witnesses[i].Reason, v.Witnesses[i].Side = ReasonDuplicate, SideWitness
			continue
		}
		seen[k] = true
		// The "first witness" that can tighten the lag to 1500 ms must be a
		// registered, asserted hotspot other than the beaconer: an unregistered
		// key could otherwise be used to make every honest witness too late.
		if registered[i] && hotspots[i].Asserted && !bytes.Equal(ws[i].Pubkey, b.Pubkey) && !haveFirst {
			firstTsMs, haveFirst = ws[i].TimestampNs/1e6, true
		}
	}

	entropyMs, entropyOK := int64(0), false
	if !opt.SkipHistory {
		entropyMs, entropyOK = chain.EntropyTimeMs(b.EntropyHeight, b.EntropyHash)
	}
	for i := range ws {
		wv := &v.Witnesses[i]
		if wv.Reason != ReasonUnspecified {
			continue
		}
		wv.Reason, wv.Side = judgeWitness(p, chain, &v, b, &ws[i], hotspots[i], registered[i], wv, beaconTsMs, firstTsMs, haveFirst, entropyMs, entropyOK, opt)
		if wv.Reason == Valid {
			wv.PassedPhysical = true
		}
	}

	// A failed beacon fails every witness with its reason (self witnesses
	// are still reported as such).
	if v.BeaconReason != Valid {
		for i := range v.Witnesses {
			wv := &v.Witnesses[i]
			wv.PassedPhysical = false
			if wv.Reason != ReasonSelfWitness {
				wv.Reason, wv.Side = v.BeaconReason, SideBeaconer
			}
		}
		return v
	}

	witnessReports := 0
	for i := range v.Witnesses {
		if v.Witnesses[i].Reason != ReasonSelfWitness {
			witnessReports++
		}
	}
	v.BeaconCounts = witnessReports > 0

	// Reciprocity (HIP-106) against the state before this PoC.
	if !opt.SkipHistory {
		if last, ok := chain.LastWitnessMs(v.Beaconer.Address); !ok || nowMs-last > p.ReciprocityWindowMs {
			v.BeaconReason, v.BeaconSide = ReasonGatewayNoValidWitnesses, SideBeaconer
			for i := range v.Witnesses {
				wv := &v.Witnesses[i]
				if wv.Reason == Valid {
					wv.Reason, wv.Side = ReasonGatewayNoValidWitnesses, SideBeaconer
				}
			}
			return v
		}
		for i := range v.Witnesses {
			wv := &v.Witnesses[i]
			if wv.Reason != Valid {
				continue
			}
			if last, ok := chain.LastBeaconMs(wv.Address); !ok || nowMs-last > p.ReciprocityWindowMs {
				wv.Reason, wv.Side = ReasonGatewayNoValidBeacons, SideWitness
			}
		}
	}

	// Selection: the first MaxSelectedWitnesses valid ones by timestamp.
	var valid []int
	for _, i := range order {
		if v.Witnesses[i].Reason == Valid {
			valid = append(valid, i)
		}
	}
	if len(valid) > p.MaxSelectedWitnesses {
		valid = valid[:p.MaxSelectedWitnesses]
	}
	beaconUnit, witnessUnit := RewardUnits(len(valid))
	v.Selected = len(valid)
	v.BeaconRewardUnit = beaconUnit
	for _, i := range valid {
		v.Witnesses[i].Selected = true
		v.Witnesses[i].RewardUnit = witnessUnit
	}
	return v
}

func judgeBeacon(p Params, chain Chain, b *Beacon, nowMs int64, opt Options, v *Verdict) (Reason, Side) {
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
		entropyMs, ok := chain.EntropyTimeMs(b.EntropyHeight, b.EntropyHash)
		if !ok || tsMs < entropyMs || tsMs > entropyMs+p.EntropyLifespanMs || tsMs > nowMs {
			return ReasonEntropyExpired, SideBeaconer
		}
	}
	if h.DataOnly {
		return ReasonInvalidCapability, SideBeaconer
	}
	if !opt.SkipHistory && p.BeaconIntervalMs > 0 {
		bucket := floorDiv(tsMs, p.BeaconIntervalMs)
		v.UsedBucket, v.Bucket = true, bucket
		if last, ok := chain.LastBeaconBucket(h.Address); ok && last == bucket {
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
		if len(b.LocalEntropy) != LocalEntropySize || !bytes.Equal(b.Payload, BeaconPayload(b.EntropyHash, b.LocalEntropy, p.PayloadSize)) {
			return ReasonInvalidPacket, SideBeaconer
		}
		if b.FrequencyHz != plan.Channels[BeaconChannel(b.Payload, len(plan.Channels))] || b.DataRate != plan.DataRate {
			return ReasonInvalidPacket, SideBeaconer
		}
	}
	if !opt.SkipSignatures && !b.VerifySignature() {
		return ReasonBadSignature, SideBeaconer
	}
	return Valid, SideNone
}

func judgeWitness(p Params, chain Chain, v *Verdict, b *Beacon, w *Witness, h Hotspot, registered bool, wv *WitnessVerdict,
	beaconTsMs, firstTsMs int64, haveFirst bool, entropyMs int64, entropyOK bool, opt Options,
) (Reason, Side) {
	if !registered {
		return ReasonGatewayNotFound, SideWitness
	}
	if !h.Asserted {
		return ReasonNotAsserted, SideWitness
	}
	if !opt.SkipHistory {
		if chain.Denied(h.Address) {
			return ReasonDenied, SideWitness
		}
		if v.BeaconerKnown && chain.DeniedEdge(v.Beaconer.Address, h.Address) {
			return ReasonDeniedEdge, SideWitness
		}
	}
	if bytes.Equal(w.Pubkey, b.Pubkey) {
		wv.Stored = false
		return ReasonSelfWitness, SideWitness
	}
	tsMs := w.TimestampNs / 1e6
	if !opt.SkipHistory && (!entropyOK || tsMs < entropyMs || tsMs > entropyMs+p.EntropyLifespanMs) {
		return ReasonEntropyExpired, SideWitness
	}
	if haveFirst && firstTsMs < beaconTsMs {
		if tsMs > firstTsMs+p.FirstWitnessLagMs {
			return ReasonTooLate, SideWitness
		}
	} else if tsMs > beaconTsMs+p.WitnessLagMs {
		return ReasonTooLate, SideWitness
	}
	if !bytes.Equal(w.Payload, b.Payload) {
		return ReasonInvalidPacket, SideWitness
	}
	if h.DataOnly {
		return ReasonInvalidCapability, SideWitness
	}
	if absDiff(w.FrequencyHz, b.FrequencyHz) > p.MaxFrequencyDeltaHz {
		return ReasonInvalidFrequency, SideWitness
	}
	if !v.BeaconerKnown || h.Region != v.Beaconer.Region {
		return ReasonInvalidRegion, SideWitness
	}
	gd, err := gridDistance(v.Beaconer.Location, h.Location, p.MinDistanceResolution)
	if err != nil {
		return ReasonPentagonalDistortion, SideWitness
	}
	wv.DistanceM = geo.DistanceMeters(v.Beaconer.Center, h.Center)
	if gd < p.MinGridDistance {
		return ReasonBelowMinDistance, SideWitness
	}
	if wv.DistanceM/1000 > p.MaxDistanceKm {
		return ReasonMaxDistanceExceeded, SideWitness
	}
	fspl := geo.FSPLMicroDB(wv.DistanceM, w.FrequencyHz)
	wv.MaxRSSIMicroDBm = geo.MaxRSSIMicroDBm(b.TxPowerDBm, v.Beaconer.Gain, h.Gain, fspl)
	wv.RSSIComputed = true
	if geo.RSSIExceedsBound(w.RSSIDdbm, wv.MaxRSSIMicroDBm) {
		return ReasonBadRSSI, SideWitness
	}
	return Valid, SideNone
}

// gridDistance between the resolution-res parents of two cells. H3's
// gridDistance is integer code (local IJK coordinates); no floating point.
func gridDistance(a, b uint64, res int) (int, error) {
	pa, err := h3.Cell(a).Parent(res)
	if err != nil {
		return 0, err
	}
	pb, err := h3.Cell(b).Parent(res)
	if err != nil {
		return 0, err
	}
	return pa.GridDistance(pb)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

func contains(xs []uint64, x uint64) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// VerifyWitness judges one witness report against its beacon, in the
// context of a PoC with no other witnesses.
func VerifyWitness(p Params, chain Chain, b *Beacon, w Witness, nowMs int64, opt Options) WitnessVerdict {
	return Judge(p, chain, b, []Witness{w}, nowMs, opt).Witnesses[0]
}
