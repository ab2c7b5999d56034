package ingest_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/ingest"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// FuzzDecodeReports feeds arbitrary gossip payloads to both decoders: they
// must never panic, and whatever they accept must re-encode to a report
// that decodes to the same thing (what the relayer later submits).
func FuzzDecodeReports(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	e := poctypes.BlockEntropy{Height: 5, Hash: bytes.Repeat([]byte{1}, 32), TimeMs: 1}
	b := gateway.BuildBeacon(priv, e, []byte{1, 2, 3, 4}, plan, 51, 27, time.Unix(100, 0))
	w := gateway.BuildWitness(priv, b, -900, 40, b.FrequencyHz, time.Unix(101, 0))
	f.Add(gateway.EncodeBeacon(b))
	f.Add(gateway.EncodeWitness(w))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		if b, err := ingest.DecodeBeacon(data); err == nil {
			again, err := ingest.DecodeBeacon(gateway.EncodeBeacon(b))
			if err != nil || again.ID() != b.ID() {
				t.Fatalf("beacon does not round-trip: %v", err)
			}
		}
		if w, err := ingest.DecodeWitness(data); err == nil {
			again, err := ingest.DecodeWitness(gateway.EncodeWitness(w))
			if err != nil || !bytes.Equal(again.SignBytes(), w.SignBytes()) {
				t.Fatalf("witness does not round-trip: %v", err)
			}
		}
	})
}
