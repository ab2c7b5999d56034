package verify

import (
	"bytes"

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
	Channels    []uint64 // Hz, ascending
	DataRate    string
	MaxEIRPDdbm int32 // regulatory maximum EIRP, tenths of dBm
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
	// LastBeaconBucket is the latest interval bucket the hotspot has used.
	LastBeaconBucket(address string) (int64, bool)
	// LastWitnessMs: block time of the hotspot's last witness that passed checks 1-13.
	LastWitnessMs(address string) (int64, bool)
	// LastBeaconMs: block time of the hotspot's last valid beacon with a
	// witness report from a registered, asserted hotspot.
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
	BeaconVerdict
	BeaconID         [32]byte
	BeaconRewardUnit uint32
	Witnesses        []WitnessVerdict
	// BeaconCounts: the beacon passed its checks and a witness report passed
	// checks 1-13, so it counts for the beaconer's reciprocity from now on.
	BeaconCounts bool
	Selected     int
}

// Judge applies every rule at once: the beacon checks, then the witness
// rules as at the PoC's close. The offline checker and single-report
// helpers use it; the chain runs the two halves at open and at close.
func Judge(p Params, chain Chain, b *Beacon, ws []Witness, nowMs int64, seed [32]byte, opt Options) Verdict {
	return JudgeWitnesses(p, chain, b, JudgeBeacon(p, chain, b, nowMs, opt), ws, nowMs, seed, opt)
}

// JudgeWitnesses judges the witness reports of a PoC whose beacon checks
// gave bv, at block time nowMs (the close), selecting with seed. Each phase
// reads what the previous ones decided; only reports, chain state, nowMs
// and seed feed the verdict.
func JudgeWitnesses(p Params, chain Chain, b *Beacon, bv BeaconVerdict, ws []Witness, nowMs int64, seed [32]byte, opt Options) Verdict {
	j := &judge{
		p: p, chain: chain, opt: opt, b: b, ws: ws, nowMs: nowMs,
		v: Verdict{BeaconVerdict: bv, BeaconID: b.ID(), Witnesses: make([]WitnessVerdict, len(ws))},
	}
	if bv.BeaconerKnown {
		// The beaconer's registry entry as of now (its location is what
		// distances are measured from).
		if h, ok := chain.Hotspot(b.Pubkey); ok {
			j.v.Beaconer = h
		}
	}
	j.signatures()
	j.duplicates()
	j.witnessRules()
	if j.beaconFailed() {
		return j.v
	}
	if !j.reciprocity() {
		return j.v
	}
	j.selection(seed)
	return j.v
}

// judge holds one PoC's reports and its verdict while the phases run.
type judge struct {
	p     Params
	chain Chain
	opt   Options
	b     *Beacon
	ws    []Witness
	nowMs int64
	v     Verdict
	// each witness's registry entry, looked up once by signatures()
	hotspots   []Hotspot
	registered []bool
}

// signatures looks every witness up and sets aside forgeries first, so
// that a forged report cannot turn the real one into a "duplicate".
func (j *judge) signatures() {
	j.hotspots = make([]Hotspot, len(j.ws))
	j.registered = make([]bool, len(j.ws))
	for i := range j.ws {
		wv := &j.v.Witnesses[i]
		j.hotspots[i], j.registered[i] = j.chain.Hotspot(j.ws[i].Pubkey)
		if j.registered[i] {
			wv.Address = j.hotspots[i].Address
		}
		wv.Stored = true
		if !j.opt.SkipSignatures && !j.ws[i].VerifySignature() {
			// Not attributed to the hotspot it names: anyone could forge it.
			wv.Reason, wv.Side, wv.Stored = ReasonBadSignature, SideWitness, false
		}
	}
}

// duplicates keeps each witness's earliest authentic report of this
// beacon's payload (ties: input order). Only the witness itself signs its
// reports, so its own timestamps decide only between its own reports; a
// report of another payload (a replay of the witness's report of another
// beacon) is left to fail as invalid_packet and never displaces the real one.
func (j *judge) duplicates() {
	seen := make(map[string]int, len(j.ws))
	for i := range j.ws {
		if j.v.Witnesses[i].Reason != ReasonUnspecified || !bytes.Equal(j.ws[i].Payload, j.b.Payload) {
			continue
		}
		k := string(j.ws[i].Pubkey)
		prev, dup := seen[k]
		if !dup {
			seen[k] = i
			continue
		}
		later := i
		if j.ws[i].TimestampNs < j.ws[prev].TimestampNs {
			later, seen[k] = prev, i
		}
		j.v.Witnesses[later].Reason, j.v.Witnesses[later].Side = ReasonDuplicate, SideWitness
	}
}

// witnessRules runs checks 2-13 on every report still undecided.
func (j *judge) witnessRules() {
	for i := range j.ws {
		wv := &j.v.Witnesses[i]
		if wv.Reason != ReasonUnspecified {
			continue
		}
		wv.Reason, wv.Side = j.witnessRule(i)
		wv.PassedPhysical = wv.Reason == Valid
	}
}

// beaconFailed: a failed beacon fails every witness with its reason (self
// witnesses are still reported as such) and nothing counts.
func (j *judge) beaconFailed() bool {
	if j.v.BeaconReason == Valid {
		return false
	}
	for i := range j.v.Witnesses {
		wv := &j.v.Witnesses[i]
		wv.PassedPhysical = false
		if wv.Reason != ReasonSelfWitness {
			wv.Reason, wv.Side = j.v.BeaconReason, SideBeaconer
		}
	}
	return true
}

// reciprocity (HIP-106) against the state before this PoC. It reports
// false when the beaconer fails, which fails the whole PoC.
func (j *judge) reciprocity() bool {
	// A beacon counts for its beaconer's reciprocity only when a report
	// that passed checks 1-13 heard it: an authentic report from a
	// registered, asserted hotspot, of this payload, timely, plausible.
	// Forged, unregistered or replayed reports cost nothing to make.
	for _, wv := range j.v.Witnesses {
		if wv.PassedPhysical {
			j.v.BeaconCounts = true
			break
		}
	}
	if j.opt.SkipHistory {
		return true
	}
	if !j.within(j.chain.LastWitnessMs(j.v.Beaconer.Address)) {
		j.v.BeaconReason, j.v.BeaconSide = ReasonGatewayNoValidWitnesses, SideBeaconer
		for i := range j.v.Witnesses {
			wv := &j.v.Witnesses[i]
			if wv.Reason != ReasonSelfWitness {
				// PassedPhysical stays: a witness that passed 1-13 still
				// counts for its own reciprocity (bootstrapping).
				wv.Reason, wv.Side = ReasonGatewayNoValidWitnesses, SideBeaconer
			}
		}
		return false
	}
	for i := range j.v.Witnesses {
		wv := &j.v.Witnesses[i]
		if wv.Reason == Valid && !j.within(j.chain.LastBeaconMs(wv.Address)) {
			wv.Reason, wv.Side = ReasonGatewayNoValidBeacons, SideWitness
		}
	}
	return true
}

// within: an event at lastMs is inside the reciprocity window, which is
// strictly shorter than ReciprocityWindowMs.
func (j *judge) within(lastMs int64, ok bool) bool {
	return ok && j.nowMs-lastMs < j.p.ReciprocityWindowMs
}

// selection draws at most MaxSelectedWitnesses of the valid witnesses and
// sets the reward units.
func (j *judge) selection(seed [32]byte) {
	var valid []int
	for i, wv := range j.v.Witnesses {
		if wv.Reason == Valid {
			valid = append(valid, i)
		}
	}
	chosen := SelectWitnesses(seed, j.ws, valid, j.p.MaxSelectedWitnesses)
	beaconUnit, witnessUnit := RewardUnits(len(chosen))
	j.v.Selected = len(chosen)
	j.v.BeaconRewardUnit = beaconUnit
	for _, i := range chosen {
		j.v.Witnesses[i].Selected = true
		j.v.Witnesses[i].RewardUnit = witnessUnit
	}
}

// VerifyWitness judges one witness report against its beacon, in the
// context of a PoC with no other witnesses.
func VerifyWitness(p Params, chain Chain, b *Beacon, w Witness, nowMs int64, opt Options) WitnessVerdict {
	return Judge(p, chain, b, []Witness{w}, nowMs, [32]byte{}, opt).Witnesses[0]
}
