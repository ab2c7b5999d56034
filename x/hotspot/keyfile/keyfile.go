// Package keyfile reads and writes hotspot key files: the libp2p protobuf
// encoding of an ed25519 private key (the format go-libp2p tools use), mode
// 0600. pocd's offline hotspot-key commands and hotspotd share it.
package keyfile

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"

	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// Key is a loaded hotspot key.
type Key struct {
	Private ed25519.PrivateKey
}

// Generate creates a key file; it refuses to overwrite an existing one, since
// losing a hotspot key loses the hotspot.
func Generate(path string) (Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, err
	}
	k := Key{Private: priv}
	lk, err := libp2pcrypto.UnmarshalEd25519PrivateKey(priv)
	if err != nil {
		return Key{}, err
	}
	bz, err := libp2pcrypto.MarshalPrivateKey(lk)
	if err != nil {
		return Key{}, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Key{}, err
	}
	if _, err := f.Write(bz); err != nil {
		f.Close()
		return Key{}, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return Key{}, err
	}
	return k, f.Close()
}

// Load reads a key file.
func Load(path string) (Key, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return Key{}, err
	}
	lk, err := libp2pcrypto.UnmarshalPrivateKey(bz)
	if err != nil {
		return Key{}, fmt.Errorf("%s is not a libp2p private key file: %w", path, err)
	}
	if lk.Type() != libp2pcrypto.Ed25519 {
		return Key{}, errors.New("hotspot keys must be ed25519")
	}
	raw, err := lk.Raw()
	if err != nil {
		return Key{}, err
	}
	return Key{Private: ed25519.PrivateKey(raw)}, nil
}

// PubKey returns the raw 32-byte public key.
func (k Key) PubKey() []byte { return []byte(k.Private.Public().(ed25519.PublicKey)) }

// Address returns the hotspot address (libp2p peer ID).
func (k Key) Address() string {
	a, err := types.HotspotAddress(k.PubKey())
	if err != nil {
		panic(err) // a loaded ed25519 key always has a valid public key
	}
	return a
}

// Name returns the three-word name.
func (k Key) Name() string { return types.HotspotName(k.PubKey()) }

// SignAdd signs the add-hotspot sign bytes.
func (k Key) SignAdd(chainID, owner string, mode types.HotspotMode) []byte {
	return ed25519.Sign(k.Private, types.AddHotspotSignBytes(chainID, owner, k.PubKey(), mode))
}
