package verify

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzVerifyWitness mutates a signed honest witness (and re-signs it half the
// time, so the physical checks are reached): Judge never panics, and the same
// input always gives the same verdict.
func FuzzVerifyWitness(f *testing.F) {
	f.Add(int32(-900), uint64(904_100_000), int64(300), []byte{}, []byte{}, true, int32(27))
	f.Add(int32(-100), uint64(0), int64(-5000), []byte{1}, []byte{1, 2, 3}, false, int32(-300))
	f.Add(int32(2147483647), uint64(18446744073709551615), int64(9223372036854775807), make([]byte, 51), make([]byte, 64), true, int32(-2147483648))
	f.Fuzz(func(t *testing.T, rssi int32, freq uint64, lagMs int64, payload, sig []byte, resign bool, tx int32) {
		c, b := scenario(t)
		b.TxPowerDBm = tx
		w := c.witness("w", b, beaconTs+300, -900)
		w.RSSIDdbm = rssi
		w.FrequencyHz = freq
		w.TimestampNs = (beaconTs + lagMs%1_000_000) * 1e6
		if len(payload) > 0 {
			w.Payload = payload
		}
		if resign {
			w.Signature = signWith(c, "w", w)
		} else if len(sig) > 0 {
			w.Signature = sig
		}
		v1 := VerifyWitness(DefaultParams(), c, b, w, now, Options{})
		v2 := VerifyWitness(DefaultParams(), c, b, w, now, Options{})
		require.Equal(t, v1, v2)
		require.NotEqual(t, ReasonUnspecified, v1.Reason)
	})
}

func signWith(c *fakeChain, name string, w Witness) []byte {
	return c.witness(name, &Beacon{Payload: w.Payload, FrequencyHz: w.FrequencyHz, DataRate: w.DataRate}, w.TimestampNs/1e6, w.RSSIDdbm,
		func(x *Witness) { *x = w; x.Signature = nil }).Signature
}
