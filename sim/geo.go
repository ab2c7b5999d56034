package sim

import (
	"math"
	"math/rand/v2"
)

// LatLng is a position in degrees.
type LatLng struct{ Lat, Lng float64 }

const earthRadiusM = 6_371_008.8

func rad(d float64) float64 { return d * math.Pi / 180 }
func deg(r float64) float64 { return r * 180 / math.Pi }

// DistanceM is the great-circle (haversine) distance.
func DistanceM(a, b LatLng) float64 {
	dLat, dLng := rad(b.Lat-a.Lat), rad(b.Lng-a.Lng)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Offset moves p by distanceM along bearingDeg (0 = north, 90 = east).
func Offset(p LatLng, distanceM, bearingDeg float64) LatLng {
	d := distanceM / earthRadiusM
	b := rad(bearingDeg)
	lat1, lng1 := rad(p.Lat), rad(p.Lng)
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(b))
	lng2 := lng1 + math.Atan2(math.Sin(b)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	return LatLng{Lat: deg(lat2), Lng: math.Mod(deg(lng2)+540, 360) - 180}
}

// scatter places n points uniformly in a disc of radiusM around c, at least
// minSepM apart where it can (it relaxes the spacing after many misses
// rather than loop forever in a crowded disc).
func scatter(rng *rand.Rand, c LatLng, radiusM, minSepM float64, n int, taken []LatLng) []LatLng {
	out := make([]LatLng, 0, n)
	for len(out) < n {
		sep := minSepM
		var p LatLng
		for try := 0; ; try++ {
			if try > 0 && try%500 == 0 {
				sep *= 0.8
			}
			p = Offset(c, radiusM*math.Sqrt(rng.Float64()), rng.Float64()*360)
			ok := true
			for _, q := range append(taken, out...) {
				if DistanceM(p, q) < sep {
					ok = false
					break
				}
			}
			if ok {
				break
			}
		}
		out = append(out, p)
	}
	return out
}
