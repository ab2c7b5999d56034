package verify

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/geo"
)

// FuzzVerifyWitness mutates a signed honest witness (and re-signs it half the
// time, so the physical checks are reached): Judge never panics, and the same
// input always gives the same verdict, and a valid verdict implies that
// every physical bound held, each recomputed here from the inputs with the
// exported geo helpers and H3 (not with the rules' own code).
func FuzzVerifyWitness(f *testing.F) {
	f.Add(int32(-900), uint64(904_100_000), int64(300), []byte{}, []byte{}, true, int32(27))
	f.Add(int32(-100), uint64(0), int64(-5000), []byte{1}, []byte{1, 2, 3}, false, int32(-300))
	f.Add(int32(2147483647), uint64(18446744073709551615), int64(9223372036854775807), make([]byte, 51), make([]byte, 64), true, int32(-2147483648))
	// Boundaries: the lag and lead just inside and just outside, and each
	// channel just inside and just outside the frequency tolerance (one of
	// them is the beacon's).
	for _, lag := range []int64{4000, 4001, -1000, -1001} {
		f.Add(int32(-900), uint64(904_100_000), lag, []byte{}, []byte{}, true, int32(27))
	}
	for _, ch := range us915.Channels {
		for _, d := range []uint64{100_000, 100_001} {
			f.Add(int32(-900), ch+d, int64(300), []byte{}, []byte{}, true, int32(27))
			f.Add(int32(-900), ch-d, int64(300), []byte{}, []byte{}, true, int32(27))
		}
		// far stronger than 27 dBm over 5 km allows
		f.Add(int32(-100), ch, int64(300), []byte{}, []byte{}, true, int32(27))
	}
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
		if v1.Reason == Valid {
			validWitnessHeldEveryBound(t, DefaultParams(), c, b, w, v1)
		}
	})
}

// validWitnessHeldEveryBound recomputes, from the reports and the chain,
// each bound a valid witness verdict claims held.
func validWitnessHeldEveryBound(t *testing.T, p Params, c Chain, b *Beacon, w Witness, v WitnessVerdict) {
	t.Helper()
	require.True(t, w.VerifySignature(), "a valid witness is signed by its hotspot")
	require.True(t, bytes.Equal(w.Payload, b.Payload), "a valid witness heard the beacon's payload")
	// lag: no earlier than the lead, no later than the lag after the beacon
	wMs, bMs := w.TimestampNs/1e6, b.TimestampNs/1e6
	require.GreaterOrEqual(t, wMs, bMs-p.MaxWitnessLeadMs, "lead bound")
	require.LessOrEqual(t, wMs, bMs+p.WitnessLagMs, "lag bound")
	// frequency
	delta := w.FrequencyHz - b.FrequencyHz
	if b.FrequencyHz > w.FrequencyHz {
		delta = b.FrequencyHz - w.FrequencyHz
	}
	require.LessOrEqual(t, delta, p.MaxFrequencyDeltaHz, "frequency bound")
	// distance: far enough on the grid, within the maximum
	bh, ok := c.Hotspot(b.Pubkey)
	require.True(t, ok)
	wh, ok := c.Hotspot(w.Pubkey)
	require.True(t, ok)
	require.True(t, bh.Asserted && wh.Asserted)
	require.Equal(t, bh.Region, wh.Region, "same region")
	pa, err := h3.Cell(bh.Location).Parent(p.MinDistanceResolution)
	require.NoError(t, err)
	pb, err := h3.Cell(wh.Location).Parent(p.MinDistanceResolution)
	require.NoError(t, err)
	gd, err := pa.GridDistance(pb)
	require.NoError(t, err)
	require.GreaterOrEqual(t, gd, p.MinGridDistance, "minimum grid distance")
	dist := geo.DistanceMeters(bh.Center, wh.Center)
	require.Equal(t, dist, v.DistanceM)
	require.LessOrEqual(t, dist/1000, p.MaxDistanceKm, "maximum distance")
	// RSSI: no stronger than free-space path loss allows
	maxRSSI := geo.MaxRSSIMicroDBm(b.TxPowerDBm, bh.Gain, wh.Gain, geo.FSPLMicroDB(dist, w.FrequencyHz))
	require.True(t, v.RSSIComputed)
	require.Equal(t, maxRSSI, v.MaxRSSIMicroDBm)
	require.False(t, geo.RSSIExceedsBound(w.RSSIDdbm, maxRSSI), "RSSI bound: %d ddBm against %d udBm", w.RSSIDdbm, maxRSSI)
	// and the beacon's declared power is within its region's limit
	plan, ok := c.RegionPlan(bh.Region)
	require.True(t, ok)
	require.LessOrEqual(t, int64(b.TxPowerDBm), int64(plan.MaxEIRPDdbm)/10-int64(bh.Gain)/10, "declared power bound")
}

func signWith(c *fakeChain, name string, w Witness) []byte {
	return c.witness(name, &Beacon{Payload: w.Payload, FrequencyHz: w.FrequencyHz, DataRate: w.DataRate}, w.TimestampNs/1e6, w.RSSIDdbm,
		func(x *Witness) { *x = w; x.Signature = nil }).Signature
}
