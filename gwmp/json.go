package gwmp

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DataRate is a datr field: a LoRa data rate identifier ("SF9BW125") or an
// FSK bit rate (a JSON number).
type DataRate struct {
	LoRa string // set for LoRa
	FSK  uint32 // bits per second, for FSK
}

// MarshalJSON writes a string for LoRa, a number for FSK.
func (r DataRate) MarshalJSON() ([]byte, error) {
	if r.LoRa != "" {
		return json.Marshal(r.LoRa)
	}
	return json.Marshal(r.FSK)
}

// UnmarshalJSON takes either form.
func (r *DataRate) UnmarshalJSON(b []byte) error {
	*r = DataRate{}
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &r.LoRa)
	}
	return json.Unmarshal(b, &r.FSK)
}

// String is the LoRa identifier, or the FSK rate in bits per second.
func (r DataRate) String() string {
	if r.LoRa != "" {
		return r.LoRa
	}
	return fmt.Sprint(r.FSK)
}

// RXPK is a received packet in PUSH_DATA (PROTOCOL.TXT section 4, and the
// JSON v2 "rsig" form of SX1302 forwarders). Numbers that feed a report
// value are kept as their JSON text (json.Number) and converted exactly by
// FrequencyHz and Signal; no float is ever involved.
type RXPK struct {
	Time  string      `json:"time,omitempty"` // UTC, ISO 8601 with microseconds
	Tmms  *int64      `json:"tmms,omitempty"` // GPS time, ms since 1980-01-06
	Tmst  uint32      `json:"tmst"`           // concentrator counter at RX end, µs (wraps)
	Freq  json.Number `json:"freq"`           // MHz, Hz precision
	Chan  uint        `json:"chan"`
	RFCh  uint        `json:"rfch"`
	Stat  int         `json:"stat"` // CRC: 1 ok, -1 failed, 0 none
	Modu  string      `json:"modu"` // "LORA" or "FSK"
	DatR  DataRate    `json:"datr"`
	CodR  string      `json:"codr,omitempty"`
	RSSI  json.Number `json:"rssi,omitempty"`  // channel RSSI, dBm
	RSSIS json.Number `json:"rssis,omitempty"` // signal RSSI, dBm (SX1302)
	LSNR  json.Number `json:"lsnr,omitempty"`  // LoRa SNR, dB
	FOff  json.Number `json:"foff,omitempty"`  // frequency offset, Hz
	Size  uint        `json:"size"`
	Data  string      `json:"data"` // base64
	Jver  uint        `json:"jver,omitempty"`
	RSig  []RSig      `json:"rsig,omitempty"` // JSON v2: per antenna
}

// RSig is one antenna's reception in a JSON v2 rxpk.
type RSig struct {
	Ant   uint        `json:"ant"`
	Chan  uint        `json:"chan"`
	RSSIC json.Number `json:"rssic,omitempty"` // channel RSSI, dBm
	RSSIS json.Number `json:"rssis,omitempty"` // signal RSSI, dBm
	LSNR  json.Number `json:"lsnr,omitempty"`
}

// rssi is the antenna's signal RSSI if given, else its channel RSSI.
func (s RSig) rssi() json.Number {
	if s.RSSIS != "" {
		return s.RSSIS
	}
	return s.RSSIC
}

// Stat is a forwarder's status report, sent in PUSH_DATA every stat
// interval (30 s by default).
type Stat struct {
	Time string      `json:"time"`
	Lati json.Number `json:"lati,omitempty"`
	Long json.Number `json:"long,omitempty"`
	Alti json.Number `json:"alti,omitempty"`
	Rxnb uint64      `json:"rxnb"` // packets received
	Rxok uint64      `json:"rxok"` // ... with a valid CRC
	Rxfw uint64      `json:"rxfw"` // ... forwarded
	Ackr json.Number `json:"ackr"` // % of upstream datagrams acknowledged
	Dwnb uint64      `json:"dwnb"` // downlink datagrams received
	Txnb uint64      `json:"txnb"` // packets emitted
}

// PushDataBody is PUSH_DATA's JSON: received packets, a status, or both.
type PushDataBody struct {
	RXPK []RXPK `json:"rxpk,omitempty"`
	Stat *Stat  `json:"stat,omitempty"`
}

// TXPK is a packet to transmit, in PULL_RESP (PROTOCOL.TXT section 6).
type TXPK struct {
	Imme bool        `json:"imme,omitempty"` // send at once (ignores tmst, tmms)
	Tmst *uint32     `json:"tmst,omitempty"` // send at this concentrator count
	Tmms *int64      `json:"tmms,omitempty"` // send at this GPS time
	Freq json.Number `json:"freq"`           // MHz, Hz precision
	RFCh uint        `json:"rfch"`
	Powe int         `json:"powe"` // dBm, conducted
	Modu string      `json:"modu"`
	DatR DataRate    `json:"datr"`
	CodR string      `json:"codr,omitempty"`
	FDev uint        `json:"fdev,omitempty"`
	IPol bool        `json:"ipol"` // invert IQ: false, so gateways' uplink demodulators hear it
	Prea uint        `json:"prea,omitempty"`
	Size uint        `json:"size"`
	Data string      `json:"data"`
	NCRC bool        `json:"ncrc,omitempty"`
}

// PullRespBody is PULL_RESP's JSON.
type PullRespBody struct {
	TXPK TXPK `json:"txpk"`
}

// TxAckResult is TX_ACK's "txpk_ack" object. An empty or absent error, or
// "NONE", means the packet was scheduled; Warn "TX_POWER" means it was,
// at Value dBm.
type TxAckResult struct {
	Error string `json:"error,omitempty"`
	Warn  string `json:"warn,omitempty"`
	Value *int   `json:"value,omitempty"`
}

// OK reports whether the forwarder scheduled the packet.
func (r TxAckResult) OK() bool { return r.Error == "" || r.Error == "NONE" }

// TxAckBody is TX_ACK's JSON.
type TxAckBody struct {
	TxpkAck TxAckResult `json:"txpk_ack"`
}

// DecodePushData decodes a PUSH_DATA datagram's body.
func DecodePushData(d Datagram) (PushDataBody, error) {
	var b PushDataBody
	return b, decodeBody(d, PushData, &b)
}

// DecodeTxAck decodes a TX_ACK's result; an empty body is success.
func DecodeTxAck(d Datagram) (TxAckResult, error) {
	if len(d.Body) == 0 && d.Type == TxAck {
		return TxAckResult{}, nil
	}
	var b TxAckBody
	return b.TxpkAck, decodeBody(d, TxAck, &b)
}

// DecodePullResp decodes a PULL_RESP's txpk (the forwarder's side).
func DecodePullResp(d Datagram) (TXPK, error) {
	var b PullRespBody
	return b.TXPK, decodeBody(d, PullResp, &b)
}

func marshal(v any) []byte {
	bz, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings and numbers always marshal
	}
	return bz
}

// EncodePushData frames a PUSH_DATA.
func EncodePushData(token uint16, eui EUI, body PushDataBody) []byte {
	return Encode(Datagram{Token: token, Type: PushData, EUI: eui, Body: marshal(body)})
}

// EncodePullData frames a PULL_DATA (a forwarder's keep-alive).
func EncodePullData(token uint16, eui EUI) []byte {
	return Encode(Datagram{Token: token, Type: PullData, EUI: eui})
}

// EncodePullResp frames a PULL_RESP carrying one txpk.
func EncodePullResp(token uint16, tx TXPK) []byte {
	return Encode(Datagram{Token: token, Type: PullResp, Body: marshal(PullRespBody{TXPK: tx})})
}

// EncodeTxAck frames a TX_ACK. A zero result is sent with no JSON at all,
// as lora_pkt_fwd does ("Put no JSON string if there is nothing to report",
// PROTOCOL.TXT 5.5); other packet forwarders send {"error":"NONE"}, which
// DecodeTxAck also takes as success.
func EncodeTxAck(token uint16, eui EUI, r TxAckResult) []byte {
	if r.Error == "" && r.Warn == "" {
		return Encode(Datagram{Token: token, Type: TxAck, EUI: eui})
	}
	return Encode(Datagram{Token: token, Type: TxAck, EUI: eui, Body: marshal(TxAckBody{TxpkAck: r})})
}

// FrequencyHz is freq in Hz, converted from its decimal MHz text exactly
// (904.5 is 904500000, never 904499968); digits beyond 1 Hz are rounded.
func (p RXPK) FrequencyHz() (uint64, error) { return MHzToHz(p.Freq) }

// Payload decodes data (base64, padding optional) and checks it against size.
func (p RXPK) Payload() ([]byte, error) {
	bz, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(p.Data, "="))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	if uint(len(bz)) != p.Size {
		return nil, fmt.Errorf("%w: %d bytes, size says %d", ErrPayload, len(bz), p.Size)
	}
	return bz, nil
}

// Signal is the packet's RSSI in tenths of dBm and SNR in tenths of dB.
// The RSSI is the signal RSSI (rssis) when the forwarder gives it, else
// the channel RSSI (rssi). A JSON v2 packet without top-level values takes
// them from the antenna that heard it strongest.
func (p RXPK) Signal() (rssiDdbm, snrDdb int32, err error) {
	rssi, snr := p.RSSIS, p.LSNR
	if rssi == "" {
		rssi = p.RSSI
	}
	if (rssi == "" || snr == "") && len(p.RSig) > 0 {
		strongest, best := -1, int64(0)
		for i, s := range p.RSig {
			v, err := ParseFixed(s.rssi(), 1)
			if err == nil && (strongest < 0 || v > best) {
				strongest, best = i, v
			}
		}
		if strongest >= 0 {
			if rssi == "" {
				rssi = p.RSig[strongest].rssi()
			}
			if snr == "" {
				snr = p.RSig[strongest].LSNR
			}
		}
	}
	if rssi == "" || snr == "" {
		return 0, 0, fmt.Errorf("%w: no rssi or lsnr", ErrNumber)
	}
	r, err := ParseFixed(rssi, 1)
	if err != nil || r < -2000 || r > 500 {
		return 0, 0, fmt.Errorf("%w: rssi %q", ErrNumber, rssi)
	}
	s, err := ParseFixed(snr, 1)
	if err != nil || s < -500 || s > 500 {
		return 0, 0, fmt.Errorf("%w: lsnr %q", ErrNumber, snr)
	}
	return int32(r), int32(s), nil
}

// RxTime is the packet's time field, if the forwarder gave one.
func (p RXPK) RxTime() (time.Time, bool) {
	if p.Time == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, p.Time)
	return t, err == nil
}

// FormatTime writes a time as rxpk's "time": UTC, microseconds.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// EncodeData is a payload as txpk/rxpk data (base64, padded).
func EncodeData(payload []byte) string { return base64.StdEncoding.EncodeToString(payload) }

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
