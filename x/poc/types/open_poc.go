package types

import "bytes"

// AddWitnesses adds a relayer's witness reports to an open PoC: reports it
// already holds are skipped, and each relayer may add at most allowance
// reports over the PoC's life, so a dishonest relayer that fills its share
// with junk cannot crowd out what the others hold. It returns how many were
// added and how many ignored.
func (o *OpenPoc) AddWitnesses(relayer string, reports []WitnessReport, allowance uint32) (added, ignored int) {
	idx := -1
	for i, r := range o.Relays {
		if r.Relayer == relayer {
			idx = i
		}
	}
	if idx < 0 {
		o.Relays = append(o.Relays, RelayContribution{Relayer: relayer})
		idx = len(o.Relays) - 1
	}
	for _, w := range reports {
		if o.Relays[idx].Witnesses >= allowance || o.holds(w) {
			ignored++
			continue
		}
		o.Witnesses = append(o.Witnesses, w)
		o.Relays[idx].Witnesses++
		added++
	}
	return added, ignored
}

// holds: the same report (its signature covers every field) is already in.
func (o *OpenPoc) holds(w WitnessReport) bool {
	for _, h := range o.Witnesses {
		if bytes.Equal(h.Pubkey, w.Pubkey) && bytes.Equal(h.Signature, w.Signature) {
			return true
		}
	}
	return false
}
