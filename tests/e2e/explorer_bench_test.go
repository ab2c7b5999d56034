package e2e

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gateway "github.com/cosmos/gogogateway"
	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/explorer"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

// explorerMapBudget is the bound on drawing the map of 10,000
// hotspots in headless Chromium (docs/benchmarks.md).
const explorerMapBudget = 2 * time.Second

// TestExplorerMap10k measures the explorer's map of 10,000 asserted
// hotspots in headless Chromium: the embedded bundle (package explorer)
// served beside a synthetic REST fixture that pages the locations of 10,000
// hotspots scattered over the San Francisco Bay Area as the node's
// /pocd/hotspot/v1/locations does (same messages, marshalled with the node
// gateway's options; 5,000 a page by offset, as the explorer asks). The
// node's own time to read a page from its store is measured apart
// (BenchmarkQueryHotspotLocations). The figure is the page's own: from
// navigation start to the SVG
// holding all 10,000 res-12 hexes over the basemap (REST pages fetched,
// centres computed with h3-js, basemap decoded, hexes drawn, and the frame
// laid out and painted). Three loads, each in a fresh browser; the median
// is logged, and with POCD_EXPLORER_BENCH_STRICT=1 must be under
// explorerMapBudget.
func TestExplorerMap10k(t *testing.T) {
	chromiumPath(t)
	const count = 10000
	rng := rand.New(rand.NewPCG(1, 2))
	fleet := make([]hotspottypes.HotspotLocation, count)
	for i := range fleet {
		c, err := h3.LatLngToCell(h3.NewLatLng(37.2+rng.Float64()*1.0, -122.6+rng.Float64()*1.0), 12)
		require.NoError(t, err)
		fleet[i] = hotspottypes.HotspotLocation{Address: fmt.Sprintf("12D3KooWfixture%037d", i), Name: fmt.Sprintf("fixture-hotspot-n%d", i), Location: c.String()}
	}
	// The node's REST gateway marshals with these options
	// (cosmos-sdk server/api: gogogateway.JSONPb).
	jsonpb := &gateway.JSONPb{EmitDefaults: true, OrigName: true}
	// pageCap, when set, serves shorter pages than asked, as a node behind
	// a capping proxy would.
	var pageCap atomic.Int64
	mux := http.NewServeMux()
	mux.Handle(explorer.Prefix, explorer.Handler())
	mux.HandleFunc("/pocd/hotspot/v1/locations", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("pagination.limit"))
		if limit <= 0 || limit > count {
			limit = 100
		}
		if c := int(pageCap.Load()); c > 0 && limit > c {
			limit = c
		}
		// As the SDK's collection pagination: a key or an offset, not both.
		off, _ := strconv.Atoi(q.Get("pagination.offset"))
		if k := q.Get("pagination.key"); k != "" {
			if off > 0 {
				http.Error(w, `{"message":"invalid request, either offset or key is expected, got both"}`, http.StatusBadRequest)
				return
			}
			bz, err := base64.StdEncoding.DecodeString(k)
			require.NoError(t, err)
			off, _ = strconv.Atoi(string(bz))
		}
		off = min(max(off, 0), count)
		end := min(off+limit, count)
		var nextKey []byte
		if end < count {
			nextKey = []byte(strconv.Itoa(end))
		}
		bz, err := jsonpb.Marshal(&hotspottypes.QueryHotspotLocationsResponse{Locations: fleet[off:end], Pagination: &query.PageResponse{NextKey: nextKey}})
		require.NoError(t, err)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bz)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	var runs []time.Duration
	for i := 0; i < 3; i++ {
		b := newBrowser(t)
		b.run(60*time.Second, chromedp.Navigate(srv.URL+"/explorer/#/map?res=12"))
		b.waitJS(`window.__explorer && document.querySelector('#map[data-rendered="1"]')`, 60*time.Second, "map of 10,000")
		var m struct {
			MapRenderedMs float64 `json:"mapRenderedMs"`
			StartMs       float64 `json:"startMs"`
			MapMs         float64 `json:"mapMs"`
			FetchMs       float64 `json:"fetchMs"`
			SetupMs       float64 `json:"setupMs"`
			FitMs         float64 `json:"fitMs"`
			BasemapMs     float64 `json:"basemapMs"`
			RenderMs      float64 `json:"renderMs"`
			PaintMs       float64 `json:"paintMs"`
			Hexes         int     `json:"hexes"`
		}
		b.eval(`window.__explorer`, &m)
		require.Equal(t, count, m.Hexes, "one hex per hotspot")
		var paths int
		b.eval(`document.querySelectorAll('#map path[data-hotspot]').length`, &paths)
		require.Equal(t, count, paths)
		d := time.Duration(m.MapRenderedMs * float64(time.Millisecond))
		t.Logf("load %d: map of %d hotspots drawn %.0f ms after navigation start (app started at %.0f ms, then %.0f ms = REST pages %.0f + page set-up %.0f + centres %.0f + basemap wait %.0f + hexes built %.0f + layout and paint %.0f)",
			i+1, count, m.MapRenderedMs, m.StartMs, m.MapMs, m.FetchMs, m.SetupMs, m.FitMs, m.BasemapMs, m.RenderMs, m.PaintMs)
		runs = append(runs, d)
		if i == 0 && os.Getenv("POCD_EXPLORER_SHOTS_BENCH") != "" {
			b.screenshot("map-10k")
		}
		b.requireNoExceptions()
		b.close()
	}
	// Pages shorter than asked: the map follows the node by key and still
	// draws every hotspot.
	pageCap.Store(3000)
	b := newBrowser(t)
	b.run(60*time.Second, chromedp.Navigate(srv.URL+"/explorer/#/map?res=12"))
	b.waitJS(`window.__explorer && document.querySelector('#map[data-rendered="1"]')`, 60*time.Second, "map of 10,000 from short pages")
	var paths int
	b.eval(`document.querySelectorAll('#map path[data-hotspot]').length`, &paths)
	require.Equal(t, count, paths, "every hotspot drawn from pages of 3,000")
	b.requireNoExceptions()
	b.close()

	sort.Slice(runs, func(i, j int) bool { return runs[i] < runs[j] })
	median := runs[len(runs)/2]
	t.Logf("median of %d loads: %s (budget %s)", len(runs), median.Round(time.Millisecond), explorerMapBudget)
	// Speed is measured, not asserted (docs/benchmarks.md): the 2 s budget
	// is checked only on request, on a quiet machine; on a loaded one the
	// figure measures the load, not the page. What always holds is that
	// every hex is drawn.
	if os.Getenv("POCD_EXPLORER_BENCH_STRICT") == "1" {
		require.Less(t, median, explorerMapBudget, "the map of 10,000 hotspots renders in under 2 s")
	}
}
