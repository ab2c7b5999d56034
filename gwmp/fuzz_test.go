package gwmp

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary datagrams to the decoder the bridge runs on
// every UDP datagram: it must never panic, every error must be one of the
// typed errors, and a decoded datagram must re-encode to its input (up to
// the bytes Decode ignores). The corpus is in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	eui := EUI{1, 2, 3, 4, 5, 6, 7, 8}
	f.Add(EncodePullData(1, eui))
	f.Add(append(EncodePushData(2, eui, PushDataBody{})[:12], pushSX1302...))
	f.Add(append(EncodePushData(3, eui, PushDataBody{})[:12], pushV2...))
	f.Add(EncodeTxAck(4, eui, TxAckResult{Error: "TOO_LATE"}))
	f.Add(Encode(Datagram{Token: 5, Type: TxAck, EUI: eui}))
	f.Add(EncodePullResp(6, TXPK{Imme: true, Freq: "904.5", Powe: 27, Modu: "LORA", DatR: DataRate{LoRa: "SF9BW125"}, Size: 1, Data: "AQ=="}))
	f.Add([]byte{2, 0, 0, 1})
	f.Add([]byte{1, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{2, 0, 0, 0x7f})
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := Decode(raw)
		if err != nil {
			if Reason(err) == "other" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		again := Encode(d)
		if !bytes.HasPrefix(raw, again) && !bytes.Equal(append(again, 0), raw) {
			t.Fatalf("re-encoding differs:\n%x\n%x", raw, again)
		}
		switch d.Type {
		case PushData:
			if body, err := DecodePushData(d); err == nil {
				for _, p := range body.RXPK {
					_, _ = p.FrequencyHz()
					_, _, _ = p.Signal()
					_, _ = p.Payload()
					_, _ = p.RxTime()
				}
			} else if Reason(err) != "json" {
				t.Fatalf("untyped body error %v", err)
			}
		case TxAck:
			if _, err := DecodeTxAck(d); err != nil && Reason(err) != "json" {
				t.Fatalf("untyped body error %v", err)
			}
		case PullResp:
			if tx, err := DecodePullResp(d); err == nil {
				_, _ = MHzToHz(tx.Freq)
			}
		}
	})
}
