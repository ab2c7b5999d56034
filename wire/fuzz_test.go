package wire_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/wire"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

var fuzzPlan = hotspottypes.RegionPlan{Region: "US915", ChannelFrequenciesHz: []uint64{903_900_000, 904_100_000}, DataRate: "SF9BW125"}

// FuzzDecodeReports feeds arbitrary bytes to the three decoders (beacon,
// full witness, sealed witness): they must never panic, and whatever they
// accept must re-encode to a report that decodes to the same thing.
func FuzzDecodeReports(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	e := poctypes.BlockEntropy{Height: 5, Hash: bytes.Repeat([]byte{1}, 32), TimeMs: 1}
	b := gateway.BuildBeacon(priv, e, []byte{1, 2, 3, 4}, fuzzPlan, 51, 27, time.Unix(100, 0))
	w := gateway.BuildWitness(priv, b, -900, 40, b.FrequencyHz, time.Unix(101, 0))
	f.Add(wire.EncodeBeacon(b))
	f.Add(wire.EncodeWitness(w))
	f.Add(wire.SealWitness(w, priv))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		if b, err := wire.DecodeBeacon(data); err == nil {
			again, err := wire.DecodeBeacon(wire.EncodeBeacon(b))
			if err != nil || again.ID() != b.ID() {
				t.Fatalf("beacon does not round-trip: %v", err)
			}
		}
		if w, err := wire.DecodeWitness(data); err == nil {
			again, err := wire.DecodeWitness(wire.EncodeWitness(w))
			if err != nil || !bytes.Equal(again.SignBytes(), w.SignBytes()) {
				t.Fatalf("witness does not round-trip: %v", err)
			}
			// Sealing it keeps everything its signature covers but the
			// payload, which the hash names.
			s, err := wire.DecodeSealedWitness(wire.SealWitness(w, priv))
			if err != nil {
				t.Fatalf("sealed witness does not decode: %v", err)
			}
			unsealed := s.Unseal(w.Payload)
			if s.PayloadHash != wire.HashPayload(w.Payload) || len(s.Witness.Payload) != 0 ||
				!bytes.Equal(unsealed.SignBytes(), w.SignBytes()) {
				t.Fatal("sealing loses what the signature covers")
			}
		}
		if s, err := wire.DecodeSealedWitness(data); err == nil {
			if len(s.Witness.Payload) != 0 {
				t.Fatal("a sealed witness carries its payload")
			}
			r := poctypes.WitnessFromVerify(s.Witness)
			bz, err := (&wire.SealedWitness{Report: &r, PayloadHash: s.PayloadHash[:], SealSignature: s.SealSignature}).Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bz, data) {
				t.Fatal("accepted a sealed witness that is not canonically encoded")
			}
			again, err := wire.DecodeSealedWitness(bz)
			payload := []byte("any payload")
			w1, w2 := again.Unseal(payload), s.Unseal(payload)
			if err != nil || again.PayloadHash != s.PayloadHash || !bytes.Equal(w1.SignBytes(), w2.SignBytes()) {
				t.Fatalf("sealed witness does not round-trip: %v", err)
			}
		}
	})
}
