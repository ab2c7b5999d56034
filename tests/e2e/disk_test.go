package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	pocdcmd "github.com/pocnet/pocd/cmd/pocd/cmd"
)

// TestDiskDefaults: `pocd init` writes the documented disk defaults
// (docs/operator-guide.md, "Disk"), the indexer keeps only the listed
// events, and blocks are pruned behind the retention window.
func TestDiskDefaults(t *testing.T) {
	// Light (one idle node each): runs beside the other parallel test after the heavy ones.
	t.Parallel()
	n := newNode(t, "pocd-e2e-disk")
	addrs := n.initChain("alice")

	// What init wrote, read back the way an operator would.
	get := func(key string) string {
		return strings.TrimSpace(n.mustRun("config", "get", "app", key))
	}
	require.Equal(t, `"custom"`, get("pruning"))
	require.Equal(t, fmt.Sprintf("%q", pocdcmd.DefaultPruningKeepRecent), get("pruning-keep-recent"))
	require.Equal(t, fmt.Sprintf("%q", pocdcmd.DefaultPruningInterval), get("pruning-interval"))
	require.Equal(t, fmt.Sprint(pocdcmd.DefaultMinRetainBlocks), get("min-retain-blocks"))
	require.Equal(t, "true", get("iavl-disable-fastnode"), "a kill mid-commit must not leave a fast index ahead of the tree")
	var indexed []string
	require.NoError(t, json.Unmarshal([]byte(get("index-events")), &indexed))
	require.Equal(t, pocdcmd.DefaultIndexEvents, indexed)
	require.Contains(t, indexed, "message.action")
	require.Equal(t, "1024", get("app-db.pebble-cache-mb"), "pebble's block cache for the application database, MiB")

	// Shrink the retention so the test sees blocks go: the SDK retains the
	// larger of min-retain-blocks and the evidence window, so both are set.
	const retain = 20
	// And a block cache of its own size, to see the node take it.
	n.rewriteConfig("app.toml", func(section, line string) string {
		switch {
		case strings.HasPrefix(line, "min-retain-blocks = "):
			return fmt.Sprintf("min-retain-blocks = %d", retain)
		case section == "[app-db]" && strings.HasPrefix(line, "pebble-cache-mb = "):
			return "pebble-cache-mb = 96"
		}
		return line
	})
	n.editGenesisDoc(func(gen map[string]any) {
		ev := gen["consensus"].(map[string]any)["params"].(map[string]any)["evidence"].(map[string]any)
		ev["max_age_num_blocks"] = fmt.Sprint(retain)
	})
	n.start()
	n.waitHeight(2, 90*time.Second)
	require.Equal(t, []any{float64(96)}, n.logged("application database opened", "pebble_cache_mib"))

	hs := n.onboard("alice", addrs["alice"], sfCell)
	require.NotEmpty(t, hs.address)

	// Indexed: the message a transaction carried.
	search := func(query string) int {
		out := n.mustRun("query", "txs", "--query", query, "--node", n.nodeFlag(), "-o", "json")
		var res struct {
			TotalCount json.Number `json:"total_count"`
			Txs        []struct {
				Height json.Number `json:"height"`
			} `json:"txs"`
		}
		require.NoError(t, json.Unmarshal([]byte(lastJSON(out)), &res), out)
		c, err := res.TotalCount.Int64()
		require.NoError(t, err)
		return int(c)
	}
	require.Equal(t, 1, search("message.action='/pocd.hotspot.v1.MsgAddHotspot'"))
	require.Equal(t, 2, search(fmt.Sprintf("message.sender='%s'", addrs["alice"])), "add and assert, both from alice")
	// A typed event's attribute: its value is JSON, quotes included.
	require.Equal(t, 1, search(fmt.Sprintf(`pocd.hotspot.v1.EventHotspotAdded.owner='"%s"'`, addrs["alice"])))
	// Not indexed: every fee payment emits coin_spent, left out of the list.
	require.NotContains(t, indexed, "coin_spent.spender")
	require.Equal(t, 0, search(fmt.Sprintf("coin_spent.spender='%s'", addrs["alice"])))

	// Retention: the block that carried the hotspot's transaction is pruned
	// once the chain is retain blocks past it; the latest block stays.
	txHeight := n.lastTxHeight(addrs["alice"])
	n.waitHeight(txHeight+retain+3, 120*time.Second)
	lowest := n.lowestBlock()
	require.Greater(t, lowest, txHeight, "the block at %d is still stored", txHeight)
	latest, err := n.height()
	require.NoError(t, err)
	require.GreaterOrEqual(t, lowest, latest-retain-2, "more than the window is kept")
}

// lastTxHeight is the height of the newest transaction sent from addr.
func (n *node) lastTxHeight(addr string) int64 {
	n.t.Helper()
	out := n.mustRun("query", "txs", "--query", fmt.Sprintf("message.sender='%s'", addr), "--order_by", "desc", "--limit", "1", "--node", n.nodeFlag(), "-o", "json")
	var res struct {
		Txs []struct {
			Height json.Number `json:"height"`
		} `json:"txs"`
	}
	require.NoError(n.t, json.Unmarshal([]byte(lastJSON(out)), &res), out)
	require.NotEmpty(n.t, res.Txs, out)
	h, err := res.Txs[0].Height.Int64()
	require.NoError(n.t, err)
	return h
}

// lowestBlock is the lowest height whose block the node still stores
// (CometBFT's earliest_block_height).
func (n *node) lowestBlock() int64 {
	n.t.Helper()
	_, earliest, err := n.syncInfo()
	require.NoError(n.t, err)
	return earliest
}

// logged returns a field of every node log line with the given message.
func (n *node) logged(message, field string) []any {
	n.t.Helper()
	bz, err := os.ReadFile(n.logPath)
	require.NoError(n.t, err)
	var out []any
	for _, line := range strings.Split(string(bz), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) == nil && entry["message"] == message {
			out = append(out, entry[field])
		}
	}
	return out
}
