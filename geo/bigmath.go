package geo

import "math/big"

// prec is the working precision of the big-float trigonometry: far more than
// the 61 bits the results are rounded to, so rounding is the only error that
// reaches a stored value.
const prec = 192

func newF() *big.Float { return new(big.Float).SetPrec(prec).SetMode(big.ToNearestEven) }

func fromInt(v int64) *big.Float { return newF().SetInt64(v) }

func parseF(s string) *big.Float {
	f, _, err := big.ParseFloat(s, 10, prec, big.ToNearestEven)
	if err != nil {
		panic("geo: bad constant " + s)
	}
	return f
}

func add(a, b *big.Float) *big.Float { return newF().Add(a, b) }
func sub(a, b *big.Float) *big.Float { return newF().Sub(a, b) }
func mul(a, b *big.Float) *big.Float { return newF().Mul(a, b) }
func quo(a, b *big.Float) *big.Float { return newF().Quo(a, b) }
func neg(a *big.Float) *big.Float    { return newF().Neg(a) }
func sqrt(a *big.Float) *big.Float   { return newF().Sqrt(a) }

var (
	bigPi    = parseF("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899863")
	bigTwoPi = mul(bigPi, fromInt(2))
	bigHalf  = parseF("0.5")
	bigOne   = fromInt(1)
	// epsilon is 2^-190: series stop once a term is below it.
	epsilon = newF().SetMantExp(bigOne, -190)
)

// reduce maps x into [-pi, pi].
func reduce(x *big.Float) *big.Float {
	k := quo(x, bigTwoPi)
	// round k to the nearest integer
	if k.Sign() >= 0 {
		k.Add(k, bigHalf)
	} else {
		k.Sub(k, bigHalf)
	}
	n, _ := k.Int(nil)
	return sub(x, mul(newF().SetInt(n), bigTwoPi))
}

// sin by its Taylor series after reduction to [-pi, pi].
func sin(x *big.Float) *big.Float {
	x = reduce(x)
	x2 := mul(x, x)
	term := newF().Set(x)
	sum := newF().Set(x)
	for n := int64(1); ; n++ {
		term = quo(mul(term, x2), fromInt((2*n)*(2*n+1)))
		term.Neg(term)
		sum.Add(sum, term)
		if newF().Abs(term).Cmp(epsilon) < 0 {
			return sum
		}
	}
}

// cos by its Taylor series after reduction to [-pi, pi].
func cos(x *big.Float) *big.Float {
	x = reduce(x)
	x2 := mul(x, x)
	term := fromInt(1)
	sum := fromInt(1)
	for n := int64(1); ; n++ {
		term = quo(mul(term, x2), fromInt((2*n-1)*(2*n)))
		term.Neg(term)
		sum.Add(sum, term)
		if newF().Abs(term).Cmp(epsilon) < 0 {
			return sum
		}
	}
}

// atan: arguments above 1 use atan(x) = pi/2 - atan(1/x); the rest are
// halved with atan(x) = 2 atan(x / (1 + sqrt(1 + x^2))) until |x| < 1/8, where
// the Taylor series converges by 6 bits a term.
func atan(x *big.Float) *big.Float {
	if x.Sign() < 0 {
		return neg(atan(neg(x)))
	}
	if x.Cmp(bigOne) > 0 {
		return sub(quo(bigPi, fromInt(2)), atan(quo(bigOne, x)))
	}
	doublings := 0
	eighth := parseF("0.125")
	for x.Cmp(eighth) > 0 {
		x = quo(x, add(bigOne, sqrt(add(bigOne, mul(x, x)))))
		doublings++
	}
	x2 := mul(x, x)
	power := newF().Set(x)
	sum := newF().Set(x)
	for n := int64(1); ; n++ {
		power = mul(power, x2)
		power.Neg(power)
		term := quo(power, fromInt(2*n+1))
		sum.Add(sum, term)
		if newF().Abs(term).Cmp(epsilon) < 0 {
			break
		}
	}
	return newF().SetMantExp(sum, doublings)
}

// atan2 with the usual quadrant rules; atan2(0, 0) = 0.
func atan2(y, x *big.Float) *big.Float {
	switch {
	case x.Sign() > 0:
		return atan(quo(y, x))
	case x.Sign() < 0 && y.Sign() >= 0:
		return add(atan(quo(y, x)), bigPi)
	case x.Sign() < 0:
		return sub(atan(quo(y, x)), bigPi)
	case y.Sign() > 0:
		return quo(bigPi, fromInt(2))
	case y.Sign() < 0:
		return neg(quo(bigPi, fromInt(2)))
	}
	return newF()
}

// posAngle maps an angle into [0, 2pi) the way H3's _posAngleRads does.
func posAngle(a *big.Float) *big.Float {
	if a.Sign() < 0 {
		return add(a, bigTwoPi)
	}
	if a.Cmp(bigTwoPi) >= 0 {
		return sub(a, bigTwoPi)
	}
	return a
}

// log2 of a positive big float: exponent plus fractional bits by repeated
// squaring (each squaring doubles the logarithm; a result >= 2 yields a 1 bit).
func log2(x *big.Float) *big.Float {
	m := newF()
	e := x.MantExp(m) // x = m * 2^e, m in [0.5, 1)
	m.SetMantExp(m, 1)
	e--
	two := fromInt(2)
	frac := newF()
	bit := newF().SetMantExp(bigOne, -1)
	for i := 0; i < prec-8; i++ {
		m = mul(m, m)
		if m.Cmp(two) >= 0 {
			m.SetMantExp(m, -1)
			frac.Add(frac, bit)
		}
		bit.SetMantExp(bit, -1)
	}
	return add(fromInt(int64(e)), frac)
}
