package verify

import (
	"bytes"

	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/geo"
)

// witnessRule runs witness checks 2-13 (docs/poc-rules.md) on report i.
// Every bound is against the beacon and the witness's own report: one
// report's timestamp never changes another's verdict.
func (j *judge) witnessRule(i int) (Reason, Side) {
	w, h, wv := &j.ws[i], j.hotspots[i], &j.v.Witnesses[i]
	if !j.registered[i] {
		return ReasonGatewayNotFound, SideWitness
	}
	if !h.Asserted {
		return ReasonNotAsserted, SideWitness
	}
	if !j.opt.SkipHistory {
		if j.chain.Denied(h.Address) {
			return ReasonDenied, SideWitness
		}
		if j.v.BeaconerKnown && j.chain.DeniedEdge(j.v.Beaconer.Address, h.Address) {
			return ReasonDeniedEdge, SideWitness
		}
	}
	if bytes.Equal(w.Pubkey, j.b.Pubkey) {
		wv.Stored = false
		return ReasonSelfWitness, SideWitness
	}
	tsMs, beaconTsMs := w.TimestampNs/1e6, j.b.TimestampNs/1e6
	if !j.opt.SkipHistory && (!j.v.EntropyFound || tsMs < j.v.EntropyMs || tsMs > j.v.EntropyMs+j.p.EntropyLifespanMs) {
		return ReasonEntropyExpired, SideWitness
	}
	if tsMs < beaconTsMs-j.p.MaxWitnessLeadMs {
		return ReasonTooEarly, SideWitness
	}
	if tsMs > beaconTsMs+j.p.WitnessLagMs {
		return ReasonTooLate, SideWitness
	}
	if !bytes.Equal(w.Payload, j.b.Payload) {
		return ReasonInvalidPacket, SideWitness
	}
	if h.DataOnly {
		return ReasonInvalidCapability, SideWitness
	}
	if absDiff(w.FrequencyHz, j.b.FrequencyHz) > j.p.MaxFrequencyDeltaHz {
		return ReasonInvalidFrequency, SideWitness
	}
	if !j.v.BeaconerKnown || h.Region != j.v.Beaconer.Region {
		return ReasonInvalidRegion, SideWitness
	}
	gd, err := gridDistance(j.v.Beaconer.Location, h.Location, j.p.MinDistanceResolution)
	if err != nil {
		return ReasonPentagonalDistortion, SideWitness
	}
	wv.DistanceM = geo.DistanceMeters(j.v.Beaconer.Center, h.Center)
	if gd < j.p.MinGridDistance {
		return ReasonBelowMinDistance, SideWitness
	}
	if wv.DistanceM/1000 > j.p.MaxDistanceKm {
		return ReasonMaxDistanceExceeded, SideWitness
	}
	fspl := geo.FSPLMicroDB(wv.DistanceM, w.FrequencyHz)
	wv.MaxRSSIMicroDBm = geo.MaxRSSIMicroDBm(j.b.TxPowerDBm, j.v.Beaconer.Gain, h.Gain, fspl)
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

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}
