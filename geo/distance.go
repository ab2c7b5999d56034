package geo

import (
	"math/big"
	"math/bits"
)

// EarthRadiusNanometres is H3's mean Earth radius (6371.007180918475 km).
const EarthRadiusNanometres = 6_371_007_180_918_475

// DistanceMeters is the great-circle distance between two Q61 unit vectors,
// rounded to whole metres (half up), in integer arithmetic only.
//
// chord c = |a - b| by an integer square root; central angle
// theta = 2 asin(c / 2); distance = theta * R.
func DistanceMeters(a, b Vec3) uint64 {
	dx, dy, dz := a.X-b.X, a.Y-b.Y, a.Z-b.Z // |d| <= 2^62: no overflow
	var sumHi, sumLo uint64
	for _, d := range [3]int64{dx, dy, dz} {
		u := absU(d)
		hi, lo := bits.Mul64(u, u)
		var carry uint64
		sumLo, carry = bits.Add64(sumLo, lo, 0)
		sumHi, _ = bits.Add64(sumHi, hi, carry)
	}
	// chord in Q61 = isqrt(sum of squares in Q122)
	sum := new(big.Int).Lsh(new(big.Int).SetUint64(sumHi), 64)
	sum.Or(sum, new(big.Int).SetUint64(sumLo))
	chord := new(big.Int).Sqrt(sum).Uint64() // Q61, <= 2^62
	// c/2 in Q62 is (c/2) * 2^62 = c * 2^61: the Q61 chord read as Q62.
	theta := 2 * asinQ62(chord) // Q62, < 2^64 since theta <= pi
	return roundMetres(theta)
}

func absU(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}

// asinQ62 returns asin(x) for x in [0, 1] given and returned in Q62.
// Below 1/16 (every distance under ~800 km) it sums the Maclaurin series in
// 64-bit fixed point: asin x = sum t_n, t_0 = x,
// t_{n+1} = t_n * x^2 * (2n+1)^2 / ((2n+2)(2n+3)). Beyond, it uses math/big.
func asinQ62(x uint64) uint64 {
	const sixteenth = uint64(1) << 58
	if x > sixteenth {
		return asinBig(x)
	}
	x2 := mulQ62(x, x)
	sum, t := x, x
	for n := uint64(0); t != 0; n++ {
		t = mulQ62(t, x2)
		hi, lo := bits.Mul64(t, (2*n+1)*(2*n+1))
		t, _ = bits.Div64(hi, lo, (2*n+2)*(2*n+3))
		sum += t
	}
	return sum
}

// mulQ62 multiplies two Q62 numbers (both < 2^63) truncating to Q62.
func mulQ62(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi<<2 | lo>>62
}

func asinBig(x uint64) uint64 {
	xf := newF().SetMantExp(newF().SetUint64(x), -62)
	if xf.Cmp(bigOne) >= 0 {
		xf = fromInt(1)
	}
	a := atan2(xf, sqrt(sub(bigOne, mul(xf, xf))))
	s := newF().SetMantExp(a, 62)
	n, _ := s.Uint64()
	return n
}

// roundMetres converts a Q62 angle to metres: theta * R / 2^62, rounded half up.
func roundMetres(theta uint64) uint64 {
	hi, lo := bits.Mul64(theta, EarthRadiusNanometres)
	// divide the 128-bit product by 2^62, then by 10^9 with rounding
	q := hi<<2 | lo>>62 // nanometres; hi < 2^62 here so no bits are lost
	return (q + 500_000_000) / 1_000_000_000
}
