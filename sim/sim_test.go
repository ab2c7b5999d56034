package sim

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRadioPathLossAndRange(t *testing.T) {
	r := DefaultRadio()
	// At 1 m the model is free space: 20 log10(4 pi f / c) = 31.7 dB at 915 MHz.
	require.InDelta(t, 31.7, r.PathLossDB(1, 915e6), 0.05)
	// Each decade of distance adds 10 n dB.
	require.InDelta(t, 35, r.PathLossDB(10_000, 915e6)-r.PathLossDB(1_000, 915e6), 1e-9)
	// At the median range the median RSSI is the sensitivity floor.
	rng := r.RangeM(915e6, 27)
	require.InDelta(t, r.SensitivityDBm, 27+2*r.GainDBi-r.PathLossDB(rng, 915e6), 1e-9)
	require.InDelta(t, 4200, rng, 200, "about 4 km for 27 dBm in a dense city")
}

func TestRadioLinksAreSymmetricAndSeeded(t *testing.T) {
	r := DefaultRadio()
	r.FadingSigmaDB = 0
	rng := rand.New(rand.NewPCG(1, 2))
	a := r.Receive(3, 9, 2000, 915e6, 27, rng)
	b := r.Receive(9, 3, 2000, 915e6, 27, rng)
	require.Equal(t, a, b, "shadowing is per link, the same both ways")
	r2 := r
	r2.Seed = 99
	require.NotEqual(t, a.RSSIDB, r2.Receive(3, 9, 2000, 915e6, 27, rng).RSSIDB, "another seed, another city")
	// Shadowing is N(0, 6 dB) across links.
	var sum, sq float64
	const n = 4000
	for i := 0; i < n; i++ {
		x := r.linkShadow(i, i+1)
		sum += x
		sq += x * x
	}
	mean := sum / n
	require.InDelta(t, 0, mean, 0.4)
	require.InDelta(t, 6, math.Sqrt(sq/n-mean*mean), 0.3)
}

func TestRadioSensitivityFloor(t *testing.T) {
	r := DefaultRadio()
	r.ShadowSigmaDB, r.FadingSigmaDB = 0, 0
	rng := rand.New(rand.NewPCG(1, 2))
	rangeM := r.RangeM(915e6, 27)
	require.True(t, r.Receive(1, 2, rangeM*0.9, 915e6, 27, rng).Heard)
	require.False(t, r.Receive(1, 2, rangeM*1.1, 915e6, 27, rng).Heard)
	near := r.Receive(1, 2, 10, 915e6, 27, rng)
	require.Equal(t, 15.0, near.SNRDB, "SNR is clamped")
}

func TestBuildFleetLayout(t *testing.T) {
	spec := FleetSpec{City: Cities["sf"], Size: 30, CheaterShare: 1.0 / 3, Seed: 5, KeyDir: t.TempDir()}
	fleet, err := BuildFleet(spec)
	require.NoError(t, err)
	kinds := map[Kind][]*Hotspot{}
	for _, h := range fleet {
		kinds[h.Kind] = append(kinds[h.Kind], h)
		require.Len(t, h.Cell, 15, "an H3 resolution-12 cell")
	}
	require.Len(t, kinds[Honest], 20)
	for _, k := range CheatKinds {
		require.Len(t, kinds[k], 2, string(k))
	}
	for _, h := range kinds[Honest] {
		require.Equal(t, h.Physical, h.Asserted)
		require.Less(t, DistanceM(h.Physical, spec.City.Center), spec.City.RadiusM+1)
		for _, o := range kinds[Honest] {
			if o != h {
				require.GreaterOrEqual(t, DistanceM(h.Physical, o.Physical), float64(MinSeparationM)-1)
			}
		}
	}
	s0, s1 := kinds[Spoof][0], kinds[Spoof][1]
	require.InDelta(t, SpoofDistanceM, DistanceM(s0.Physical, s0.Asserted), 1)
	require.Greater(t, DistanceM(s0.Asserted, s1.Asserted), 100_000.0, "spoofers claim different places")
	f0, f1 := kinds[Farm][0], kinds[Farm][1]
	require.Less(t, DistanceM(f0.Physical, f1.Physical), 2*FarmRoomM+1.0, "one room")
	require.GreaterOrEqual(t, DistanceM(f0.Asserted, f1.Asserted), float64(FarmMinSepM)-1, "asserted apart")
	require.Greater(t, DistanceM(kinds[Fabricate][0].Physical, spec.City.Center), 140_000.0)

	// The same seed and key directory give the same fleet.
	again, err := BuildFleet(spec)
	require.NoError(t, err)
	for i := range fleet {
		require.Equal(t, fleet[i].Address, again[i].Address)
		require.Equal(t, fleet[i].Cell, again[i].Cell)
	}
}

func TestReadCoordinates(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	require.NoError(t, os.WriteFile(good, []byte("# lat,lng\n37.77,-122.42\n\n37.78, -122.41\n"), 0o600))
	c, err := ReadCoordinates(good)
	require.NoError(t, err)
	require.Equal(t, []LatLng{{37.77, -122.42}, {37.78, -122.41}}, c)
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("95,10\n"), 0o600))
	_, err = ReadCoordinates(bad)
	require.ErrorContains(t, err, "bad.csv:1")
}

func TestFiguresShares(t *testing.T) {
	var f Figures
	for _, r := range []string{"valid", "valid", "max_distance_exceeded", "bad_rssi"} {
		f.add(r)
	}
	f.finish()
	require.Equal(t, 4, f.Reports)
	require.Equal(t, 0.5, f.AcceptedShare)
	require.Equal(t, 0.25, f.RejectedOtherShare, "distance rules do not count against honest hotspots")
}
