package geo

import "math/bits"

// Path loss in whole micro-decibels (µdB), integer arithmetic only.
//
// FSPL(d, f) = 20 log10(4 pi d f / c) = K * (log2(d f) + log2(4 pi / c))
// with K = 20 / log2(10) and c = 2.998e8 m/s (the constant of poc-rules.md).
// log2(d f) is computed from the integer d*f by repeated squaring in Q62
// (40 fractional bits); the two constants come from math/big at start-up.
// The result is within 1e-9 dB of the exact value and identical everywhere.

// SpeedOfLight is the c of the PoC rules, in m/s.
const SpeedOfLight = 299_800_000

const log2FracBits = 40

var (
	// log2(4 pi / c) in Q40
	log2FourPiOverC = func() int64 {
		v := log2(quo(mul(fromInt(4), bigPi), fromInt(SpeedOfLight)))
		return roundInt(newF().SetMantExp(v, log2FracBits))
	}()
	// K = 20e6 / log2(10) micro-dB per bit, applied to a Q40 value in fspl().
	microDBPerBit = quo(fromInt(20_000_000), log2(fromInt(10)))
)

// log2Q40 returns log2(n) for n >= 1 in Q40.
func log2Q40(n uint64) int64 {
	e := 63 - bits.LeadingZeros64(n)
	// m = n / 2^e in Q62, 1 <= m < 2
	var m uint64
	if e <= 62 {
		m = n << uint(62-e)
	} else {
		m = n >> uint(e-62)
	}
	var frac int64
	for i := 1; i <= log2FracBits; i++ {
		m = mulQ62(m, m) // in [1, 4)
		if m >= 2<<62 {
			m >>= 1
			frac |= 1 << uint(log2FracBits-i)
		}
	}
	return int64(e)<<log2FracBits | frac
}

// FSPLMicroDB is the free-space path loss over distanceM metres at freqHz,
// in µdB. Distances below 1 m count as 1 m (the distance rules reject those
// witnesses before the RSSI rule is reached).
func FSPLMicroDB(distanceM, freqHz uint64) int64 {
	if distanceM == 0 {
		distanceM = 1
	}
	if freqHz == 0 {
		freqHz = 1
	}
	hi, lo := bits.Mul64(distanceM, freqHz)
	var l int64
	if hi != 0 { // beyond any physical input; saturate rather than wrap
		l = 128 << log2FracBits
	} else {
		l = log2Q40(lo)
	}
	total := l + log2FourPiOverC
	return roundInt(mul(newF().SetMantExp(fromInt(total), -log2FracBits), microDBPerBit))
}

// MaxRSSIMicroDBm is the strongest signal a witness can physically receive:
// tx power + trunc(beaconer gain / 10) - FSPL + trunc(witness gain / 10),
// gains in tenths of dBi (Go's integer division truncates, as the rule says).
func MaxRSSIMicroDBm(txPowerDBm int32, beaconerGainDdbi, witnessGainDdbi int32, fsplMicroDB int64) int64 {
	return int64(txPowerDBm+beaconerGainDdbi/10+witnessGainDdbi/10)*1_000_000 - fsplMicroDB
}

// RSSIExceedsBound reports whether rssi (tenths of dBm) is above the bound:
// rssi / 10 > max RSSI, compared exactly as rssi * 10^5 > max in µdBm.
func RSSIExceedsBound(rssiDdbm int32, maxRSSIMicroDBm int64) bool {
	return int64(rssiDdbm)*100_000 > maxRSSIMicroDBm
}
