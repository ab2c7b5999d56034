package verify

import "math/big"

// UnitScale: reward units and hex scales are fixed point with 4 decimals
// (10000 = 1.0), the precision HIP-15 and HIP-17 round to.
const UnitScale = 10_000

// RewardUnits returns the HIP-15 units for n selected witnesses (redundancy
// 4, decay 0.8), rounded to 4 decimals half to even, computed exactly with
// rationals (0.8^k = 4^k / 5^k):
//
//	beacon  = n/4 for n <= 4, else 2 - 0.8^(n-4); 0 for n = 0
//	witness = 1 for n <= 4, else (4 - (1 - 0.8^(n-4))) / n
func RewardUnits(n int) (beacon, witness uint32) {
	if n <= 0 {
		return 0, 0
	}
	if n <= 4 {
		return roundUnit(big.NewRat(int64(n), 4)), UnitScale
	}
	k := int64(n - 4)
	decay := new(big.Rat).SetFrac(new(big.Int).Exp(big.NewInt(4), big.NewInt(k), nil), new(big.Int).Exp(big.NewInt(5), big.NewInt(k), nil))
	b := new(big.Rat).Sub(big.NewRat(2, 1), decay)
	w := new(big.Rat).Sub(big.NewRat(4, 1), new(big.Rat).Sub(big.NewRat(1, 1), decay))
	w.Quo(w, big.NewRat(int64(n), 1))
	return roundUnit(b), roundUnit(w)
}

// roundUnit rounds r * 10^4 to the nearest integer, ties to even.
func roundUnit(r *big.Rat) uint32 {
	s := new(big.Rat).Mul(r, big.NewRat(UnitScale, 1))
	q, m := new(big.Int).QuoRem(s.Num(), s.Denom(), new(big.Int))
	twice := new(big.Int).Mul(m, big.NewInt(2))
	switch twice.Cmp(s.Denom()) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	return uint32(q.Int64())
}
