// Package gwmp is Semtech's Gateway Messaging Protocol (GWMP, "Semtech UDP"),
// version 2, as spoken between a LoRa packet forwarder (lora_pkt_fwd from
// sx1301/sx1302_hal, or a vendor build of it) and its server: datagram
// framing, the JSON objects they carry (rxpk, stat, txpk, txpk_ack) and
// exact decimal conversions of their numbers.
//
// It is pure: no sockets, no clock, no chain. The hotspot daemon's bridge
// (package gateway/forwarder) serves it over UDP; gwmp/gwmptest emulates a
// forwarder for tests.
//
// Every datagram starts with a 4-byte header:
//
//	[0]    protocol version (2)
//	[1..2] random token
//	[3]    identifier (PUSH_DATA 0, PUSH_ACK 1, PULL_DATA 2, PULL_RESP 3, PULL_ACK 4, TX_ACK 5)
//
// PUSH_DATA, PULL_DATA and TX_ACK (gateway to server) then carry the
// gateway's 8-byte EUI; PUSH_DATA, PULL_RESP and TX_ACK end with a JSON
// object (TX_ACK's is optional: none means no error).
package gwmp

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Version is the protocol version byte this package speaks.
const Version = 2

// MaxDatagramBytes bounds a datagram: 60 KiB, just under the largest UDP
// payload (65,507 bytes over IPv4). lora_pkt_fwd pushes what one
// concentrator fetch returned, up to 255 packets (sx1302_hal's NB_PKT_MAX),
// so a busy site's PUSH_DATA can exceed 32 KiB, and dropping one would drop
// the beacons in it; what is larger still is counted as oversize.
const MaxDatagramBytes = 60 << 10

// Type is a datagram identifier.
type Type byte

// Datagram identifiers (PROTOCOL.TXT section 3 and 5).
const (
	PushData Type = 0
	PushAck  Type = 1
	PullData Type = 2
	PullResp Type = 3
	PullAck  Type = 4
	TxAck    Type = 5
)

var typeNames = [...]string{"push_data", "push_ack", "pull_data", "pull_resp", "pull_ack", "tx_ack"}

// String is the type's metric label (push_data, pull_resp, ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type_%d", byte(t))
}

// Upstream reports whether the gateway sends this type (PUSH_DATA,
// PULL_DATA, TX_ACK): the ones carrying its EUI.
func (t Type) Upstream() bool { return t == PushData || t == PullData || t == TxAck }

// EUI is a gateway's 64-bit identifier, as sent in upstream datagrams.
type EUI [8]byte

// String is the EUI as 16 lower-case hex digits.
func (e EUI) String() string { return hex.EncodeToString(e[:]) }

// ParseEUI reads 16 hex digits, optionally separated by ':' or '-'.
func ParseEUI(s string) (EUI, error) {
	var e EUI
	bz, err := hex.DecodeString(strings.NewReplacer(":", "", "-", "").Replace(strings.TrimSpace(s)))
	if err != nil || len(bz) != len(e) {
		return e, fmt.Errorf("gateway EUI %q: want 16 hex digits", s)
	}
	copy(e[:], bz)
	return e, nil
}

// Typed decoding errors. Reason maps each to its metric label.
var (
	// ErrOversize: the datagram is longer than MaxDatagramBytes.
	ErrOversize = errors.New("gwmp: datagram too large")
	// ErrShort: the datagram ends inside its header or EUI.
	ErrShort = errors.New("gwmp: datagram too short")
	// ErrVersion: the version byte is not 2.
	ErrVersion = errors.New("gwmp: unsupported protocol version")
	// ErrUnknownType: the identifier byte is none of the six types.
	ErrUnknownType = errors.New("gwmp: unknown datagram type")
	// ErrJSON: the JSON body is missing where required, not a JSON
	// object, or does not have the fields' types.
	ErrJSON = errors.New("gwmp: malformed JSON body")
	// ErrNumber: a number field is out of range or not a number.
	ErrNumber = errors.New("gwmp: number out of range")
	// ErrPayload: a packet's data is not base64 or disagrees with its size.
	ErrPayload = errors.New("gwmp: bad packet payload")
)

// Reason is the metric label of a decoding error ("other" for errors not
// from this package).
func Reason(err error) string {
	switch {
	case errors.Is(err, ErrOversize):
		return "oversize"
	case errors.Is(err, ErrShort):
		return "short"
	case errors.Is(err, ErrVersion):
		return "version"
	case errors.Is(err, ErrUnknownType):
		return "unknown_type"
	case errors.Is(err, ErrJSON):
		return "json"
	case errors.Is(err, ErrNumber):
		return "number"
	case errors.Is(err, ErrPayload):
		return "payload"
	}
	return "other"
}

// Datagram is one decoded GWMP datagram.
type Datagram struct {
	Token uint16
	Type  Type
	EUI   EUI    // upstream types only
	Body  []byte // the JSON object, if any (a trailing NUL is dropped)
}

const headerBytes = 4

// Decode parses a datagram's framing. It checks that the types that carry
// JSON carry a JSON object (TX_ACK's may be empty), but not its fields:
// see DecodePushData, DecodeTxAck and DecodePullResp. Bytes after a bodiless
// datagram's header are ignored, as lora_pkt_fwd ignores them.
func Decode(b []byte) (Datagram, error) {
	var d Datagram
	if len(b) > MaxDatagramBytes {
		return d, fmt.Errorf("%w: %d bytes", ErrOversize, len(b))
	}
	if len(b) < headerBytes {
		return d, fmt.Errorf("%w: %d bytes", ErrShort, len(b))
	}
	if b[0] != Version {
		return d, fmt.Errorf("%w: %d", ErrVersion, b[0])
	}
	d.Token = uint16(b[1])<<8 | uint16(b[2])
	d.Type = Type(b[3])
	if d.Type > TxAck {
		return d, fmt.Errorf("%w: 0x%02x", ErrUnknownType, b[3])
	}
	rest := b[headerBytes:]
	if d.Type.Upstream() {
		if len(rest) < len(d.EUI) {
			return d, fmt.Errorf("%w: %s without a gateway EUI", ErrShort, d.Type)
		}
		copy(d.EUI[:], rest)
		rest = rest[len(d.EUI):]
	}
	switch d.Type {
	case PushData, PullResp, TxAck:
		if n := len(rest); n > 0 && rest[n-1] == 0 {
			rest = rest[:n-1] // some forwarders send a C string
		}
		if len(rest) == 0 && d.Type == TxAck {
			return d, nil
		}
		if !isObject(rest) {
			return d, fmt.Errorf("%w: %s body is not a JSON object", ErrJSON, d.Type)
		}
		d.Body = rest
	}
	return d, nil
}

func isObject(b []byte) bool {
	s := strings.TrimSpace(string(b))
	return len(s) >= 2 && s[0] == '{' && json.Valid([]byte(s))
}

// Encode frames a datagram: header, the EUI for upstream types, body.
func Encode(d Datagram) []byte {
	out := make([]byte, 0, headerBytes+len(d.EUI)+len(d.Body))
	out = append(out, Version, byte(d.Token>>8), byte(d.Token), byte(d.Type))
	if d.Type.Upstream() {
		out = append(out, d.EUI[:]...)
	}
	return append(out, d.Body...)
}

// Ack is the acknowledgement of an upstream datagram: PUSH_ACK for
// PUSH_DATA, PULL_ACK for PULL_DATA, with the same token. TX_ACK is not
// acknowledged (ok false).
func Ack(d Datagram) (ack []byte, ok bool) {
	switch d.Type {
	case PushData:
		return Encode(Datagram{Token: d.Token, Type: PushAck}), true
	case PullData:
		return Encode(Datagram{Token: d.Token, Type: PullAck}), true
	}
	return nil, false
}

func decodeBody(d Datagram, want Type, v any) error {
	if d.Type != want {
		return fmt.Errorf("gwmp: %s is not a %s", d.Type, want)
	}
	if err := json.Unmarshal(d.Body, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrJSON, d.Type, err)
	}
	return nil
}
