package verify

import (
	"crypto/ed25519"
	"testing"
)

// BenchmarkEd25519Verify is the yardstick: one bare signature verification.
func BenchmarkEd25519Verify(b *testing.B) {
	c, beacon := scenario(&testing.T{})
	w := c.witness("w", beacon, beaconTs+300, -900)
	msg := w.SignBytes()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !ed25519.Verify(w.Pubkey, msg, w.Signature) {
			b.Fatal("bad signature")
		}
	}
}

// BenchmarkVerifyWitness: all witness checks including the signature,
// distance, grid distance and path-loss bound (beacon checks excluded: they
// run once per PoC).
func BenchmarkVerifyWitness(b *testing.B) {
	withoutSigCache(b)
	c, beacon := scenario(&testing.T{})
	w := c.witness("w", beacon, beaconTs+300, -900)
	p := DefaultParams()
	// Judge also verifies the beacon's signature; subtract it by running the
	// beacon alone as a baseline (BenchmarkJudgeBeaconOnly).
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := Judge(p, c, beacon, []Witness{w}, now, [32]byte{}, Options{})
		if v.Witnesses[0].Reason != Valid {
			b.Fatal(v.Witnesses[0].Reason)
		}
	}
}

// BenchmarkJudgeBeaconOnly is a PoC with no witnesses (beacon checks only).
func BenchmarkJudgeBeaconOnly(b *testing.B) {
	withoutSigCache(b)
	c, beacon := scenario(&testing.T{})
	p := DefaultParams()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Judge(p, c, beacon, nil, now, [32]byte{}, Options{})
	}
}

// BenchmarkJudge14Witnesses is a full PoC with 14 valid witnesses, its
// signatures checked (uncached) and, in the "ingested" variant, found in
// the verified-signature cache as on a validator whose ingest took the
// reports.
func BenchmarkJudge14Witnesses(b *testing.B) {
	b.Run("uncached", func(b *testing.B) { withoutSigCache(b); benchJudge14(b) })
	b.Run("ingested", func(b *testing.B) { useSigCache(b, newSigCache(1<<10)); benchJudge14(b) })
}

// withoutSigCache turns the verified-signature cache off for one benchmark,
// which checks the same reports over and over.
func withoutSigCache(b *testing.B) { useSigCache(b, newSigCache(0)) }

func useSigCache(b *testing.B, c *sigCache) {
	old := verifiedSigs
	verifiedSigs = c
	b.Cleanup(func() { verifiedSigs = old })
}

func benchJudge14(b *testing.B) {
	t := &testing.T{}
	c := newFakeChain()
	c.add("b", sfCell(t))
	c.seasoned(now, "b")
	beacon := c.beacon("b", beaconTs)
	var ws []Witness
	for i, n := range names(14, "w") {
		c.add(n, cellAt(t, sfLat, sfLng, 3+float64(i)*0.5, float64(i)*25))
		c.seasoned(now, n)
		ws = append(ws, c.witness(n, beacon, beaconTs+int64(100*i), -1300))
	}
	p := DefaultParams()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Judge(p, c, beacon, ws, now, [32]byte{}, Options{})
	}
}

func BenchmarkHexDensity100k(b *testing.B) {
	t := &testing.T{}
	locs := make([]uint64, 0, 100_000)
	for i := 0; i < 100_000; i++ {
		// a 300 km x 300 km region, deterministic spiral
		locs = append(locs, uint64(cellAt(t, sfLat, sfLng, float64(i%1500)/5, float64(i)*137.508)))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := NewHexDensityMap(DefaultHexParams(), locs); err != nil {
			b.Fatal(err)
		}
	}
}
