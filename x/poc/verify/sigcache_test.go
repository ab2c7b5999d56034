package verify

import (
	"crypto/ed25519"
	"testing"
)

func TestSigCacheReturnsWhatVerifyReturns(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	msg := []byte("pocd/witness/v1 example")
	sig := ed25519.Sign(priv, msg)
	c := newSigCache(4)

	if !c.verify(pub, msg, sig) {
		t.Fatal("a valid signature was refused")
	}
	if !c.has(sigKey(pub, msg, sig)) {
		t.Fatal("a verified signature was not remembered")
	}
	// A cached triple must not lend its verdict to anything that differs
	// from it in any part.
	other := append([]byte{}, msg...)
	other[0] ^= 1
	badSig := append([]byte{}, sig...)
	badSig[5] ^= 1
	pub2, _, _ := ed25519.GenerateKey(nil)
	for name, tc := range map[string][3][]byte{
		"message": {pub, other, sig}, "signature": {pub, msg, badSig}, "key": {pub2, msg, sig},
		"short key": {pub[:31], msg, sig}, "short signature": {pub, msg, sig[:63]},
	} {
		if c.verify(tc[0], tc[1], tc[2]) {
			t.Errorf("changed %s: accepted", name)
		}
	}
	if len(c.set) != 1 {
		t.Fatalf("failed verifications were cached: %d entries", len(c.set))
	}
}

func TestSigCacheEvictsOldestBeyondItsSize(t *testing.T) {
	c := newSigCache(3)
	keys := make([][32]byte, 5)
	for i := range keys {
		keys[i][0] = byte(i + 1)
		c.add(keys[i])
	}
	if len(c.set) != 3 {
		t.Fatalf("size %d, want 3", len(c.set))
	}
	for i, k := range keys {
		if want := i >= 2; c.has(k) != want {
			t.Errorf("key %d cached = %v, want %v", i, !want, want)
		}
	}
	c.add(keys[4]) // re-adding must not evict anything
	if !c.has(keys[2]) {
		t.Error("re-adding a cached key evicted another")
	}
}

func BenchmarkWitnessSignature(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	w := Witness{Pubkey: pub, Payload: make([]byte, 51), FrequencyHz: 904_300_000, DataRate: "SF9BW125", TimestampNs: 1}
	w.Signature = ed25519.Sign(priv, w.SignBytes())
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(w.Pubkey, w.SignBytes(), w.Signature) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := newSigCache(16)
		c.verify(w.Pubkey, w.SignBytes(), w.Signature)
		for b.Loop() {
			if !c.verify(w.Pubkey, w.SignBytes(), w.Signature) {
				b.Fatal("invalid")
			}
		}
	})
}
