package types

import (
	"bytes"
	"crypto/sha256"
)

// MaxOpenWitnessesFactor bounds an open PoC's reports at this many times
// max_witnesses_per_msg, whatever the number of relayers: the value is
// rewritten on every addition and judged in one EndBlock.
const MaxOpenWitnessesFactor = 4

// AddWitnesses adds a validator's witness reports to an open PoC. A report
// is kept only if it carries the beacon's payload (or none: WithPayload)
// and its hotspot's signature verifies: a relayer cannot replay a
// witness's report of another beacon (which would turn the real one into a
// "duplicate") or pad the PoC with forgeries. Kept reports are stored
// without the payload, whichever form the relay used. It keeps one report per witness key, the first added: a
// colluding hotspot can sign any number of variants of its report, and
// without this a ring of relaying validators could fill the PoC with them
// and leave no room for honest reports. (An honest witness signs one
// report per beacon, so only a dishonest one loses a choice.) Each validator may add
// at most allowance reports over the PoC's life, whichever relay account it
// uses, so junk from one cannot crowd out another's; the PoC holds at most
// MaxOpenWitnessesFactor x allowance. It returns how many were added and
// how many ignored.
//
// registered reports whether a witness key is a registered hotspot: a report
// of any other key is ignored, so that relayers cannot fill the PoC with
// reports signed by keys that cost nothing.
func (o *OpenPoc) AddWitnesses(validator, relayer string, reports []WitnessReport, allowance uint32, registered func(pubkey []byte) bool) (added, ignored int) {
	idx := -1
	for i, r := range o.Relays {
		if r.Validator == validator {
			idx = i
		}
	}
	if idx < 0 {
		o.Relays = append(o.Relays, RelayContribution{Relayer: relayer, Validator: validator})
		idx = len(o.Relays) - 1
	}
	// A report already held has its witness held too, so one set of
	// witness keys covers both.
	witnesses := make(map[string]bool, len(o.Witnesses)+len(reports))
	for _, w := range o.Witnesses {
		witnesses[string(w.Pubkey)] = true
	}
	total := int(allowance) * MaxOpenWitnessesFactor
	for _, w := range reports {
		w = w.WithPayload(o.Beacon.Payload)
		if o.Relays[idx].Witnesses >= allowance || len(o.Witnesses) >= total || witnesses[string(w.Pubkey)] ||
			!bytes.Equal(w.Payload, o.Beacon.Payload) || !registered(w.Pubkey) {
			ignored++
			continue
		}
		vw := w.ToVerify()
		if !vw.VerifySignature() {
			ignored++
			continue
		}
		witnesses[string(w.Pubkey)] = true
		w.Payload = nil
		o.Witnesses = append(o.Witnesses, w)
		o.Relays[idx].Witnesses++
		added++
	}
	return added, ignored
}

// WithPayload is the report with its payload: its own, or the beacon's
// when it left it out (a relay, or a report held by an open PoC).
func (w WitnessReport) WithPayload(beaconPayload []byte) WitnessReport {
	if len(w.Payload) == 0 {
		w.Payload = beaconPayload
	}
	return w
}

// ReportKey identifies a report: its signature covers every field, and
// the key leaves out the payload, so a report relayed with or without it
// has one key.
// RecordedPocs returns the keys an open PoC holds so that a validator relays
// only the reports it lacks.
func ReportKey(w WitnessReport) [32]byte {
	h := sha256.New()
	h.Write(w.Pubkey)
	h.Write(w.Signature)
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

// Relayers splits the contributing relay accounts into the one that opened
// the PoC and the ones that added to it, as PocRecord stores them.
func (o OpenPoc) Relayers() (opener string, others []string) {
	for i, r := range o.Relays {
		if i == 0 {
			opener = r.Relayer
		} else {
			others = append(others, r.Relayer)
		}
	}
	return opener, others
}

// ReportKeys are the keys of the reports the PoC holds, in order.
func (o OpenPoc) ReportKeys() [][]byte {
	if len(o.Witnesses) == 0 {
		return nil
	}
	keys := make([][]byte, len(o.Witnesses))
	for i, w := range o.Witnesses {
		k := ReportKey(w)
		keys[i] = k[:]
	}
	return keys
}
