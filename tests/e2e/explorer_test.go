package e2e

import (
	"context"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/query"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	rewardstypes "github.com/pocnet/pocd/x/rewards/types"
)

// TestExplorer runs a small simulated fleet (`hotspotd sim`, with cheaters)
// on a real node, then drives the coverage explorer the node serves at
// /explorer/ in headless Chromium and checks it against the gRPC queries:
//   - the home map draws one hex (SVG path with data-hex) per asserted
//     hotspot, each coloured by the verdict of its last beacon as
//     PocsByBeaconer gives it;
//   - searching a hotspot's three-word name opens its page, whose witness
//     table lists, row for row, the reasons and free-space RSSI bounds of
//     the gRPC Witnesses query (newest 50);
//   - the hex page shows the HexScale scale;
//   - the epoch page shows the minted amount of the gRPC Emission query and
//     the epoch's emission of EpochRewards;
//   - an unknown name, a malformed address and a hex that is not an H3 cell
//     each give a clear message on the page (not a blank page), and no page
//     throws.
//
// Screenshots go to docs/explorer (docs/explorer.md).
func TestExplorer(t *testing.T) {
	chromiumPath(t) // skip (or, in CI, fail) before starting a chain
	n := newNode(t, "pocd-e2e-explorer")
	n.initChain("alice", "relayer")
	n.setEpochDuration(poctypes.DefaultEpochIdentifier, "20s")
	n.setPocParam("beacon_interval_ms", "15000")
	n.setIngest(map[string]string{"witness-window": `"5s"`, "witness-admission": `"2500ms"`, "relay-jitter": `"0s"`, "max-report-age": `"45s"`})
	n.start()
	n.waitHeight(2, 90*time.Second)
	base := fmt.Sprintf("http://127.0.0.1:%d", n.api)
	n.waitHTTP(base+"/explorer/", 30*time.Second)

	// A dozen hotspots in San Francisco, a quarter of them cheating, for
	// a few beacon intervals; the sim waits for its last PoCs.
	cmd := exec.Command(hotspotdBinary(t), "sim", "--home", t.TempDir(),
		"--grpc", fmt.Sprintf("127.0.0.1:%d", n.grpc), "--validator", n.ingestPeer(),
		"--owner", "alice", "--keyring-dir", n.home, "--hotspots", "12", "--cheaters", "0.25",
		"--duration", "75s", "--warmup", "30s", "--drain", "40s")
	out, err := cmd.CombinedOutput()
	t.Logf("hotspotd sim:\n%s", out)
	require.NoError(t, err)

	conn := dialGRPC(t, n.grpc)
	hq := hotspottypes.NewQueryClient(conn)
	pq := poctypes.NewQueryClient(conn)
	rq := rewardstypes.NewQueryClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// An epoch with rewards settled and paid out.
	var em *rewardstypes.QueryEmissionResponse
	require.Eventually(t, func() bool {
		em, err = rq.Emission(ctx, &rewardstypes.QueryEmissionRequest{})
		if err != nil || em.LastSettledEpoch == 0 {
			return false
		}
		r, err := rq.EpochRewards(ctx, &rewardstypes.QueryEpochRewardsRequest{Epoch: em.LastSettledEpoch})
		return err == nil && r.Rewards.PaidOut && r.Rewards.Paid.IsPositive()
	}, 90*time.Second, time.Second, "an epoch with rewards paid out")

	hs, err := hq.Hotspots(ctx, &hotspottypes.QueryHotspotsRequest{Pagination: &query.PageRequest{Limit: 1000}})
	require.NoError(t, err)
	asserted := map[string]hotspottypes.Hotspot{}
	for _, h := range hs.Hotspots {
		if h.Location != "" {
			asserted[h.Address] = h
		}
	}
	require.GreaterOrEqual(t, len(asserted), 12)
	// Each hotspot's last beacon verdict, as the map should colour it.
	wantVerdict := map[string]string{}
	for a := range asserted {
		p, err := pq.PocsByBeaconer(ctx, &poctypes.QueryPocsByBeaconerRequest{Hotspot: a, Pagination: &query.PageRequest{Limit: 1, Reverse: true}})
		require.NoError(t, err)
		switch {
		case len(p.Pocs) == 0 || p.Pocs[0].Reason == poctypes.REASON_UNSPECIFIED:
			wantVerdict[a] = "none"
		case p.Pocs[0].Reason == poctypes.REASON_VALID:
			wantVerdict[a] = "valid"
		default:
			wantVerdict[a] = "invalid"
		}
	}

	b := newBrowser(t)

	// --- home: one hex per asserted hotspot, coloured by its last verdict.
	b.run(60*time.Second, chromedp.Navigate(base+"/explorer/"))
	b.waitJS(`document.querySelector('#map[data-rendered="1"]')`, 60*time.Second, "map drawn")
	var drawn []struct{ Hotspot, Hex, Verdict, Res string }
	// Colours arrive after the hexes: wait until every hex has its verdict.
	b.waitJS(`[...document.querySelectorAll('#map path[data-hotspot]')].every(p => p.dataset.verdict !== "unknown")`, 60*time.Second, "verdict colours")
	b.eval(`[...document.querySelectorAll('#map path[data-hex]')].map(p => ({hotspot: p.dataset.hotspot || "", hex: p.dataset.hex, verdict: p.dataset.verdict || "", res: p.dataset.res}))`, &drawn)
	require.Len(t, drawn, len(asserted), "one hex per asserted hotspot")
	seen := map[string]bool{}
	for _, d := range drawn {
		h, ok := asserted[d.Hotspot]
		require.True(t, ok, "hex %s is an asserted hotspot's", d.Hex)
		require.False(t, seen[d.Hotspot], "one hex for %s", d.Hotspot)
		seen[d.Hotspot] = true
		require.Equal(t, h.Location, d.Hex, "drawn at its asserted cell")
		require.Equal(t, "12", d.Res)
		require.Equal(t, wantVerdict[d.Hotspot], d.Verdict, "%s's last beacon verdict", h.Name)
	}
	b.waitJS(`document.querySelector('[data-field="height"]')`, 30*time.Second, "height on the home page")
	var height string
	b.eval(`document.querySelector('[data-field="height"]') ? document.querySelector('[data-field="height"]').textContent : ""`, &height)
	require.NotEmpty(t, height, "home shows the height")
	b.waitJS(`document.querySelector('#ingest section') && document.querySelector('[data-field="minted"]')`, 60*time.Second, "home page complete")
	b.screenshot("home")

	// The roll-up: res 8 hexes count the same hotspots.
	b.run(30*time.Second, chromedp.Navigate(base+"/explorer/#/map?res=8"))
	b.waitJS(`document.querySelector('#map[data-rendered="1"][data-res="8"]')`, 60*time.Second, "res-8 map")
	var total int
	b.eval(`[...document.querySelectorAll('#map path[data-count]')].reduce((a, p) => a + Number(p.dataset.count), 0)`, &total)
	require.Equal(t, len(asserted), total, "res-8 counts add up to the asserted hotspots")

	// --- search by name: the hotspot with the most witness records.
	var target hotspottypes.Hotspot
	var want *poctypes.QueryWitnessesResponse
	for a, h := range asserted {
		w, err := pq.Witnesses(ctx, &poctypes.QueryWitnessesRequest{Hotspot: a, Pagination: &query.PageRequest{Limit: 50, Reverse: true}})
		require.NoError(t, err)
		if want == nil || len(w.Witnesses) > len(want.Witnesses) {
			target, want = h, w
		}
	}
	require.NotEmpty(t, want.Witnesses, "some hotspot was witnessed")
	b.run(30*time.Second, chromedp.Navigate(base+"/explorer/#/"))
	b.search(target.Name)
	b.waitJS(fmt.Sprintf(`document.querySelector('h1[data-hotspot-name=%q]')`, target.Name), 30*time.Second, "hotspot page by name")
	b.waitJS(`document.querySelector('#witnesses tr[data-witness]')`, 30*time.Second, "witness table")
	type row struct {
		Beacon, Witness, Reason, Side, Rssi, Bound, Selected, BoundText string
	}
	var rows []row
	b.eval(`[...document.querySelectorAll('#witnesses tr[data-witness]')].map(r => ({beacon: r.dataset.beacon, witness: r.dataset.witness,
		reason: r.dataset.reason, side: r.dataset.side, rssi: r.dataset.rssiDdbm, bound: r.dataset.boundUdbm, selected: r.dataset.selected,
		boundtext: r.children[5].textContent.trim()}))`, &rows)
	require.Len(t, rows, len(want.Witnesses), "one row per witness record")
	reasons := map[string]int{}
	for i, w := range want.Witnesses {
		r := rows[i]
		require.Equal(t, hex.EncodeToString(w.BeaconId), r.Beacon, "row %d", i)
		require.Equal(t, w.Witness, r.Witness, "row %d", i)
		require.Equal(t, w.Reason.String(), r.Reason, "row %d reason", i)
		require.Equal(t, w.Side.String(), r.Side, "row %d side", i)
		require.Equal(t, strconv.Itoa(int(w.RssiDdbm)), r.Rssi, "row %d RSSI", i)
		require.Equal(t, strconv.FormatInt(w.MaxRssiUdbm, 10), r.Bound, "row %d free-space bound", i)
		require.Equal(t, strconv.FormatBool(w.Selected), r.Selected, "row %d selected", i)
		if w.MaxRssiUdbm == 0 {
			require.Equal(t, "not reached", r.BoundText)
		} else {
			shown, err := strconv.ParseFloat(r.BoundText, 64)
			require.NoError(t, err, "row %d bound text %q", i, r.BoundText)
			require.InDelta(t, float64(w.MaxRssiUdbm)/1e6, shown, 0.0051, "row %d bound as shown", i)
		}
		reasons[w.Reason.String()]++
	}
	t.Logf("%s: %d witness rows, reasons %v", target.Name, len(rows), reasons)
	// Every number links to the REST URL it came from.
	var links []string
	b.eval(`[...document.querySelectorAll('#witnesses a.src')].map(a => a.getAttribute("href"))`, &links)
	require.NotEmpty(t, links)
	for _, l := range links {
		require.True(t, strings.HasPrefix(l, "/pocd/poc/v1/"), "link %s", l)
	}
	b.waitJS(`document.querySelector('#rewards section')`, 30*time.Second, "rewards section")
	b.screenshot("hotspot")

	// --- hex page: the HIP-17 scale of the hotspot's cell.
	scale, err := pq.HexScale(ctx, &poctypes.QueryHexScaleRequest{Cell: target.Location})
	require.NoError(t, err)
	b.run(30*time.Second, chromedp.Navigate(base+"/explorer/#/hex/"+target.Location))
	b.waitJS(`document.querySelector('[data-field="scale"]')`, 30*time.Second, "hex scale")
	var shownScale string
	b.eval(`document.querySelector('[data-field="scale"]').textContent`, &shownScale)
	require.Equal(t, fmt.Sprintf("%.4f", float64(scale.Scale)/1e4), shownScale)
	b.waitJS(`document.querySelector('#cell-hotspots')`, 30*time.Second, "hotspots in the cell")
	b.screenshot("hex")

	// --- epoch page: the minted amount the Emission query gives.
	epoch := em.LastSettledEpoch
	before, err := rq.Emission(ctx, &rewardstypes.QueryEmissionRequest{Epoch: epoch})
	require.NoError(t, err)
	b.run(30*time.Second, chromedp.Navigate(fmt.Sprintf("%s/explorer/#/epoch/%d", base, epoch)))
	b.waitJS(`document.querySelector('[data-field="minted"]')`, 30*time.Second, "epoch page")
	var minted, mintedText, emission string
	b.eval(`document.querySelector('[data-field="minted"]').dataset.value`, &minted)
	b.eval(`document.querySelector('[data-field="minted"]').textContent`, &mintedText)
	b.eval(`document.querySelector('[data-field="emission"]').dataset.value`, &emission)
	after, err := rq.Emission(ctx, &rewardstypes.QueryEmissionRequest{Epoch: epoch})
	require.NoError(t, err)
	require.Contains(t, []string{before.Minted.String(), after.Minted.String()}, minted, "minted as the Emission query gives it")
	require.Equal(t, hntText(minted), mintedText)
	er, err := rq.EpochRewards(ctx, &rewardstypes.QueryEpochRewardsRequest{Epoch: epoch})
	require.NoError(t, err)
	require.Equal(t, er.Rewards.Emission.String(), emission)
	b.screenshot("epoch")

	// --- bad input: a clear message, never a blank page.
	for _, c := range []struct{ input, want, shot string }{
		{"zzzz-zzzz-zzzz", "No hotspot is named “zzzz-zzzz-zzzz”", "error-unknown-name"},
		{"12D3KooWnotanaddress", "is not a well-formed hotspot address", "error-malformed-address"},
		{"8c283082800b3fg", "Nothing to look up", ""},
		{"fffffffffffffff", "is not an H3 cell", "error-not-h3"},
	} {
		b.search(c.input)
		b.waitJS(fmt.Sprintf(`document.querySelector('#app .error') && document.querySelector('#app .error').textContent.includes(%q)`, c.want), 30*time.Second, c.input)
		if c.shot != "" {
			b.screenshot(c.shot)
		}
	}
	b.run(30*time.Second, chromedp.Navigate(base+"/explorer/#/hex/not-a-cell"))
	b.waitJS(`document.querySelector('#app .error') && document.querySelector('#app .error').textContent.includes("is not an H3 cell")`, 30*time.Second, "hex route with a bad cell")
	b.run(30*time.Second, chromedp.Navigate(base+"/explorer/#/epoch/999999"))
	b.waitJS(`document.querySelector('#app .error') && document.querySelector('#app .error').textContent.includes("is not settled")`, 30*time.Second, "unsettled epoch")
	b.requireNoExceptions()
}

// hntText formats bones as the explorer does: HNT with up to 8 decimals.
func hntText(bones string) string {
	v, err := strconv.ParseUint(bones, 10, 64)
	if err != nil {
		return bones
	}
	whole, frac := v/1e8, v%1e8
	s := group3(strconv.FormatUint(whole, 10))
	if frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%08d", frac), "0")
	}
	return s + " HNT"
}

func group3(d string) string {
	for i := len(d) - 3; i > 0; i -= 3 {
		d = d[:i] + "," + d[i:]
	}
	return d
}
