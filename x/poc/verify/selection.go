package verify

import (
	"bytes"
	"crypto/sha256"
	"sort"
)

// SelectionSeed is the seed witnesses are drawn with: SHA-256 of the hash of
// the block in which the PoC closes and the beacon ID. Neither the hotspots
// nor the relayers know that hash when the reports are signed and relayed.
func SelectionSeed(closingBlockHash []byte, beaconID [32]byte) [32]byte {
	h := sha256.New()
	h.Write(closingBlockHash)
	h.Write(beaconID[:])
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// SelectWitnesses draws at most max of the candidates (indexes into ws)
// uniformly: each gets the score SHA-256(seed || witness public key) and the
// lowest scores win. The result depends on the seed and the set of
// candidates only, not on their order or timestamps (HIP-83 took the first
// to arrive; with self-signed timestamps "first" is whatever a witness
// claims). Returned in input order.
func SelectWitnesses(seed [32]byte, ws []Witness, candidates []int, max int) []int {
	if len(candidates) <= max {
		return candidates
	}
	type scored struct {
		i     int
		score [32]byte
	}
	s := make([]scored, len(candidates))
	for k, i := range candidates {
		h := sha256.New()
		h.Write(seed[:])
		h.Write(ws[i].Pubkey)
		s[k].i = i
		copy(s[k].score[:], h.Sum(nil))
	}
	// Candidates are distinct witnesses (duplicates were removed), so the
	// scores differ; the index breaks the impossible tie deterministically.
	sort.Slice(s, func(a, b int) bool {
		if c := bytes.Compare(s[a].score[:], s[b].score[:]); c != 0 {
			return c < 0
		}
		return s[a].i < s[b].i
	})
	out := make([]int, 0, max)
	for _, x := range s[:max] {
		out = append(out, x.i)
	}
	sort.Ints(out)
	return out
}
