package keeper_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"slices"
	"testing"

	"cosmossdk.io/collections"
	"github.com/stretchr/testify/require"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// A witness with several reports of one beacon gets one stored record: the
// report the rules kept (the valid one over any other, any other over a
// duplicate), whatever their order. A key that is not a registered hotspot
// is filed under the address derived from it. Relaying never puts two
// reports of one key or an unregistered key into an open PoC
// (OpenPoc.AddWitnesses), but a genesis carries open PoCs as they are, so
// the test opens its PoCs through a genesis import.
func TestStoredWitnessRecordIsTheReportTheRulesKept(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.BeaconIntervalMs = 0 // several beacons of one hotspot
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, w)
	seed := sha256.Sum256([]byte("stranger"))
	f.keys["stranger"] = ed25519.NewKeyFromSeed(seed[:])
	stranger, err := hotspottypes.HotspotAddress(f.pub("stranger"))
	require.NoError(t, err)

	// A report of another beacon's payload, signed by the witness (a
	// replay): it fails as invalid_packet.
	replay := func() verify.Witness { return f.witness("good", f.beacon("beaconer", 99), 200, -950) }
	cases := []struct {
		name    string
		reports func(beacon *verify.Beacon) []verify.Witness
		witness string
		want    verify.Reason
		wantLag int64 // the kept report's lag, ms
	}{
		{"a later duplicate first, the valid report second", func(beacon *verify.Beacon) []verify.Witness {
			return []verify.Witness{f.witness("good", beacon, 400, -950), f.witness("good", beacon, 300, -950)}
		}, w, verify.Valid, 300},
		{"the valid report first, its later duplicate second", func(beacon *verify.Beacon) []verify.Witness {
			return []verify.Witness{f.witness("good", beacon, 300, -950), f.witness("good", beacon, 400, -950)}
		}, w, verify.Valid, 300},
		{"a replayed packet first, the valid report second", func(beacon *verify.Beacon) []verify.Witness {
			return []verify.Witness{replay(), f.witness("good", beacon, 300, -950)}
		}, w, verify.Valid, 300},
		{"the valid report first, a replayed packet second", func(beacon *verify.Beacon) []verify.Witness {
			return []verify.Witness{f.witness("good", beacon, 300, -950), replay()}
		}, w, verify.Valid, 300},
		{"a replayed packet, a later duplicate, the valid report", func(beacon *verify.Beacon) []verify.Witness {
			return []verify.Witness{replay(), f.witness("good", beacon, 400, -950), f.witness("good", beacon, 300, -950)}
		}, w, verify.Valid, 300},
		{"an unregistered key, twice", func(beacon *verify.Beacon) []verify.Witness {
			return []verify.Witness{f.witness("stranger", beacon, 400, -950), f.witness("stranger", beacon, 300, -950)}
		}, stranger, verify.ReasonGatewayNotFound, 300},
	}

	// Open one PoC per case, export, give each its reports, import.
	var ids [][]byte
	for i := range cases {
		beacon := f.beacon("beaconer", byte(i+1))
		res, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
		require.NoError(t, err)
		ids = append(ids, res.BeaconId)
	}
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Len(t, gs.OpenPocs, len(cases))
	for i := range gs.OpenPocs {
		o := &gs.OpenPocs[i]
		c := cases[slices.IndexFunc(ids, func(id []byte) bool { return bytes.Equal(id, o.BeaconId) })]
		o.Witnesses = nil
		for _, r := range c.reports(o.Beacon.ToVerify()) {
			o.Witnesses = append(o.Witnesses, types.WitnessFromVerify(r))
		}
	}
	require.NoError(t, gs.Validate())
	g := setup(t)
	g.hotspot(t, "beaconer", cellAt(t, 0, 0))
	g.hotspot(t, "good", cellAt(t, 5, 0))
	g.ctx = g.ctx.WithBlockHeight(f.ctx.BlockHeight()).WithBlockTime(f.ctx.BlockTime())
	require.NoError(t, g.k.InitGenesis(g.ctx, *gs))
	g.closeDue(t)

	for i, c := range cases {
		rec, err := g.k.Pocs.Get(g.ctx, ids[i])
		require.NoError(t, err, c.name)
		var kept []types.WitnessRecord
		require.NoError(t, g.k.Witnesses.Walk(g.ctx, collections.NewSuperPrefixedTripleRange[string, uint64, string](rec.Beaconer, rec.Seq),
			func(_ collections.Triple[string, uint64, string], wr types.WitnessRecord) (bool, error) {
				kept = append(kept, wr)
				return false, nil
			}))
		require.Len(t, kept, 1, "%s: one record per witness", c.name)
		require.Equal(t, c.witness, kept[0].Witness, c.name)
		require.Equal(t, types.Reason(c.want), kept[0].Reason, c.name)
		require.Equal(t, (beaconMs+c.wantLag)*1e6, kept[0].TimestampNs, c.name)
	}
	ws, err := g.query.Witnessed(g.ctx, &types.QueryWitnessedRequest{Hotspot: stranger})
	require.NoError(t, err)
	require.Len(t, ws.Witnessed, 1, "the unregistered key's record is found by its address")
}
