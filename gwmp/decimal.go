package gwmp

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// ParseFixed converts a JSON number's text to an integer count of
// 10^-scale units, exactly: "904.5" at scale 6 is 904500000, "-61" at
// scale 1 is -610, "9.25" at scale 1 is 93 (digits beyond the scale are
// rounded half away from zero). Exponents are allowed, as in JSON. No
// floating point is involved, so what a forwarder wrote is what comes out.
func ParseFixed(n json.Number, scale int) (int64, error) {
	s := string(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || s[i+1:] == "" || e < -400 || e > 400 {
			return 0, fmt.Errorf("%w: %q", ErrNumber, string(n))
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if !isDigits(intPart) || (strings.Contains(mant, ".") && !isDigits(frac)) ||
		(len(intPart) > 1 && intPart[0] == '0') {
		return 0, fmt.Errorf("%w: %q is not a JSON number", ErrNumber, string(n))
	}
	if len(intPart)+len(frac) > 400 {
		return 0, fmt.Errorf("%w: %q", ErrNumber, string(n))
	}
	v, _ := new(big.Int).SetString(intPart+frac, 10)
	shift := exp - len(frac) + scale
	ten := big.NewInt(10)
	if shift >= 0 {
		v.Mul(v, new(big.Int).Exp(ten, big.NewInt(int64(shift)), nil))
	} else {
		d := new(big.Int).Exp(ten, big.NewInt(int64(-shift)), nil)
		q, r := new(big.Int).QuoRem(v, d, new(big.Int))
		if r.Lsh(r, 1).Cmp(d) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		v = q
	}
	if neg {
		v.Neg(v)
	}
	if !v.IsInt64() {
		return 0, fmt.Errorf("%w: %q", ErrNumber, string(n))
	}
	return v.Int64(), nil
}

// MHzToHz converts a frequency in decimal MHz (a JSON number's text) to Hz
// exactly. Zero and negative frequencies are errors.
func MHzToHz(n json.Number) (uint64, error) {
	hz, err := ParseFixed(n, 6)
	if err != nil {
		return 0, err
	}
	if hz <= 0 {
		return 0, fmt.Errorf("%w: frequency %q", ErrNumber, string(n))
	}
	return uint64(hz), nil
}

// HzToMHz writes Hz as decimal MHz with no trailing zeros (904500000 is
// 904.5), the form txpk's freq takes; it round-trips through MHzToHz.
func HzToMHz(hz uint64) json.Number {
	whole, frac := hz/1_000_000, hz%1_000_000
	if frac == 0 {
		return json.Number(strconv.FormatUint(whole, 10))
	}
	f := strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	return json.Number(strconv.FormatUint(whole, 10) + "." + f)
}
