package types_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/hotspot/types"
)

func goldenKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("pocd golden hotspot"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// Golden values pin the wire format that third-party gateways implement
// (docs/api/hotspot.md shows the same example). If one changes, every
// deployed gateway breaks: change the domain string's version instead.
func TestGoldenIdentity(t *testing.T) {
	k := goldenKey()
	pub := []byte(k.Public().(ed25519.PublicKey))
	require.Equal(t, "9fd8b9dc031fd6a053240e26aa1d373bbd509937aa1ea443807d6dec931d8727", hex.EncodeToString(pub))

	addr, err := types.HotspotAddress(pub)
	require.NoError(t, err)
	require.Equal(t, "12D3KooWLaLfbpSrAUbvKbeMJqgQxdGMsx6aW6pXQwxMG1KK5us4", addr)
	back, err := types.PubKeyFromAddress(addr)
	require.NoError(t, err)
	require.Equal(t, pub, back)

	require.Equal(t, "proud-onyx-newt", types.HotspotName(pub))

	sb := types.AddHotspotSignBytes("pocd-1", "hnt1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du", pub, types.HOTSPOT_MODE_FULL)
	require.Equal(t, "706f63642f6164642d686f7473706f742f76310006706f63642d31002a686e7431717971737a716770717971737a716770717971737a716770717971737a7167706a6e703764759fd8b9dc031fd6a053240e26aa1d373bbd509937aa1ea443807d6dec931d872701", hex.EncodeToString(sb))
	sig := ed25519.Sign(k, sb)
	require.Equal(t, "21f4e4587cc0282f6f237bc20cad7bd35b389b25cd5bb96b23ffb0bd389378fc5697e50a4b73c44f4b4fa857455e2f1ce07bfd7284fae0f78962fb43b0afb90c", hex.EncodeToString(sig))
	require.NoError(t, types.VerifyAddHotspotSignature("pocd-1", "hnt1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du", pub, types.HOTSPOT_MODE_FULL, sig))
}

func TestNameShapeAndStability(t *testing.T) {
	seen := map[string]int{}
	for i := 0; i < 2000; i++ {
		seed := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
		n := types.HotspotName(pub)
		require.Len(t, strings.Split(n, "-"), 3, n)
		require.True(t, types.LooksLikeName(n))
		require.Equal(t, n, types.HotspotName(pub), "deterministic")
		addr, err := types.HotspotAddress(pub)
		require.NoError(t, err)
		require.False(t, types.LooksLikeName(addr), "peer IDs never look like names")
		seen[n]++
	}
	require.Greater(t, len(seen), 1990, "names spread over the 2^20 space")
}

func TestNameWordListsFrozen(t *testing.T) {
	require.Equal(t, "1c2295f19331ac74b964e496b2c30ed536cede410acb41c51b0eb4cd6269125b", types.NameWordListDigest())
}

func TestHotspotAddressRejectsBadKeys(t *testing.T) {
	for _, n := range []int{0, 31, 33, 64} {
		_, err := types.HotspotAddress(make([]byte, n))
		require.ErrorIs(t, err, types.ErrMalformedKey)
	}
	_, err := types.PubKeyFromAddress("not-a-peer-id")
	require.ErrorIs(t, err, types.ErrMalformedKey)
	// A secp256k1-style peer ID (hash-based, no embedded ed25519 key).
	_, err = types.PubKeyFromAddress("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")
	require.ErrorIs(t, err, types.ErrMalformedKey)
}

// FuzzHotspotKey: any 32 bytes give an address that decodes back to them;
// arbitrary address strings never panic.
func FuzzHotspotKey(f *testing.F) {
	f.Add(make([]byte, 32), "12D3KooWNraH1DNwetvx2kMwtrFaADdwWawoKXCwXnwbK1i8UtWg")
	f.Add([]byte{1, 2, 3}, "")
	f.Add(make([]byte, 64), "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")
	f.Fuzz(func(t *testing.T, key []byte, addr string) {
		a, err := types.HotspotAddress(key)
		if len(key) != 32 {
			require.ErrorIs(t, err, types.ErrMalformedKey)
		} else if err == nil {
			back, err := types.PubKeyFromAddress(a)
			require.NoError(t, err)
			require.Equal(t, key, back)
		}
		if pk, err := types.PubKeyFromAddress(addr); err == nil {
			require.Len(t, pk, 32)
		} else {
			require.ErrorIs(t, err, types.ErrMalformedKey)
		}
	})
}
