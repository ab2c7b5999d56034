package wire

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"

	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

const (
	// MaxReportBytes is the default report size limit (ingest's
	// max-message-bytes): a report is a few hundred bytes.
	MaxReportBytes = 4096
	// TransportMaxMessageBytes is gossipsub's per-message limit.
	TransportMaxMessageBytes = 64 << 10
	// PayloadHashBytes is how much of SHA-256(payload) names a beacon: to
	// sealed witness reports and in ingest's queue keys.
	PayloadHashBytes = 16
)

// PayloadHash names a beacon payload without revealing it.
type PayloadHash [PayloadHashBytes]byte

// HashPayload is the first PayloadHashBytes of SHA-256(payload).
func HashPayload(p []byte) PayloadHash {
	h := sha256.Sum256(p)
	return PayloadHash(h[:PayloadHashBytes])
}

// Typed decoding errors.
var (
	ErrMalformed = errors.New("malformed report")
	ErrBounds    = errors.New("report field out of bounds")
	// ErrUnsealed: a witness report on the open topic that carries the
	// payload it should only name by hash (it would reveal the beacon).
	ErrUnsealed = errors.New("witness report reveals the beacon payload")
	// ErrNonCanonical: a report that decodes but is not the canonical
	// encoding of what it decodes to (unknown fields, repeated or
	// out-of-order fields, padding). Every report has exactly one valid
	// encoding, so one report is one gossip message, and its size is
	// bounded by its fields.
	ErrNonCanonical = errors.New("report is not canonically encoded")
)

type marshaler interface{ Marshal() ([]byte, error) }

// canonical reports whether data is m's own encoding.
func canonical(m marshaler, data []byte) bool {
	bz, err := m.Marshal()
	return err == nil && bytes.Equal(bz, data)
}

// EncodeBeacon is a beacon report's encoding (the x/poc proto message):
// what a hotspot delivers and what validators share and relay.
func EncodeBeacon(b *verify.Beacon) []byte {
	r := poctypes.BeaconFromVerify(b)
	bz, err := r.Marshal()
	if err != nil {
		panic(err) // a proto message of bytes and integers always marshals
	}
	return bz
}

// DecodeBeacon parses and bounds a beacon report.
func DecodeBeacon(data []byte) (*verify.Beacon, error) {
	var r poctypes.BeaconReport
	if err := r.Unmarshal(data); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	if len(r.Pubkey) != poctypes.PubkeyBytes || len(r.Signature) != poctypes.SignatureBytes ||
		len(r.Payload) == 0 || len(r.Payload) > poctypes.MaxPayloadBytes ||
		len(r.LocalEntropy) > poctypes.MaxLocalEntropyBytes ||
		len(r.EntropyHash) == 0 || len(r.EntropyHash) > poctypes.MaxEntropyHashBytes ||
		len(r.DataRate) > poctypes.MaxDataRateBytes || r.EntropyHeight <= 0 {
		return nil, ErrBounds
	}
	if !canonical(&r, data) {
		return nil, ErrNonCanonical
	}
	return r.ToVerify(), nil
}

// EncodeWitness is a full witness report's encoding, payload included: what
// the relayer submits on chain and ingest keeps in its queue.
func EncodeWitness(w verify.Witness) []byte {
	r := poctypes.WitnessFromVerify(w)
	bz, err := r.Marshal()
	if err != nil {
		panic(err)
	}
	return bz
}

// DecodeWitness parses and bounds a full witness report.
func DecodeWitness(data []byte) (verify.Witness, error) {
	var r poctypes.WitnessReport
	if err := r.Unmarshal(data); err != nil {
		return verify.Witness{}, errors.Join(ErrMalformed, err)
	}
	if err := witnessBounds(&r); err != nil {
		return verify.Witness{}, err
	}
	if len(r.Payload) == 0 || len(r.Payload) > poctypes.MaxPayloadBytes {
		return verify.Witness{}, ErrBounds
	}
	if !canonical(&r, data) {
		return verify.Witness{}, ErrNonCanonical
	}
	return r.ToVerify(), nil
}

func witnessBounds(r *poctypes.WitnessReport) error {
	if len(r.Pubkey) != poctypes.PubkeyBytes || len(r.Signature) != poctypes.SignatureBytes ||
		len(r.DataRate) > poctypes.MaxDataRateBytes {
		return ErrBounds
	}
	return nil
}

// SealWitness is the open-topic encoding of a signed witness report: the
// payload replaced by its hash, and the sealed form signed by priv, the
// witness's key.
func SealWitness(w verify.Witness, priv ed25519.PrivateKey) []byte {
	return SealAs(w, HashPayload(w.Payload), priv)
}

// SealAs seals a report naming ph, whatever payload its signature covers:
// what a hotspot that did not hear the beacon would send (tests and the
// simulator's adversaries use it).
func SealAs(w verify.Witness, ph PayloadHash, priv ed25519.PrivateKey) []byte {
	r := poctypes.WitnessFromVerify(w)
	r.Payload = nil
	s := SealedWitness{Report: &r, PayloadHash: hashBytes(ph), SealSignature: ed25519.Sign(priv, sealBytes(w, ph))}
	bz, err := s.Marshal()
	if err != nil {
		panic(err)
	}
	return bz
}

func hashBytes(h PayloadHash) []byte { return h[:] }

// Sealed is a decoded sealed witness report: the report without its payload
// and the hash naming the beacon it heard.
type Sealed struct {
	Witness       verify.Witness // Payload is nil until Unseal
	PayloadHash   PayloadHash
	SealSignature []byte
}

// sealDomain separates seal signatures from report signatures.
const sealDomain = "pocd/sealed-witness/v1"

// sealBytes is what a seal signature covers: the report as signed, but
// with the payload hash in place of the payload.
func sealBytes(w verify.Witness, ph PayloadHash) []byte {
	w.Payload = nil
	return append(append([]byte(sealDomain), ph[:]...), w.SignBytes()...)
}

// SealValid checks the seal signature: the witness (its key) did send a
// report naming this payload hash. It says nothing of the payload, which
// only the report signature, checked after Unseal, proves it received.
func (s Sealed) SealValid() bool {
	return ed25519.Verify(ed25519.PublicKey(s.Witness.Pubkey), sealBytes(s.Witness, s.PayloadHash), s.SealSignature)
}

// DecodeSealedWitness parses and bounds an open-topic witness report.
func DecodeSealedWitness(data []byte) (Sealed, error) {
	var s SealedWitness
	if err := s.Unmarshal(data); err != nil {
		if _, werr := DecodeWitness(data); werr == nil {
			return Sealed{}, ErrUnsealed // a whole report, payload and all
		}
		return Sealed{}, errors.Join(ErrMalformed, err)
	}
	if s.Report == nil {
		return Sealed{}, ErrBounds
	}
	if len(s.Report.Payload) != 0 {
		return Sealed{}, ErrUnsealed
	}
	if len(s.PayloadHash) != PayloadHashBytes || len(s.SealSignature) != poctypes.SignatureBytes {
		return Sealed{}, ErrBounds
	}
	if err := witnessBounds(s.Report); err != nil {
		return Sealed{}, err
	}
	if !canonical(&s, data) {
		return Sealed{}, ErrNonCanonical
	}
	return Sealed{Witness: s.Report.ToVerify(), PayloadHash: PayloadHash(s.PayloadHash), SealSignature: s.SealSignature}, nil
}

// Unseal returns the full report given the payload of the beacon it names;
// its signature can be checked only then.
func (s Sealed) Unseal(payload []byte) verify.Witness {
	w := s.Witness
	w.Payload = payload
	return w
}
