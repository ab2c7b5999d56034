package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

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

func TestIntervalSkipperAlternatesBuckets(t *testing.T) {
	interval := 15 * time.Second
	start := time.UnixMilli(1_700_000_000_000 + 4_321)
	used := map[int64]int{}
	for k := 0; k < 5; k++ {
		now := start.Add(time.Duration(k) * interval)
		ts := SkipperTimestamps(now, interval)
		b := Bucket(now, interval)
		require.Equal(t, b+1, Bucket(ts[0], interval), "first beacon in the next bucket")
		require.Equal(t, b, Bucket(ts[1], interval), "second in the current one")
		for _, x := range ts {
			used[Bucket(x, interval)]++
		}
	}
	// Every bucket but the first and last is claimed twice: the interval
	// rule (one beacon per bucket) refuses one of each pair.
	for b := Bucket(start, interval) + 1; b <= Bucket(start, interval)+4; b++ {
		require.Equal(t, 2, used[b], "bucket %d", b)
	}
}

func TestAdversariesLayout(t *testing.T) {
	spec := FleetSpec{City: Cities["sf"], Size: 12, Seed: 3, KeyDir: t.TempDir()}
	fleet, err := BuildFleet(spec)
	require.NoError(t, err)
	all, err := AddAdversaries(fleet, spec)
	require.NoError(t, err)
	require.Len(t, all, 12+len(adversaryHotspots)+SybilKeys)
	host := SybilHost(all)
	require.Equal(t, Honest, all[host].Kind)
	kinds := map[Kind]int{}
	cells := map[string]bool{}
	for i, h := range all {
		require.Equal(t, i, h.Index)
		require.False(t, cells[h.Cell], "one hotspot per cell")
		cells[h.Cell] = true
		kinds[h.Kind]++
		if i < 12 {
			require.Equal(t, fleet[i], h, "the fleet is unchanged")
			continue
		}
		require.True(t, IsAdversary(h.Kind))
		if h.Kind == Sybil {
			d := DistanceM(h.Asserted, all[host].Asserted)
			require.LessOrEqual(t, d, float64(SybilMaxOffsetM), "sybil key within 100 m of its real hotspot")
			require.GreaterOrEqual(t, d, 0.4*SybilMaxOffsetM-1)
			require.Equal(t, host, h.SybilOf)
		} else {
			require.LessOrEqual(t, DistanceM(h.Asserted, spec.City.Center), spec.City.RadiusM+1, "in the city")
		}
	}
	require.Equal(t, SybilKeys, kinds[Sybil])
	for _, k := range adversaryHotspots {
		require.Equal(t, 1, kinds[k], "one %s", k)
	}
	// Same seed and key directory: the same hotspots.
	again, err := AddAdversaries(fleet[:12:12], spec)
	require.NoError(t, err)
	for i := range again {
		require.Equal(t, all[i].Address, again[i].Address)
		require.Equal(t, all[i].Cell, again[i].Cell)
	}
}

func TestSybilPlacementWithin100m(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	host := LatLng{37.7749, -122.4194}
	for trial := 0; trial < 200; trial++ {
		ps := SybilPlacement(host, 3, SybilMaxOffsetM, rng)
		for _, p := range ps {
			d := DistanceM(host, p)
			require.LessOrEqual(t, d, float64(SybilMaxOffsetM))
			require.GreaterOrEqual(t, d, 0.4*SybilMaxOffsetM-0.01)
		}
	}
}

func TestAckReason(t *testing.T) {
	require.Equal(t, "accepted", ackReason(nil))
	require.Equal(t, "invalid_tx_power", ackReason(fmt.Errorf("x: %w", fmt.Errorf("beacon refused: invalid_tx_power"))))
	require.Equal(t, "error", ackReason(fmt.Errorf("dial: refused")))
}
