package types

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"strings"

	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// HotspotAddress returns the libp2p peer ID of an ed25519 hotspot key: the
// identity the hotspot also uses on the PoC gossip network.
func HotspotAddress(pubkey []byte) (string, error) {
	if len(pubkey) != ed25519.PublicKeySize {
		return "", ErrMalformedKey.Wrapf("ed25519 public key must be %d bytes, got %d", ed25519.PublicKeySize, len(pubkey))
	}
	pk, err := libp2pcrypto.UnmarshalEd25519PublicKey(pubkey)
	if err != nil {
		return "", ErrMalformedKey.Wrap(err.Error())
	}
	id, err := peer.IDFromPublicKey(pk)
	if err != nil {
		return "", ErrMalformedKey.Wrap(err.Error())
	}
	return id.String(), nil
}

// PubKeyFromAddress recovers the ed25519 key embedded in a hotspot address.
func PubKeyFromAddress(address string) ([]byte, error) {
	id, err := peer.Decode(address)
	if err != nil {
		return nil, ErrMalformedKey.Wrapf("%q is not a peer ID: %v", address, err)
	}
	pk, err := id.ExtractPublicKey()
	if err != nil {
		return nil, ErrMalformedKey.Wrapf("%q does not embed a public key: %v", address, err)
	}
	if pk.Type() != libp2pcrypto.Ed25519 {
		return nil, ErrMalformedKey.Wrapf("%q is not an ed25519 key", address)
	}
	return pk.Raw()
}

// HotspotName derives the three-word "adjective-color-animal" name of a key:
// v = first 8 bytes (big-endian) of SHA-256("pocd/hotspot-name/v1" || pubkey);
// adjective = v mod 128, color = (v / 128) mod 64, animal = (v / 8192) mod 128.
// Names are for humans and may collide (1 in 2^20); addresses never do.
func HotspotName(pubkey []byte) string {
	h := sha256.New()
	h.Write([]byte("pocd/hotspot-name/v1"))
	h.Write(pubkey)
	v := binary.BigEndian.Uint64(h.Sum(nil)[:8])
	a := nameAdjectives[v%uint64(len(nameAdjectives))]
	v /= uint64(len(nameAdjectives))
	c := nameColors[v%uint64(len(nameColors))]
	v /= uint64(len(nameColors))
	n := nameAnimals[v%uint64(len(nameAnimals))]
	return a + "-" + c + "-" + n
}

// LooksLikeName reports whether an identifier is a three-word name rather
// than a peer ID (peer IDs never contain '-').
func LooksLikeName(id string) bool { return strings.Count(id, "-") == 2 }

// AddHotspotSignBytes are the bytes the hotspot key signs to prove possession
// when it is added. All integers are big-endian; strings are length-prefixed
// with a 2-byte length:
//
//	"pocd/add-hotspot/v1" | len(chain_id) | chain_id | len(owner) | owner (bech32)
//	| pubkey (32 bytes) | mode (1 byte: 1 full, 2 data_only)
//
// Binding the chain id and the owner stops a signature from being replayed on
// another chain or by another account.
func AddHotspotSignBytes(chainID, owner string, pubkey []byte, mode HotspotMode) []byte {
	const domain = "pocd/add-hotspot/v1"
	b := make([]byte, 0, len(domain)+4+len(chainID)+len(owner)+len(pubkey)+1)
	b = append(b, domain...)
	b = appendString(b, chainID)
	b = appendString(b, owner)
	b = append(b, pubkey...)
	b = append(b, byte(mode))
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// VerifyAddHotspotSignature checks the hotspot's proof of possession.
func VerifyAddHotspotSignature(chainID, owner string, pubkey []byte, mode HotspotMode, sig []byte) error {
	if len(pubkey) != ed25519.PublicKeySize {
		return ErrMalformedKey.Wrapf("ed25519 public key must be %d bytes, got %d", ed25519.PublicKeySize, len(pubkey))
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(pubkey, AddHotspotSignBytes(chainID, owner, pubkey, mode), sig) {
		return ErrBadSignature.Wrap("hotspot_signature does not verify over the add-hotspot sign bytes")
	}
	return nil
}
