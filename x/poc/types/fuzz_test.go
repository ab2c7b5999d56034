package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// FuzzDecodeSubmitPoc: any bytes either fail to decode or decode to a message
// whose reports convert, hash and verify without panicking; size checks
// bound what a relayer can make the chain process.
func FuzzDecodeSubmitPoc(f *testing.F) {
	seed := types.MsgSubmitPoc{
		Relayer:   "hnt1xyz",
		Beacon:    types.BeaconReport{Pubkey: make([]byte, 32), Payload: make([]byte, 51), EntropyHash: make([]byte, 32), LocalEntropy: []byte{1, 2, 3, 4}, FrequencyHz: 904_100_000},
		Witnesses: []types.WitnessReport{{Pubkey: make([]byte, 32), Payload: make([]byte, 51), RssiDdbm: -900}},
	}
	bz, err := seed.Marshal()
	require.NoError(f, err)
	f.Add(bz)
	f.Add([]byte{})
	f.Add([]byte{0x12, 0x03, 0x0a, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m types.MsgSubmitPoc
		if err := m.Unmarshal(data); err != nil {
			return
		}
		_ = m.ValidateSizes(64)
		b := m.Beacon.ToVerify()
		_ = b.ID()
		_ = b.VerifySignature()
		for _, w := range m.Witnesses {
			v := w.ToVerify()
			_ = v.VerifySignature()
		}
		again, err := m.Marshal()
		require.NoError(t, err)
		var m2 types.MsgSubmitPoc
		require.NoError(t, m2.Unmarshal(again))
		require.Equal(t, b.ID(), m2.Beacon.ToVerify().ID(), "re-encoding keeps the beacon id")
	})
}
