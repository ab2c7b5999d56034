package wire

import (
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
)

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
// payload replaced by its hash.
func SealWitness(w verify.Witness) []byte {
	r := poctypes.WitnessFromVerify(w)
	r.Payload = nil
	s := SealedWitness{Report: &r, PayloadHash: hashBytes(HashPayload(w.Payload))}
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
	Witness     verify.Witness // Payload is nil until Unseal
	PayloadHash PayloadHash
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
	if s.Report == nil || len(s.PayloadHash) != PayloadHashBytes {
		return Sealed{}, ErrBounds
	}
	if len(s.Report.Payload) != 0 {
		return Sealed{}, ErrUnsealed
	}
	if err := witnessBounds(s.Report); err != nil {
		return Sealed{}, err
	}
	return Sealed{Witness: s.Report.ToVerify(), PayloadHash: PayloadHash(s.PayloadHash)}, nil
}

// Unseal returns the full report given the payload of the beacon it names;
// its signature can be checked only then.
func (s Sealed) Unseal(payload []byte) verify.Witness {
	w := s.Witness
	w.Payload = payload
	return w
}
