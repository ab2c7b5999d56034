package gwmp

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

var testEUI = EUI{0xaa, 0x55, 0x5a, 0, 0, 0, 0, 1}

// A PUSH_DATA as an SX1302 lora_pkt_fwd writes it (PROTOCOL.TXT 4, with
// rssis/foff), and one in the JSON v2 rsig form.
const pushSX1302 = `{"rxpk":[{"jver":1,"tmst":3512348611,"chan":2,"rfch":0,"freq":904.500000,"mid": 8,"stat":1,"modu":"LORA","datr":"SF9BW125","codr":"4/5","rssis":-97,"lsnr":9.5,"foff":-1209,"rssi":-96,"size":4,"data":"AQIDBA=="}],"stat":{"time":"2026-11-30 10:00:00 UTC","rxnb":2,"rxok":1,"rxfw":1,"ackr":100.0,"dwnb":0,"txnb":0}}`

const pushV2 = `{"rxpk":[{"jver":2,"tmst":1,"time":"2026-11-30T10:00:00.123456Z","chan":0,"rfch":0,"freq":867.1,"stat":1,"modu":"LORA","datr":"SF12BW125","codr":"4/5","size":3,"data":"AQID","rsig":[{"ant":0,"chan":0,"rssic":-110,"lsnr":-7.25},{"ant":1,"chan":8,"rssic":-104,"rssis":-106,"lsnr":-3.0}]}]}`

func TestDecodePushData(t *testing.T) {
	raw := EncodePushData(0xbeef, testEUI, PushDataBody{})
	raw = append(raw[:12], pushSX1302...)
	d, err := Decode(raw)
	require.NoError(t, err)
	require.Equal(t, PushData, d.Type)
	require.Equal(t, uint16(0xbeef), d.Token)
	require.Equal(t, testEUI, d.EUI)
	ack, ok := Ack(d)
	require.True(t, ok)
	require.Equal(t, []byte{2, 0xbe, 0xef, 1}, ack)

	body, err := DecodePushData(d)
	require.NoError(t, err)
	require.Len(t, body.RXPK, 1)
	require.NotNil(t, body.Stat)
	p := body.RXPK[0]
	hz, err := p.FrequencyHz()
	require.NoError(t, err)
	require.Equal(t, uint64(904_500_000), hz)
	rssi, snr, err := p.Signal()
	require.NoError(t, err)
	require.Equal(t, int32(-970), rssi, "rssis, not rssi")
	require.Equal(t, int32(95), snr)
	pl, err := p.Payload()
	require.NoError(t, err)
	require.Equal(t, []byte{1, 2, 3, 4}, pl)
	require.Equal(t, "SF9BW125", p.DatR.LoRa)

	d.Body = []byte(pushV2)
	body, err = DecodePushData(d)
	require.NoError(t, err)
	p = body.RXPK[0]
	rssi, snr, err = p.Signal()
	require.NoError(t, err)
	require.Equal(t, int32(-1060), rssi, "the strongest antenna's signal RSSI")
	require.Equal(t, int32(-30), snr)
	at, ok := p.RxTime()
	require.True(t, ok)
	require.Equal(t, 123456000, at.Nanosecond())
	hz, err = p.FrequencyHz()
	require.NoError(t, err)
	require.Equal(t, uint64(867_100_000), hz)
}

func TestDecodeErrors(t *testing.T) {
	good := EncodePullData(7, testEUI)
	for name, c := range map[string]struct {
		raw    []byte
		err    error
		reason string
	}{
		"empty":        {nil, ErrShort, "short"},
		"header only":  {good[:3], ErrShort, "short"},
		"no eui":       {good[:9], ErrShort, "short"},
		"version 1":    {append([]byte{1}, good[1:]...), ErrVersion, "version"},
		"unknown type": {[]byte{2, 0, 0, 9}, ErrUnknownType, "unknown_type"},
		"oversize":     {make([]byte, MaxDatagramBytes+1), ErrOversize, "oversize"},
	} {
		_, err := Decode(c.raw)
		require.ErrorIs(t, err, c.err, name)
		require.Equal(t, c.reason, Reason(err), name)
	}
	// PUSH_DATA whose body is not a JSON object, or has wrong field types.
	for _, body := range []string{``, `{"rxpk":[`, `[1]`, `"x"`} {
		_, err := Decode(Encode(Datagram{Type: PushData, EUI: testEUI, Body: []byte(body)}))
		require.ErrorIs(t, err, ErrJSON, body)
	}
	d, err := Decode(Encode(Datagram{Type: PushData, EUI: testEUI, Body: []byte(`{"rxpk":[{"freq":"x"}]}`)}))
	require.NoError(t, err)
	_, err = DecodePushData(d)
	require.ErrorIs(t, err, ErrJSON)
	d, err = Decode(Encode(Datagram{Type: PushData, EUI: testEUI, Body: []byte(`{"rxpk":[{"tmst":4294967296}]}`)}))
	require.NoError(t, err)
	_, err = DecodePushData(d)
	require.ErrorIs(t, err, ErrJSON, "tmst is 32-bit")
}

func TestTxAckAndPullResp(t *testing.T) {
	d, err := Decode(Encode(Datagram{Token: 9, Type: TxAck, EUI: testEUI}))
	require.NoError(t, err)
	r, err := DecodeTxAck(d)
	require.NoError(t, err)
	require.True(t, r.OK(), "an empty TX_ACK is success")
	v := 20
	for _, c := range []struct {
		res TxAckResult
		ok  bool
	}{{TxAckResult{}, true}, {TxAckResult{Error: "TOO_LATE"}, false}, {TxAckResult{Warn: "TX_POWER", Value: &v}, true}} {
		d, err = Decode(EncodeTxAck(9, testEUI, c.res))
		require.NoError(t, err)
		r, err = DecodeTxAck(d)
		require.NoError(t, err)
		require.Equal(t, c.ok, r.OK(), "%+v", c.res)
	}
	require.Equal(t, 20, *r.Value)

	tx := TXPK{Imme: true, Freq: HzToMHz(904_500_000), Powe: 27, Modu: "LORA", DatR: DataRate{LoRa: "SF9BW125"}, CodR: "4/5", Size: 3, Data: EncodeData([]byte{1, 2, 3})}
	raw := EncodePullResp(0x1234, tx)
	require.True(t, bytes.Contains(raw, []byte(`"freq":904.5,`)), "%s", raw)
	require.True(t, bytes.Contains(raw, []byte(`"ipol":false`)), "%s", raw)
	d, err = Decode(raw)
	require.NoError(t, err)
	got, err := DecodePullResp(d)
	require.NoError(t, err)
	require.Equal(t, tx, got)
	_, ok := Ack(d)
	require.False(t, ok)
	_, err = DecodePushData(d)
	require.Error(t, err, "a PULL_RESP is not a PUSH_DATA")
}

func TestParseFixed(t *testing.T) {
	for in, want := range map[string]int64{
		"904.5": 904_500_000, "904.499968": 904_499_968, "904.5000004": 904_500_000, "904.5000005": 904_500_001,
		"923.3": 923_300_000, "865.0625": 865_062_500, "9.045e2": 904_500_000, "0.9045E+3": 904_500_000, "904": 904_000_000,
		"-0.5e-6": -1,
	} {
		got, err := ParseFixed(json.Number(in), 6)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for in, want := range map[string]int64{"-97": -970, "-96.5": -965, "9.25": 93, "-9.25": -93, "-7.24": -72, "0": 0} {
		got, err := ParseFixed(json.Number(in), 1)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "-", ".5", "5.", "01", "1e", "1e+", "0x10", "1e999", "NaN", "99999999999999999999", " 1", "+1"} {
		_, err := ParseFixed(json.Number(in), 6)
		require.True(t, errors.Is(err, ErrNumber), "%q: %v", in, err)
	}
	for _, hz := range []uint64{904_500_000, 903_900_000, 865_062_500, 433_175_000, 1, 999_999} {
		back, err := MHzToHz(HzToMHz(hz))
		require.NoError(t, err)
		require.Equal(t, hz, back)
	}
	require.Equal(t, json.Number("904.5"), HzToMHz(904_500_000))
	_, err := MHzToHz("0")
	require.ErrorIs(t, err, ErrNumber)
}

func TestParseEUI(t *testing.T) {
	e, err := ParseEUI("AA:55:5A:00:00:00:00:01")
	require.NoError(t, err)
	require.Equal(t, testEUI, e)
	require.Equal(t, "aa555a0000000001", e.String())
	_, err = ParseEUI("aa555a")
	require.Error(t, err)
}
