package geo

import (
	"fmt"
	"math/big"
)

// Q61 is the fixed-point scale of stored unit vectors: component = round(v * 2^61).
const Q61 = 61

// Vec3 is a point on the unit sphere in Q61 fixed point.
type Vec3 struct{ X, Y, Z int64 }

type ijk struct{ i, j, k int }

type faceOrient struct {
	face      int
	translate ijk
	ccwRot60  int
}

type baseCell struct {
	face         int
	home         ijk
	isPentagon   int
	cwOffsetPent [2]int
}

// H3 digit directions.
const (
	centerDigit = 0
	kAxesDigit  = 1
	jAxesDigit  = 2
	jkAxesDigit = 3
	iAxesDigit  = 4
	ikAxesDigit = 5
	ijAxesDigit = 6
)

var unitVecs = [7]ijk{{0, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 1, 1}, {1, 0, 0}, {1, 0, 1}, {1, 1, 0}}

func (c *ijk) normalize() {
	if c.i < 0 {
		c.j -= c.i
		c.k -= c.i
		c.i = 0
	}
	if c.j < 0 {
		c.i -= c.j
		c.k -= c.j
		c.j = 0
	}
	if c.k < 0 {
		c.i -= c.k
		c.j -= c.k
		c.k = 0
	}
	m := min(c.i, c.j, c.k)
	if m > 0 {
		c.i -= m
		c.j -= m
		c.k -= m
	}
}

// combine sets c = c.i*a + c.j*b + c.k*d, normalised (the shape shared by
// H3's aperture-7 and rotation steps).
func (c *ijk) combine(a, b, d ijk) {
	i, j, k := c.i, c.j, c.k
	*c = ijk{a.i*i + b.i*j + d.i*k, a.j*i + b.j*j + d.j*k, a.k*i + b.k*j + d.k*k}
	c.normalize()
}

func (c *ijk) downAp7()     { c.combine(ijk{3, 0, 1}, ijk{1, 3, 0}, ijk{0, 1, 3}) }
func (c *ijk) downAp7r()    { c.combine(ijk{3, 1, 0}, ijk{0, 3, 1}, ijk{1, 0, 3}) }
func (c *ijk) rotate60ccw() { c.combine(ijk{1, 1, 0}, ijk{0, 1, 1}, ijk{1, 0, 1}) }
func (c *ijk) rotate60cw()  { c.combine(ijk{1, 0, 1}, ijk{1, 1, 0}, ijk{0, 1, 1}) }
func (c *ijk) neighbor(d int) {
	if d > centerDigit && d < 7 {
		c.i += unitVecs[d].i
		c.j += unitVecs[d].j
		c.k += unitVecs[d].k
		c.normalize()
	}
}

// roundDiv7 is lround(n / 7) (half away from zero) in integers.
func roundDiv7(n int) int {
	if n < 0 {
		return -((-n + 3) / 7)
	}
	return (n + 3) / 7
}

func (c *ijk) upAp7r() {
	i, j := c.i-c.k, c.j-c.k
	*c = ijk{roundDiv7(2*i + j), roundDiv7(3*j - i), 0}
	c.normalize()
}

func classIII(res int) bool { return res%2 == 1 }

// 7^(res/2), the Class II unit scale, and twice it, the overage threshold.
func unitScaleCII(res int) int {
	s := 1
	for r := 0; r < res/2; r++ {
		s *= 7
	}
	return s
}

func digit(h uint64, r int) int { return int((h >> (uint(15-r) * 3)) & 7) }

func setDigit(h uint64, r, d int) uint64 {
	shift := uint(15-r) * 3
	return h&^(uint64(7)<<shift) | uint64(d)<<shift
}

func rotateDigit60cw(d int) int {
	switch d {
	case kAxesDigit:
		return jkAxesDigit
	case jkAxesDigit:
		return jAxesDigit
	case jAxesDigit:
		return ijAxesDigit
	case ijAxesDigit:
		return iAxesDigit
	case iAxesDigit:
		return ikAxesDigit
	case ikAxesDigit:
		return kAxesDigit
	}
	return d
}

type faceIJK struct {
	face  int
	coord ijk
}

// adjustOverageClassII is H3's _adjustOverageClassII for non-substrate grids.
// It reports whether the address moved to a neighbouring face.
func adjustOverageClassII(f *faceIJK, res int, pentLeading4 bool) bool {
	maxDim := 2 * unitScaleCII(res)
	c := &f.coord
	if c.i+c.j+c.k <= maxDim {
		return false
	}
	var orient faceOrient
	switch {
	case c.k > 0 && c.j > 0:
		orient = faceNeighbors[f.face][3] // jk
	case c.k > 0:
		orient = faceNeighbors[f.face][2] // ki
		if pentLeading4 {
			// rotate about the pentagon centre for the missing sequence
			tmp := ijk{c.i - maxDim, c.j, c.k}
			tmp.rotate60cw()
			*c = ijk{tmp.i + maxDim, tmp.j, tmp.k}
		}
	default:
		orient = faceNeighbors[f.face][1] // ij
	}
	f.face = orient.face
	for i := 0; i < orient.ccwRot60; i++ {
		c.rotate60ccw()
	}
	s := unitScaleCII(res)
	c.i += orient.translate.i * s
	c.j += orient.translate.j * s
	c.k += orient.translate.k * s
	c.normalize()
	return true
}

// cellToFaceIJK is H3's _h3ToFaceIjk: pure integer arithmetic.
func cellToFaceIJK(h uint64) faceIJK {
	res := int((h >> 52) & 0xF)
	bc := int((h >> 45) & 0x7F)
	pent := baseCellData[bc].isPentagon == 1
	leading := func(h uint64) int {
		for r := 1; r <= res; r++ {
			if d := digit(h, r); d != 0 {
				return d
			}
		}
		return centerDigit
	}
	if pent && leading(h) == ikAxesDigit {
		for r := 1; r <= res; r++ {
			h = setDigit(h, r, rotateDigit60cw(digit(h, r)))
		}
	}
	f := faceIJK{face: baseCellData[bc].face, coord: baseCellData[bc].home}
	possibleOverage := !(!pent && (res == 0 || f.coord == ijk{}))
	for r := 1; r <= res; r++ {
		if classIII(r) {
			f.coord.downAp7()
		} else {
			f.coord.downAp7r()
		}
		f.coord.neighbor(digit(h, r))
	}
	if !possibleOverage {
		return f
	}
	orig := f.coord
	adjRes := res
	if classIII(res) {
		f.coord.downAp7r()
		adjRes++
	}
	pentLeading4 := pent && leading(h) == iAxesDigit
	if adjustOverageClassII(&f, adjRes, pentLeading4) {
		if pent {
			for adjustOverageClassII(&f, adjRes, false) {
			}
		}
		if adjRes != res {
			f.coord.upAp7r()
		}
	} else if adjRes != res {
		f.coord = orig
	}
	return f
}

var (
	sqrt3over2    = quo(sqrt(fromInt(3)), fromInt(2))
	rsqrt7        = quo(bigOne, sqrt(fromInt(7)))
	res0UGnomonic = parseF("0.38196601125010500003")
	ap7RotRads    = parseF("0.333473172251832115336090755351601070065900389")
	hexEpsilon    = parseF("0.0000000000000001")
)

type bigVec struct{ x, y, z *big.Float }

func faceCenter(face int) bigVec {
	p := faceCenterPoint[face]
	return bigVec{parseF(p[0]), parseF(p[1]), parseF(p[2])}
}

func (v bigVec) dot(w bigVec) *big.Float {
	return add(add(mul(v.x, w.x), mul(v.y, w.y)), mul(v.z, w.z))
}

func linComb(a *big.Float, v bigVec, b *big.Float, w bigVec) bigVec {
	return bigVec{add(mul(a, v.x), mul(b, w.x)), add(mul(a, v.y), mul(b, w.y)), add(mul(a, v.z), mul(b, w.z))}
}

func (v bigVec) normalized() bigVec {
	n := sqrt(v.dot(v))
	if n.Sign() == 0 {
		return v
	}
	return bigVec{quo(v.x, n), quo(v.y, n), quo(v.z, n)}
}

func cross(v, w bigVec) bigVec {
	return bigVec{
		sub(mul(v.y, w.z), mul(v.z, w.y)),
		sub(mul(v.z, w.x), mul(v.x, w.z)),
		sub(mul(v.x, w.y), mul(v.y, w.x)),
	}
}

// faceIJKToVec is H3's _faceIjkToVec3 (via _ijkToHex2d and _hex2dToVec3).
func faceIJKToVec(f faceIJK, res int) bigVec {
	i, j := f.coord.i-f.coord.k, f.coord.j-f.coord.k
	x := sub(fromInt(int64(i)), mul(bigHalf, fromInt(int64(j))))
	y := mul(fromInt(int64(j)), sqrt3over2)
	center := faceCenter(f.face)
	r := sqrt(add(mul(x, x), mul(y, y)))
	if r.Cmp(hexEpsilon) < 0 {
		return center.normalized()
	}
	theta := atan2(y, x)
	for n := 0; n < res; n++ {
		r = mul(r, rsqrt7)
	}
	r = atan(mul(r, res0UGnomonic))
	if classIII(res) {
		theta = posAngle(add(theta, ap7RotRads))
	}
	theta = posAngle(sub(parseF(faceAxesAzRadsCII[f.face]), theta))

	northPole := bigVec{newF(), newF(), fromInt(1)}
	north := linComb(bigOne, northPole, neg(northPole.dot(center)), center).normalized()
	east := cross(north, center)
	dir := linComb(cos(theta), north, sin(theta), east)
	return linComb(cos(r), center, sin(r), dir).normalized()
}

// roundQ61 rounds v * 2^61 half away from zero.
func roundQ61(v *big.Float) int64 { return roundInt(newF().SetMantExp(v, Q61)) }

// CellCenter returns the centre of a valid H3 cell as a Q61 unit vector. The
// caller validates the cell (x/hotspot's ParseCell does).
func CellCenter(cell uint64) Vec3 {
	res := int((cell >> 52) & 0xF)
	v := faceIJKToVec(cellToFaceIJK(cell), res)
	return Vec3{roundQ61(v.x), roundQ61(v.y), roundQ61(v.z)}
}

// LatLngE7 converts a centre to degrees * 10^7 (for display and simulation;
// never for a verdict).
func (v Vec3) LatLngE7() (lat, lng int64) {
	x := newF().SetMantExp(fromInt(v.X), -Q61)
	y := newF().SetMantExp(fromInt(v.Y), -Q61)
	z := newF().SetMantExp(fromInt(v.Z), -Q61)
	toE7 := quo(fromInt(1_800_000_000), bigPi)
	la := mul(atan2(z, sqrt(add(mul(x, x), mul(y, y)))), toE7)
	lo := mul(atan2(y, x), toE7)
	return roundInt(la), roundInt(lo)
}

// roundInt rounds half away from zero.
func roundInt(v *big.Float) int64 {
	s := newF().Set(v)
	if s.Sign() >= 0 {
		s.Add(s, bigHalf)
	} else {
		s.Sub(s, bigHalf)
	}
	n, _ := s.Int64()
	return n
}

func (v Vec3) String() string { return fmt.Sprintf("(%d, %d, %d)", v.X, v.Y, v.Z) }
