package geo

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"
)

func haversineMeters(a, b [3]float64) float64 {
	// angle between unit vectors, via atan2 of cross and dot (stable for small angles)
	cx := a[1]*b[2] - a[2]*b[1]
	cy := a[2]*b[0] - a[0]*b[2]
	cz := a[0]*b[1] - a[1]*b[0]
	dot := a[0]*b[0] + a[1]*b[1] + a[2]*b[2]
	return math.Atan2(math.Sqrt(cx*cx+cy*cy+cz*cz), dot) * 6371007.180918475
}

func TestDistanceMatchesFloatReference(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 300; i++ {
		lat := math.Asin(2*rng.Float64()-1) * 180 / math.Pi
		lng := rng.Float64()*360 - 180
		a, err := h3.LatLngToCell(h3.NewLatLng(lat, lng), 12)
		require.NoError(t, err)
		// a second point 0..250 km away (and sometimes anywhere on Earth)
		km := rng.Float64() * 250
		if i%10 == 0 {
			km = rng.Float64() * 20000
		}
		brg := rng.Float64() * 2 * math.Pi
		dLat := km / 111.2 * math.Cos(brg)
		b, err := h3.LatLngToCell(h3.NewLatLng(math.Max(-89, math.Min(89, lat+dLat)), lng+km/111.2*math.Sin(brg)), 12)
		require.NoError(t, err)
		va, vb := CellCenter(uint64(a)), CellCenter(uint64(b))
		want := haversineMeters(referenceVec(t, a), referenceVec(t, b))
		got := DistanceMeters(va, vb)
		require.InDelta(t, want, float64(got), 0.51, "%s -> %s", a, b)
		require.Equal(t, got, DistanceMeters(vb, va), "symmetric")
	}
}

func TestDistanceZeroAndAntipodal(t *testing.T) {
	c := CellCenter(0x8c28308280c01ff)
	require.Equal(t, uint64(0), DistanceMeters(c, c))
	anti := Vec3{-c.X, -c.Y, -c.Z}
	// half the circumference: pi * R
	require.InDelta(t, math.Pi*6371007.180918475, float64(DistanceMeters(c, anti)), 1)
}

func TestFSPLMatchesFloatReference(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < 2000; i++ {
		d := uint64(1 + rng.Intn(300_000))
		f := uint64(400_000_000 + rng.Intn(600_000_000))
		want := 20 * math.Log10(4*math.Pi*float64(d)*float64(f)/SpeedOfLight)
		got := FSPLMicroDB(d, f)
		require.InDelta(t, want, float64(got)/1e6, 1e-6, "d=%d f=%d", d, f)
	}
}

// The RSSI rule at its boundary, with gains truncated to whole dB.
func TestMaxRSSIBoundary(t *testing.T) {
	fspl := FSPLMicroDB(10_000, 904_100_000) // ~111.57 dB
	// gains 1.9 dBi and 1.2 dBi count as 1 dB each
	max := MaxRSSIMicroDBm(27, 19, 12, fspl)
	require.Equal(t, int64(29_000_000)-fspl, max)
	// the largest tenth-of-dBm RSSI at or below the bound passes, the next fails
	limit := int32(max / 100_000) // truncates toward zero; max is negative here
	if int64(limit)*100_000 > max {
		limit--
	}
	require.False(t, RSSIExceedsBound(limit, max))
	require.True(t, RSSIExceedsBound(limit+1, max))
	// gain 2.0 dBi adds a whole dB and lets the next tenth through
	require.False(t, RSSIExceedsBound(limit+1, MaxRSSIMicroDBm(27, 20, 12, fspl)))
}

// Golden values: pinned exact integers, the test that runs on amd64 and on
// arm64 under qemu to prove the results are bit-identical across CPUs.
func TestGoldenGeometry(t *testing.T) {
	sf := CellCenter(0x8c283082800b3ff)   // 37.7749, -122.4194 at res 12
	oak := CellCenter(0x8c28308101115ff)  // 37.8044, -122.2712 at res 12
	pent := CellCenter(0x8c4c000000001ff) // a res-12 pentagon
	require.Equal(t, "(-977117213995376943, -1538532645734196327, 1412469904551495275)", sf.String())
	require.Equal(t, "(-972745687704770857, -1540441858848198709, 1413406059736458800)", oak.String())
	require.Equal(t, "(820376059838833481, -1945163051399107860, 927488979478832337)", pent.String())
	require.Equal(t, uint64(0), DistanceMeters(sf, sf))
	require.Equal(t, "13432", fmt.Sprint(DistanceMeters(sf, oak)))
	require.Equal(t, "5427991", fmt.Sprint(DistanceMeters(sf, pent)))
	require.Equal(t, "113401716", fmt.Sprint(FSPLMicroDB(12_345, 904_100_000)))
	lat, lng := sf.LatLngE7()
	require.Equal(t, "377749239 -1224195011", fmt.Sprint(lat, lng))
}

func BenchmarkCellCenter(b *testing.B) {
	for i := 0; i < b.N; i++ {
		CellCenter(0x8c28308280c01ff)
	}
}

func BenchmarkDistanceMeters(b *testing.B) {
	x, y := CellCenter(0x8c283082800b3ff), CellCenter(0x8c28308101115ff)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		DistanceMeters(x, y)
	}
}

func BenchmarkFSPLMicroDB(b *testing.B) {
	for i := 0; i < b.N; i++ {
		FSPLMicroDB(12_345, 904_100_000)
	}
}

// The fixed-point series agrees with the big-float arcsine over its whole
// range (every distance under ~800 km), up to its end at 1/16, where a
// wrong series coefficient shows (at 250 km its third term is below a
// centimetre).
func TestAsinSeriesMatchesBigFloat(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	xs := []uint64{1, 1 << 40, 1 << 57, 1<<58 - 1, 1 << 58}
	for range 200 {
		xs = append(xs, uint64(rng.Int63n(1<<58))+1)
	}
	for _, x := range xs {
		got, want := asinQ62(x), asinBig(x)
		require.InDelta(t, float64(want), float64(got), 64, "asin(%d / 2^62)", x)
	}
}

// log2Q40 is exact to its 40 fraction bits, including inputs of 2^63 and
// more (a product of distance and frequency may reach them).
func TestLog2Q40IsExact(t *testing.T) {
	for _, n := range []uint64{1, 3, 5, 7, 10, 12_345 * 904_100_000, 1 << 62, 1<<62 + 12_345, 1 << 63, 1<<63 + 12_345, 1<<64 - 1} {
		want, _ := newF().SetMantExp(log2(newF().SetUint64(n)), log2FracBits).Int64() // truncates
		require.Equal(t, want, log2Q40(n), "log2(%d)", n)
	}
}

// A received signal exactly at the bound passes; a tenth of a dB more fails.
func TestRSSIExactlyAtTheBound(t *testing.T) {
	require.False(t, RSSIExceedsBound(-1000, -100_000_000))
	require.True(t, RSSIExceedsBound(-999, -100_000_000))
}

// LatLngE7 on the axes and at the poles, where atan2 takes its special
// cases (x = 0, y = 0).
func TestLatLngE7OnTheAxes(t *testing.T) {
	const one = int64(1) << Q61
	for _, c := range []struct {
		v        Vec3
		lat, lng int64
	}{
		{Vec3{one, 0, 0}, 0, 0},
		{Vec3{0, one, 0}, 0, 900_000_000},
		{Vec3{-one, 0, 0}, 0, 1_800_000_000},
		{Vec3{0, -one, 0}, 0, -900_000_000},
		{Vec3{0, 0, one}, 900_000_000, 0},
		{Vec3{0, 0, -one}, -900_000_000, 0},
	} {
		lat, lng := c.v.LatLngE7()
		require.Equal(t, [2]int64{c.lat, c.lng}, [2]int64{lat, lng}, "%s", c.v)
	}
}
