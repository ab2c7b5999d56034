package types_test

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

const fuzzMaxWitnesses = 64

// oversized recomputes ValidateSizes' verdict from the documented limits.
func oversized(m *types.MsgSubmitPoc) bool {
	b := m.Beacon
	if len(m.Witnesses) > fuzzMaxWitnesses || len(b.Pubkey) > types.PubkeyBytes || len(b.EntropyHash) > types.MaxEntropyHashBytes ||
		len(b.LocalEntropy) > types.MaxLocalEntropyBytes || len(b.Payload) > types.MaxPayloadBytes ||
		len(b.Signature) > types.SignatureBytes || len(b.DataRate) > types.MaxDataRateBytes {
		return true
	}
	for _, w := range m.Witnesses {
		if len(w.Pubkey) > types.PubkeyBytes || len(w.Payload) > types.MaxPayloadBytes ||
			len(w.Signature) > types.SignatureBytes || len(w.DataRate) > types.MaxDataRateBytes {
			return true
		}
	}
	return false
}

// sigOK is an ed25519 check written out here, independent of verify.
func sigOK(pub, msg, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, msg, sig)
}

// FuzzDecodeSubmitPoc: any bytes either fail to decode or decode to a message
// whose size verdict matches the limits, whose signatures verify exactly when
// ed25519 says so, and which re-encodes to a message with the same verdict
// and beacon id (so a message that passes the size checks stays within the
// limits after re-encoding).
func FuzzDecodeSubmitPoc(f *testing.F) {
	seed := types.MsgSubmitPoc{
		Relayer:   "hnt1xyz",
		Beacon:    types.BeaconReport{Pubkey: make([]byte, 32), Payload: make([]byte, 51), EntropyHash: make([]byte, 32), LocalEntropy: []byte{1, 2, 3, 4}, FrequencyHz: 904_100_000},
		Witnesses: []types.WitnessReport{{Pubkey: make([]byte, 32), Payload: make([]byte, 51), RssiDdbm: -900}},
	}
	bz, err := seed.Marshal()
	require.NoError(f, err)
	f.Add(bz)
	// a correctly signed beacon and witness
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	signed := seed
	signed.Beacon.Pubkey = []byte(key.Public().(ed25519.PublicKey))
	vb := signed.Beacon.ToVerify()
	signed.Beacon.Signature = ed25519.Sign(key, vb.SignBytes())
	signed.Witnesses = []types.WitnessReport{{Pubkey: signed.Beacon.Pubkey, Payload: make([]byte, 51), RssiDdbm: -900}}
	vw := signed.Witnesses[0].ToVerify()
	signed.Witnesses[0].Signature = ed25519.Sign(key, vw.SignBytes())
	bz, err = signed.Marshal()
	require.NoError(f, err)
	f.Add(bz)
	// just over the limits: a beacon payload, a witness signature, the count
	for _, edit := range []func(m *types.MsgSubmitPoc){
		func(m *types.MsgSubmitPoc) { m.Beacon.Payload = make([]byte, types.MaxPayloadBytes+1) },
		func(m *types.MsgSubmitPoc) { m.Witnesses[0].Signature = make([]byte, types.SignatureBytes+1) },
		func(m *types.MsgSubmitPoc) {
			m.Witnesses = make([]types.WitnessReport, fuzzMaxWitnesses+1)
		},
	} {
		m := seed
		m.Witnesses = append([]types.WitnessReport(nil), seed.Witnesses...)
		edit(&m)
		bz, err := m.Marshal()
		require.NoError(f, err)
		f.Add(bz)
	}
	f.Add([]byte{})
	f.Add([]byte{0x12, 0x03, 0x0a, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m types.MsgSubmitPoc
		if err := m.Unmarshal(data); err != nil {
			return
		}
		sizeErr := m.ValidateSizes(fuzzMaxWitnesses)
		if oversized(&m) {
			require.Error(t, sizeErr)
			require.True(t, errors.Is(sizeErr, types.ErrTooManyWitnesses) || errors.Is(sizeErr, types.ErrMalformedReport), "%v", sizeErr)
		} else {
			require.NoError(t, sizeErr)
		}
		b := m.Beacon.ToVerify()
		id := b.ID()
		require.Equal(t, sigOK(b.Pubkey, b.SignBytes(), b.Signature), b.VerifySignature(), "beacon signature")
		for i, w := range m.Witnesses {
			v := w.ToVerify()
			require.Equal(t, sigOK(v.Pubkey, v.SignBytes(), v.Signature), v.VerifySignature(), "witness %d signature", i)
		}
		again, err := m.Marshal()
		require.NoError(t, err)
		var m2 types.MsgSubmitPoc
		require.NoError(t, m2.Unmarshal(again))
		require.Equal(t, id, m2.Beacon.ToVerify().ID(), "re-encoding keeps the beacon id")
		require.Len(t, m2.Witnesses, len(m.Witnesses))
		if sizeErr == nil {
			require.False(t, oversized(&m2), "a message within the limits re-encodes within them")
			require.NoError(t, m2.ValidateSizes(fuzzMaxWitnesses))
		}
	})
}
