package keeper_test

import (
	"crypto/ed25519"
	"encoding/binary"
	"testing"
	"time"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// BenchmarkSubmitPoc14Witnesses runs a full MsgSubmitPoc with 14 valid
// witnesses through the message server on a real (in-memory IAVL) store:
// decoding aside, everything a block does for it. "relayed" reports are
// new to the process (every signature is verified); "ingested" ones were
// verified when they arrived, as on a validator whose ingest took them from
// gossip, so the block finds their signatures in the verified-signature cache.
func BenchmarkSubmitPoc14Witnesses(b *testing.B) {
	b.Run("relayed", func(b *testing.B) { benchSubmitPoc14(b, false) })
	b.Run("ingested", func(b *testing.B) { benchSubmitPoc14(b, true) })
}

func benchSubmitPoc14(b *testing.B, ingested bool) {
	f := setup(b)
	beaconer := f.hotspot(b, "beaconer", cellAt(b, 0, 0))
	var names14 []string
	for i, n := range names(14, "w") {
		f.seasoned(b, f.hotspot(b, n, cellAt(b, 3+float64(i)*0.5, float64(i)*25)))
		names14 = append(names14, n)
	}
	msgs := make([]*types.MsgSubmitPoc, b.N)
	plan := []uint64{903_900_000, 904_100_000, 904_300_000, 904_500_000, 904_700_000, 904_900_000, 905_100_000, 905_300_000}
	for i := range msgs {
		le := binary.BigEndian.AppendUint32(nil, uint32(i))
		payload := verify.BeaconPayload(f.entropy, f.pub("beaconer"), le, 51)
		beacon := &verify.Beacon{
			Pubkey: f.pub("beaconer"), EntropyHeight: entropyHeight, EntropyHash: f.entropy, LocalEntropy: le, Payload: payload,
			FrequencyHz: plan[verify.BeaconChannel(payload, 8)], DataRate: "SF9BW125", TxPowerDBm: 27, TimestampNs: beaconMs * 1e6,
		}
		beacon.Signature = ed25519.Sign(f.keys["beaconer"], beacon.SignBytes())
		if ingested && !beacon.VerifySignature() {
			b.Fatal("bad beacon signature")
		}
		var ws []verify.Witness
		for j, n := range names14 {
			ws = append(ws, f.witness(n, beacon, int64(100+j), -1300))
			if ingested && !ws[j].VerifySignature() {
				b.Fatal("bad witness signature")
			}
		}
		msgs[i] = f.msg(beacon, ws...)
	}
	// Each PoC is opened by its relay and judged in the EndBlock of a block
	// past its close time; the cost of a PoC is both. PoCs close together,
	// as they do at the measured throughput (one closing iteration per
	// block for up to max_close_witnesses_per_block reports).
	closing := f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).
		WithBlockTime(f.ctx.BlockTime().Add(time.Duration(types.DefaultParams().CloseGraceMs+1) * time.Millisecond)).
		WithHeaderHash([]byte("closing block"))
	ids := make([][]byte, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// a fresh interval bucket and reciprocity for every iteration
		_ = f.k.Activity.Set(f.ctx, beaconer, types.HotspotActivity{Hotspot: beaconer, LastWitnessMs: nowMs - 1, LastBeaconMs: nowMs - 1})
		b.StartTimer()
		res, err := f.msgs.SubmitPoc(f.ctx, msgs[i])
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = res.BeaconId
	}
	for open := true; open; {
		if err := f.k.ClosePocs(closing); err != nil {
			b.Fatal(err)
		}
		it, err := f.k.OpenPocs.Iterate(closing, nil)
		if err != nil {
			b.Fatal(err)
		}
		open = it.Valid()
		it.Close()
	}
	b.StopTimer()
	for _, id := range ids {
		if rec, err := f.k.Pocs.Get(closing, id); err != nil || rec.Selected != 14 {
			b.Fatalf("%v selected %d", err, rec.Selected)
		}
	}
}
