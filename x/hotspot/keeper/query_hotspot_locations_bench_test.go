package keeper_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	gateway "github.com/cosmos/gogogateway"
	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// BenchmarkQueryHotspotLocations reads a page of 5,000 of 10,000 asserted
// hotspots (what the explorer's map asks for, docs/benchmarks.md) through
// the query server on the in-memory store, and marshals it as the node's
// REST gateway does; Hotspots, the full records, is the comparison. The
// store is written through the keeper's indexed map, as the message
// handlers write it.
func BenchmarkQueryHotspotLocations(b *testing.B) {
	const count, page = 10000, 5000
	f := setup(b)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < count; i++ {
		c, err := h3.LatLngToCell(h3.NewLatLng(37.2+rng.Float64(), -122.6+rng.Float64()), 12)
		require.NoError(b, err)
		addr := fmt.Sprintf("12D3KooWbench%039d", i)
		require.NoError(b, f.k.Hotspots.Set(f.ctx, addr, types.Hotspot{
			Address: addr, Name: fmt.Sprintf("bench-hotspot-n%d", i), Owner: f.owner, Pubkey: make([]byte, 36),
			Mode: types.HOTSPOT_MODE_FULL, Location: c.String(), Gain: 12, Elevation: 5, Region: "US915",
			LocationNonce: 1, AddedHeight: 7, AssertedHeight: 7,
			LocationCenter: types.Vec3{X: -2_700_000_000_000, Y: -4_290_000_000_000, Z: 3_850_000_000_000},
		}))
	}
	jsonpb := &gateway.JSONPb{EmitDefaults: true, OrigName: true}
	for _, off := range []uint64{0, page} {
		req := &query.PageRequest{Offset: off, Limit: page}
		b.Run(fmt.Sprintf("locations/offset=%d", off), func(b *testing.B) {
			var n int
			for b.Loop() {
				res, err := f.query.HotspotLocations(f.ctx, &types.QueryHotspotLocationsRequest{Pagination: req})
				require.NoError(b, err)
				bz, err := jsonpb.Marshal(res)
				require.NoError(b, err)
				require.Len(b, res.Locations, page)
				n = len(bz)
			}
			b.ReportMetric(float64(n), "json-bytes/page")
		})
	}
	b.Run("hotspots/offset=0", func(b *testing.B) {
		var n int
		for b.Loop() {
			res, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Pagination: &query.PageRequest{Limit: page}})
			require.NoError(b, err)
			bz, err := jsonpb.Marshal(res)
			require.NoError(b, err)
			require.Len(b, res.Hotspots, page)
			n = len(bz)
		}
		b.ReportMetric(float64(n), "json-bytes/page")
	})
}
