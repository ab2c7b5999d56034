package types

import "github.com/libp2p/go-libp2p/core/peer"

// MaxIngestPeerLen bounds a registered ingest peer ID (an ed25519 peer ID,
// 12D3KooW..., has 52 characters; an RSA one, Qm..., 46).
const MaxIngestPeerLen = 128

// ValidateIngestPeer accepts "" (no ingest peer) or a libp2p peer ID in its
// canonical text form (base58, what peer.ID.String prints and `pocd ingest
// address` shows after /p2p/). Other encodings of the same ID (CIDv1) are
// refused, so that one peer cannot be registered under two spellings.
func ValidateIngestPeer(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxIngestPeerLen {
		return ErrInvalidIngestPeer.Wrapf("%d characters, at most %d", len(s), MaxIngestPeerLen)
	}
	id, err := peer.Decode(s)
	if err != nil {
		return ErrInvalidIngestPeer.Wrapf("%q is not a libp2p peer ID: %v", s, err)
	}
	if c := id.String(); c != s {
		return ErrInvalidIngestPeer.Wrapf("%q is not in canonical form; use %s", s, c)
	}
	return nil
}
