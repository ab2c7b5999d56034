package chainclient

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/pocnet/pocd/app/params"
)

// fileKeyring is the test backend the load scripts and the devnet use: a
// key file decrypted on every read, as the file backend does.
func fileKeyring(tb testing.TB, enc params.ClientEncoding) keyring.Keyring {
	tb.Helper()
	kr, err := keyring.New(params.AppName, keyring.BackendTest, tb.TempDir(), nil, enc.Codec)
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := kr.NewMnemonic("relayer", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1); err != nil {
		tb.Fatal(err)
	}
	return kr
}

// relayerSigner is a signer of the "relayer" key in a fresh test-backend
// keyring, and that keyring.
func relayerSigner(tb testing.TB) (*Signer, keyring.Keyring) {
	tb.Helper()
	enc := params.MakeClientEncoding()
	kr := fileKeyring(tb, enc)
	s, err := NewSigner(nil, enc, kr, "relayer", "pocd-test", DefaultPricing())
	if err != nil {
		tb.Fatal(err)
	}
	return s, kr
}

// readingKeyFile is s signing through kr, as every signer did before it
// kept its key.
func readingKeyFile(s *Signer, kr keyring.Keyring) *Signer {
	return &Signer{enc: s.enc, kr: kr, keyName: s.keyName, addr: s.addr, chainID: s.chainID, pricing: s.pricing}
}

func sendToSelf(addr string) []sdk.Msg {
	return []sdk.Msg{&banktypes.MsgSend{FromAddress: addr, ToAddress: addr, Amount: sdk.NewCoins(sdk.NewInt64Coin("bones", 1))}}
}

// TestSignerSignsWithTheKeyItReadOnce: the signer keeps the key it decrypted
// when it started, signs exactly what the keyring's own key signs (secp256k1
// signatures are deterministic), and needs no further read of the key file:
// it still signs after the key is deleted from the keyring.
func TestSignerSignsWithTheKeyItReadOnce(t *testing.T) {
	s, kr := relayerSigner(t)
	msgs := sendToSelf(s.Address())
	ctx := context.Background()

	got, err := s.signTx(ctx, 100_000, msgs)
	if err != nil {
		t.Fatal(err)
	}
	want, err := readingKeyFile(s, kr).signTx(ctx, 100_000, msgs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the kept key signs differently from the keyring's")
	}

	if err := kr.Delete("relayer"); err != nil {
		t.Fatal(err)
	}
	again, err := s.signTx(ctx, 100_000, msgs)
	if err != nil {
		t.Fatalf("signing after the key file is gone: %v", err)
	}
	if !bytes.Equal(again, want) {
		t.Fatal("the signature changed")
	}
}

// TestSignerKeepsKeysItCannotHoldInTheKeyring: a key without its private
// half (an offline key) is left to the keyring: the signer starts, and
// signing is refused as it always was.
func TestSignerKeepsKeysItCannotHoldInTheKeyring(t *testing.T) {
	enc := params.MakeClientEncoding()
	kr := fileKeyring(t, enc)
	rec, err := kr.SaveOfflineKey("watch", secp256k1.GenPrivKey().PubKey())
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(nil, enc, kr, "watch", "pocd-test", DefaultPricing())
	if err != nil {
		t.Fatal(err)
	}
	if addr, _ := rec.GetAddress(); s.Address() != addr.String() {
		t.Fatalf("address %s, want %s", s.Address(), addr)
	}
	if _, err := s.signTx(context.Background(), 100_000, sendToSelf(s.Address())); !errors.Is(err, keyring.ErrOfflineSign) {
		t.Fatalf("an offline key signed, or failed otherwise: %v", err)
	}
}

// TestKeptKeyLeavesOtherKeysToTheKeyring: only the kept key answers from
// memory; another key in the same keyring is read and signs as before.
func TestKeptKeyLeavesOtherKeysToTheKeyring(t *testing.T) {
	enc := params.MakeClientEncoding()
	kr := fileKeyring(t, enc)
	other, _, err := kr.NewMnemonic("other", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	if err != nil {
		t.Fatal(err)
	}
	relayer, err := kr.Key("relayer")
	if err != nil {
		t.Fatal(err)
	}
	kept := signingKeyring(kr, "relayer", relayer)

	got, err := kept.Key("other")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := other.GetAddress()
	if addr, _ := got.GetAddress(); !addr.Equals(want) {
		t.Fatalf("Key(other) gave %s, want %s", addr, want)
	}
	msg := []byte("relay")
	sig, pub, err := kept.Sign("other", msg, signing.SignMode_SIGN_MODE_DIRECT)
	if err != nil {
		t.Fatal(err)
	}
	if otherPub, _ := other.GetPubKey(); !pub.Equals(otherPub) || !otherPub.VerifySignature(msg, sig) {
		t.Fatal("Sign(other) did not sign with other's key")
	}
}

// BenchmarkSignerSign: one relay-sized signature through the kept key
// against the test backend's key file (docs/benchmarks.md).
func BenchmarkSignerSign(b *testing.B) {
	s, kr := relayerSigner(b)
	msgs := sendToSelf(s.Address())
	for _, c := range []struct {
		name string
		s    *Signer
	}{{"kept key", s}, {"key file", readingKeyFile(s, kr)}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.s.signTx(context.Background(), 100_000, msgs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
