// Package sim drives a fleet of virtual hotspots against a real chain: real
// keys, real on-chain onboarding, real libp2p gossip to the validators'
// ingest, with radio reception decided by a propagation model and a share
// of cheaters of distinct kinds. docs/simulator.md describes the model.
//
// Floating point is fine here: the simulator is a client. Nothing it
// computes feeds consensus; the chain judges its reports with integer
// rules.
package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
)

// Radio is a log-distance path-loss model with log-normal shadowing and a
// receiver sensitivity floor:
//
//	PL(d) = FSPL(1 m, f) + 10 n log10(d / 1 m)
//	RSSI  = P_tx + G_tx + G_rx - PL(d) + X_link + X_packet
//	heard when RSSI >= Sensitivity
//	SNR   = RSSI - NoiseFloor, clamped to [-20, 15] dB
//
// X_link ~ N(0, ShadowSigmaDB) is fixed per pair of hotspots (the same
// buildings stand between them every time) and symmetric; X_packet ~ N(0,
// FadingSigmaDB) changes per packet.
type Radio struct {
	Exponent       float64 // n: 2 in free space, 2.7-3.5 urban, 3.5 dense urban with rooftop-to-street links
	ShadowSigmaDB  float64
	FadingSigmaDB  float64
	SensitivityDBm float64 // LoRa SF9 BW125: about -129 dBm
	NoiseFloorDBm  float64 // thermal noise over 125 kHz (-123 dBm) plus a 6 dB noise figure
	GainDBi        float64 // every simulated antenna; asserted on chain as this value
	Seed           uint64
}

// DefaultRadio is the model the README's fleet uses (docs/simulator.md
// explains each constant).
func DefaultRadio() Radio {
	return Radio{Exponent: 3.5, ShadowSigmaDB: 6, FadingSigmaDB: 1, SensitivityDBm: -129, NoiseFloorDBm: -117, GainDBi: 1.2}
}

const speedOfLight = 299_800_000.0

// PathLossDB is the median path loss over distanceM at freqHz.
func (r Radio) PathLossDB(distanceM, freqHz float64) float64 {
	if distanceM < 1 {
		distanceM = 1
	}
	fspl1m := 20 * math.Log10(4*math.Pi*freqHz/speedOfLight)
	return fspl1m + 10*r.Exponent*math.Log10(distanceM)
}

// linkShadow is X_link for the unordered pair (a, b): a seeded hash turned
// into a normal deviate, so runs with the same seed hear the same links.
func (r Radio) linkShadow(a, b int) float64 {
	if a > b {
		a, b = b, a
	}
	var buf [24]byte
	binary.BigEndian.PutUint64(buf[0:], r.Seed)
	binary.BigEndian.PutUint64(buf[8:], uint64(a))
	binary.BigEndian.PutUint64(buf[16:], uint64(b))
	h := sha256.Sum256(buf[:])
	src := rand.New(rand.NewPCG(binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])))
	return src.NormFloat64() * r.ShadowSigmaDB
}

// Reception is what a receiver measured.
type Reception struct {
	Heard  bool
	RSSIDB float64
	SNRDB  float64
}

// Receive decides whether hotspot rx hears a packet from tx sent at
// txPowerDBm over distanceM.
func (r Radio) Receive(tx, rx int, distanceM, freqHz, txPowerDBm float64, rng *rand.Rand) Reception {
	rssi := txPowerDBm + 2*r.GainDBi - r.PathLossDB(distanceM, freqHz) + r.linkShadow(tx, rx) + rng.NormFloat64()*r.FadingSigmaDB
	snr := math.Max(-20, math.Min(15, rssi-r.NoiseFloorDBm))
	return Reception{Heard: rssi >= r.SensitivityDBm, RSSIDB: rssi, SNRDB: snr}
}

// RangeM is the median range: the distance at which the median RSSI meets
// the sensitivity floor.
func (r Radio) RangeM(freqHz, txPowerDBm float64) float64 {
	budget := txPowerDBm + 2*r.GainDBi - r.SensitivityDBm - 20*math.Log10(4*math.Pi*freqHz/speedOfLight)
	return math.Pow(10, budget/(10*r.Exponent))
}
