package gwmptest

import (
	"fmt"
	"math"
	"time"

	"github.com/pocnet/pocd/gwmp"
)

// Bad is a malformed datagram and the reason label hotspotd counts it
// under (hotspotd_forwarder_dropped_total{reason}).
type Bad struct {
	Kind, Reason string
	Raw          []byte
}

// Malformed is one bad datagram of each kind a server must count and
// ignore.
func Malformed(eui gwmp.EUI) []Bad {
	pull := gwmp.EncodePullData(0x0102, eui)
	version := append([]byte{1}, pull[1:]...) // protocol v1's version byte
	oversize := gwmp.EncodePushData(0x0304, eui, gwmp.PushDataBody{})
	oversize = append(oversize[:len(oversize)-1], fmt.Sprintf(`,"pad":"%0*d"}`, gwmp.MaxDatagramBytes, 0)...)
	return []Bad{
		{"wrong version", "version", version},
		{"unknown type", "unknown_type", append([]byte{gwmp.Version, 0, 1, 0x09}, eui[:]...)},
		{"truncated EUI", "short", pull[:7]},
		{"broken JSON", "json", gwmp.Encode(gwmp.Datagram{Token: 5, Type: gwmp.PushData, EUI: eui, Body: []byte(`{"rxpk":[{"freq":904.5,`)})},
		{"JSON of the wrong shape", "json", gwmp.Encode(gwmp.Datagram{Token: 6, Type: gwmp.PushData, EUI: eui, Body: []byte(`{"rxpk":{"freq":"x"}}`)})},
		{"oversize", "oversize", oversize},
		{"server-to-gateway type", "unexpected_type", gwmp.Encode(gwmp.Datagram{Token: 7, Type: gwmp.PullAck})},
		{"TX_ACK answering nothing", "unexpected_tx_ack", gwmp.EncodeTxAck(0xfffe, eui, gwmp.TxAckResult{})},
	}
}

// LoRaAirtime is a LoRa packet's time on air (Semtech AN1200.13), for a
// "SFxBWy" data rate, 8-symbol preamble, explicit header, CRC on; FSK and
// unparsable rates take 0.
func LoRaAirtime(tx gwmp.TXPK) time.Duration {
	var sf, bwKHz int
	if _, err := fmt.Sscanf(tx.DatR.LoRa, "SF%dBW%d", &sf, &bwKHz); err != nil || sf < 6 || bwKHz <= 0 {
		return 0
	}
	tsym := math.Pow(2, float64(sf)) / float64(bwKHz*1000)
	de := 0.0
	if tsym > 0.016 {
		de = 1 // low data rate optimisation
	}
	cr := 1.0 // 4/5
	num := 8*float64(tx.Size) - 4*float64(sf) + 28 + 16
	symbols := 8 + math.Max(math.Ceil(num/(4*(float64(sf)-2*de)))*(cr+4), 0)
	return time.Duration((12.25 + symbols) * tsym * float64(time.Second))
}
