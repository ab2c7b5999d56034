package verify

import (
	"crypto/sha256"
	"encoding/binary"
)

// Beacon is a signed beacon report.
type Beacon struct {
	Pubkey        []byte // 32-byte ed25519 key of the beaconer
	EntropyHeight int64  // block whose hash is the remote entropy
	EntropyHash   []byte
	LocalEntropy  []byte // 4 bytes
	Payload       []byte // 51 bytes
	FrequencyHz   uint64
	DataRate      string
	TxPowerDBm    int32
	TimestampNs   int64 // the hotspot's clock, signed
	Tmst          uint32
	Signature     []byte
}

// Witness is a signed witness report.
type Witness struct {
	Pubkey      []byte
	Payload     []byte
	RSSIDdbm    int32 // tenths of dBm
	SNRDdb      int32 // tenths of dB
	FrequencyHz uint64
	DataRate    string
	TimestampNs int64
	Tmst        uint32
	Signature   []byte
}

// Sign bytes: a domain string, then fields in order; integers big-endian
// (signed ones two's complement), byte strings and strings with a 2-byte
// length prefix. docs/api/poc.md has a worked example.

func putBytes(b, v []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

// SignBytes of a beacon: "pocd/beacon/v1" | pubkey | entropy_height (8) |
// entropy_hash | local_entropy | payload | frequency_hz (8) | data_rate |
// tx_power_dbm (4) | timestamp_ns (8) | tmst (4).
func (b *Beacon) SignBytes() []byte {
	out := []byte("pocd/beacon/v1")
	out = putBytes(out, b.Pubkey)
	out = binary.BigEndian.AppendUint64(out, uint64(b.EntropyHeight))
	out = putBytes(out, b.EntropyHash)
	out = putBytes(out, b.LocalEntropy)
	out = putBytes(out, b.Payload)
	out = binary.BigEndian.AppendUint64(out, b.FrequencyHz)
	out = putBytes(out, []byte(b.DataRate))
	out = binary.BigEndian.AppendUint32(out, uint32(b.TxPowerDBm))
	out = binary.BigEndian.AppendUint64(out, uint64(b.TimestampNs))
	out = binary.BigEndian.AppendUint32(out, b.Tmst)
	return out
}

// ID identifies a beacon: SHA-256 of its sign bytes.
func (b *Beacon) ID() [32]byte { return sha256.Sum256(b.SignBytes()) }

// SignBytes of a witness: "pocd/witness/v1" | pubkey | payload | rssi_ddbm (4)
// | snr_ddb (4) | frequency_hz (8) | data_rate | timestamp_ns (8) | tmst (4).
func (w *Witness) SignBytes() []byte {
	out := []byte("pocd/witness/v1")
	out = putBytes(out, w.Pubkey)
	out = putBytes(out, w.Payload)
	out = binary.BigEndian.AppendUint32(out, uint32(w.RSSIDdbm))
	out = binary.BigEndian.AppendUint32(out, uint32(w.SNRDdb))
	out = binary.BigEndian.AppendUint64(out, w.FrequencyHz)
	out = putBytes(out, []byte(w.DataRate))
	out = binary.BigEndian.AppendUint64(out, uint64(w.TimestampNs))
	out = binary.BigEndian.AppendUint32(out, w.Tmst)
	return out
}

func validSig(pub, msg, sig []byte) bool { return verifiedSigs.verify(pub, msg, sig) }

// VerifySignature reports whether the beacon is signed by its hotspot.
func (b *Beacon) VerifySignature() bool { return validSig(b.Pubkey, b.SignBytes(), b.Signature) }

// VerifySignature reports whether the witness is signed by its hotspot.
func (w *Witness) VerifySignature() bool { return validSig(w.Pubkey, w.SignBytes(), w.Signature) }
