package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/explorer"
)

// explorerMapBudget is the bound on drawing the map of 10,000
// hotspots in headless Chromium (docs/benchmarks.md).
const explorerMapBudget = 2 * time.Second

// TestExplorerMap10k measures the explorer's map of 10,000 asserted
// hotspots in headless Chromium: the embedded bundle (package explorer)
// served beside a synthetic REST fixture that pages 10,000 hotspots
// scattered over the San Francisco Bay Area (5,000 a page, as the explorer
// asks). The figure is the page's own: from navigation start to the SVG
// holding all 10,000 res-12 hexes over the basemap (REST pages fetched,
// centres computed with h3-js, basemap decoded, hexes drawn, and the frame
// laid out and painted). Three loads, each in a fresh browser; the median
// is logged, and with POCD_EXPLORER_BENCH_STRICT=1 must be under
// explorerMapBudget.
func TestExplorerMap10k(t *testing.T) {
	chromiumPath(t)
	const count = 10000
	type hotspot struct {
		Address  string `json:"address"`
		Name     string `json:"name"`
		Owner    string `json:"owner"`
		Mode     string `json:"mode"`
		Location string `json:"location"`
		Region   string `json:"region"`
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fleet := make([]hotspot, count)
	for i := range fleet {
		c, err := h3.LatLngToCell(h3.NewLatLng(37.2+rng.Float64()*1.0, -122.6+rng.Float64()*1.0), 12)
		require.NoError(t, err)
		fleet[i] = hotspot{Address: fmt.Sprintf("12D3KooWfixture%037d", i), Name: fmt.Sprintf("fixture-hotspot-n%d", i),
			Owner: "hnt1fixture", Mode: "HOTSPOT_MODE_FULL", Location: c.String(), Region: "US915"}
	}
	mux := http.NewServeMux()
	mux.Handle(explorer.Prefix, explorer.Handler())
	mux.HandleFunc("/pocd/hotspot/v1/hotspots", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("pagination.limit"))
		if limit <= 0 || limit > count {
			limit = 100
		}
		off := 0
		if k := q.Get("pagination.key"); k != "" {
			bz, err := base64.StdEncoding.DecodeString(k)
			require.NoError(t, err)
			off, _ = strconv.Atoi(string(bz))
		}
		end := min(off+limit, count)
		next := ""
		if end < count {
			next = base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(end)))
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"hotspots": fleet[off:end],
			"pagination": map[string]any{"next_key": next, "total": "0"}})
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
			MapMs         float64 `json:"mapMs"`
			FetchMs       float64 `json:"fetchMs"`
			BasemapMs     float64 `json:"basemapMs"`
			RenderMs      float64 `json:"renderMs"`
			Hexes         int     `json:"hexes"`
		}
		b.eval(`window.__explorer`, &m)
		require.Equal(t, count, m.Hexes, "one hex per hotspot")
		var paths int
		b.eval(`document.querySelectorAll('#map path[data-hotspot]').length`, &paths)
		require.Equal(t, count, paths)
		d := time.Duration(m.MapRenderedMs * float64(time.Millisecond))
		t.Logf("load %d: map of %d hotspots drawn %.0f ms after navigation start (app: %.0f ms = REST pages %.0f + basemap %.0f + hexes %.0f)",
			i+1, count, m.MapRenderedMs, m.MapMs, m.FetchMs, m.BasemapMs, m.RenderMs)
		runs = append(runs, d)
		if i == 0 && os.Getenv("POCD_EXPLORER_SHOTS_BENCH") != "" {
			b.screenshot("map-10k")
		}
		b.requireNoExceptions()
		b.close()
	}
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
