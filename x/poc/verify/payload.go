package verify

import (
	"crypto/sha256"
	"encoding/binary"

	"golang.org/x/crypto/chacha20"
)

// LocalEntropySize is the size of the hotspot's own entropy.
const LocalEntropySize = 4

// BeaconPayload derives the payload a beacon must carry from the remote
// entropy (a block hash), the beaconer's public key and its 4-byte local
// entropy: seed = SHA-256(block_hash || pubkey || local), payload = the
// first size bytes of the ChaCha20 keystream keyed by seed with an all-zero
// nonce. Binding the key means two beaconers that pick the same block and
// local entropy still send different payloads, so one witness report is
// never valid for both.
func BeaconPayload(blockHash, beaconerPubkey, local []byte, size int) []byte {
	h := sha256.New()
	h.Write(blockHash)
	h.Write(beaconerPubkey)
	h.Write(local)
	seed := h.Sum(nil)
	c, err := chacha20.NewUnauthenticatedCipher(seed, make([]byte, chacha20.NonceSize))
	if err != nil {
		panic(err) // key and nonce sizes are constants
	}
	out := make([]byte, size)
	c.XORKeyStream(out, out)
	return out
}

// BeaconChannel is the channel index a payload selects: its first two bytes,
// little-endian, modulo the number of channels.
func BeaconChannel(payload []byte, channels int) int {
	if len(payload) < 2 || channels <= 0 {
		return 0
	}
	return int(binary.LittleEndian.Uint16(payload[:2])) % channels
}
