//go:build devnet

package devnet

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/pocnet/pocd/networks/devnet/devnetstatus"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

// The operator-lifecycle scenarios (docs/operator-guide.md): a governed
// upgrade under cosmovisor, a node joining by state sync, and a restart of
// the whole network from a zero-height export.

const chainID = "pocd-devnet"

// syncNode is the node that joins late (compose profile "statesync").
var syncNode = devnetstatus.Node{Name: "sync", Offset: 500}

// pocd runs the host's pocd (this tree's) with the given arguments.
func (h *harness) pocd(args ...string) string {
	h.t.Helper()
	return h.run(h.pocdBin, args...)
}

// home is a node's home directory on the host.
func home(n string) string { return filepath.Join(devnetDir, "data", n) }

// tx signs and broadcasts a transaction from validator vi's key through its
// own RPC, and returns the tx hash; it does not wait for inclusion.
func (h *harness) tx(vi int, args ...string) string {
	h.t.Helper()
	v := vals[vi]
	all := append(args, "--from", "validator", "--keyring-backend", "test", "--home", home(v.Name),
		"--chain-id", chainID, "--node", "tcp://"+strings.TrimPrefix(v.RPC(), "http://"),
		"--gas", "400000", "--fees", "2000bones", "--yes", "--output", "json")
	out := h.pocd(all...)
	var res struct {
		Code   int    `json:"code"`
		TxHash string `json:"txhash"`
		RawLog string `json:"raw_log"`
	}
	require.NoError(h.t, json.NewDecoder(strings.NewReader(jsonAnswer(out))).Decode(&res), out)
	require.Zero(h.t, res.Code, "%s: %s", strings.Join(args, " "), res.RawLog)
	return res.TxHash
}

// jsonAnswer skips anything the CLI printed before its JSON answer.
func jsonAnswer(out string) string {
	if i := strings.Index(out, "{"); i >= 0 {
		return out[i:]
	}
	return out
}

// restAt GETs path from n's REST, at a past height when height > 0, and
// decodes the JSON generically (so two binaries' answers compare by value).
func restAt(ctx context.Context, t *testing.T, n devnetstatus.Node, path string, height int64) any {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.REST()+path, nil)
	require.NoError(t, err)
	if height > 0 {
		req.Header.Set("x-cosmos-block-height", strconv.FormatInt(height, 10))
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err, path)
	defer resp.Body.Close()
	bz, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s at %d: %s", n.Name, path, height, bz)
	var v any
	require.NoError(t, json.Unmarshal(bz, &v))
	return v
}

// ledger is what must survive an upgrade, a state sync and an export: the
// hotspot registry, one hotspot's PoC records, and the reward ledger.
type ledger struct {
	Hotspots     any
	Pocs         any
	Emission     any
	Epochs       map[int64]any
	OwnerPaid    any
	FirstHotspot string
}

func readLedger(ctx context.Context, t *testing.T, n devnetstatus.Node, height int64, owner string) ledger {
	t.Helper()
	l := ledger{Epochs: map[int64]any{}}
	l.Hotspots = restAt(ctx, t, n, "/pocd/hotspot/v1/hotspots?pagination.limit=1000", height)
	hs := l.Hotspots.(map[string]any)["hotspots"].([]any)
	require.NotEmpty(t, hs, "%s has no hotspots", n.Name)
	addrs := make([]string, 0, len(hs))
	for _, x := range hs {
		addrs = append(addrs, x.(map[string]any)["address"].(string))
	}
	sort.Strings(addrs)
	l.FirstHotspot = addrs[0]
	l.Pocs = restAt(ctx, t, n, "/pocd/poc/v1/hotspots/"+addrs[0]+"/pocs", height)
	l.Emission = restAt(ctx, t, n, "/pocd/rewards/v1/emission", height)
	last, _ := strconv.ParseInt(l.Emission.(map[string]any)["last_settled_epoch"].(string), 10, 64)
	for e := int64(1); e <= last; e++ {
		l.Epochs[e] = restAt(ctx, t, n, fmt.Sprintf("/pocd/rewards/v1/epochs/%d", e), height)
	}
	l.OwnerPaid = restAt(ctx, t, n, "/pocd/rewards/v1/owners/"+owner, height)
	return l
}

func lastSettled(l ledger) int64 {
	e, _ := strconv.ParseInt(l.Emission.(map[string]any)["last_settled_epoch"].(string), 10, 64)
	return e
}

// blockTime is the header time of block height on n.
func blockTime(t *testing.T, n devnetstatus.Node, height int64) time.Time {
	t.Helper()
	var b struct {
		Result struct {
			Block struct {
				Header struct {
					Time time.Time `json:"time"`
				} `json:"header"`
			} `json:"block"`
		} `json:"result"`
	}
	getJSON(t, fmt.Sprintf("%s/block?height=%d", n.RPC(), height), &b)
	return b.Result.Block.Header.Time
}

// hotspotParams asks a node's gRPC for x/hotspot's params.
func hotspotParams(ctx context.Context, t *testing.T, n devnetstatus.Node) hotspottypes.Params {
	t.Helper()
	conn, err := grpc.NewClient(n.GRPC(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	res, err := hotspottypes.NewQueryClient(conn).Params(ctx, &hotspottypes.QueryParamsRequest{})
	require.NoError(t, err, n.Name)
	return res.Params
}

// upgrade: a MsgSoftwareUpgrade proposal passes by the four validators'
// votes; every node halts at the plan height; cosmovisor swaps in this
// tree's binary, which runs x/hotspot's v1→v2 migration; blocks resume
// with one app hash everywhere, and the registry, PoC records and reward
// ledger read the same through the new binary as through the old one.
func (h *harness) upgrade(ctx context.Context, t *testing.T, name, owner string) {
	require.NotEmpty(t, name, "DEVNET_UPGRADE names the plan (make test-devnet sets it)")
	require.Zero(t, hotspotParams(ctx, t, full).MaxElevation, "the previous release has no max_elevation")

	// 60 blocks: the 20 s vote plus the CLI's round trips must end before
	// the plan height even at 1 s blocks (a plan in the past fails).
	planHeight := h.heightNow(ctx, full) + 60
	h.upgradeHeight = planHeight
	gov := strings.TrimSpace(h.pocd("query", "auth", "module-account", "gov", "--node", "tcp://127.0.0.1:26657", "--output", "json"))
	govAddr := regexp.MustCompile(`"address":\s*"(hnt1[0-9a-z]+)"`).FindStringSubmatch(gov)
	require.Len(t, govAddr, 2, gov)
	prop := fmt.Sprintf(`{"messages":[{"@type":"/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade","authority":%q,`+
		`"plan":{"name":%q,"height":"%d","info":""}}],"deposit":"10000000bones","title":"upgrade %s",`+
		`"summary":"x/hotspot gains max_elevation"}`, govAddr[1], name, planHeight, name)
	propFile := filepath.Join(t.TempDir(), "proposal.json")
	require.NoError(t, os.WriteFile(propFile, []byte(prop), 0o644))
	h.tx(0, "tx", "gov", "submit-proposal", propFile)
	// Its id: the newest proposal, once it is open.
	var id string
	h.waitFor("the proposal is open", 60*time.Second, func() bool {
		out, err := exec.Command(h.pocdBin, "query", "gov", "proposals", "--node", "tcp://127.0.0.1:26657", "--output", "json").CombinedOutput()
		if err != nil {
			return false
		}
		var ps struct {
			Proposals []struct {
				ID     string `json:"id"`
				Title  string `json:"title"`
				Status any    `json:"status"`
			} `json:"proposals"`
		}
		if json.Unmarshal([]byte(jsonAnswer(string(out))), &ps) != nil {
			return false
		}
		for _, p := range ps.Proposals {
			if p.Title == "upgrade "+name {
				id = p.ID
			}
		}
		return id != ""
	})
	for i := range vals {
		h.tx(i, "tx", "gov", "vote", id, "yes")
	}
	h.waitFor("the proposal passes", 90*time.Second, func() bool {
		out, err := exec.Command(h.pocdBin, "query", "gov", "proposal", id, "--node", "tcp://127.0.0.1:26657", "--output", "json").CombinedOutput()
		if err == nil && (strings.Contains(string(out), "PROPOSAL_STATUS_FAILED") || strings.Contains(string(out), "PROPOSAL_STATUS_REJECTED")) {
			t.Fatalf("proposal %s did not pass:\n%s", id, out)
		}
		return err == nil && strings.Contains(string(out), "PROPOSAL_STATUS_PASSED")
	})
	require.Less(t, h.heightNow(ctx, full), planHeight, "the plan height passed before the vote ended")
	// What the old binary reads, at a height both binaries can read.
	before := h.heightNow(ctx, full) - 1
	old := readLedger(ctx, t, full, before, owner)

	// Halt at the plan height, swap, resume. 4 minutes: the remaining
	// blocks to the plan height at a loaded machine's pace, plus the swap.
	h.waitFor("blocks resume after the upgrade", 4*time.Minute, func() bool { return minHeight(ctx, nodes...) > planHeight+4 })
	sameAppHash(ctx, t, planHeight+1, nodes...)
	// The halt shows as the longest gap between block times around the plan
	// height (a header's time is its predecessor's commit time, so the gap
	// falls between H+1 and H+2, not at H), against the pace before it.
	var gap time.Duration
	paceEnd := blockTime(t, full, planHeight-2)
	prev := paceEnd
	for hgt := planHeight - 1; hgt <= planHeight+4; hgt++ {
		bt := blockTime(t, full, hgt)
		gap = max(gap, bt.Sub(prev))
		prev = bt
	}
	normal := paceEnd.Sub(blockTime(t, full, planHeight-22)) / 20
	h.results["upgrade_halt_to_first_block_s"] = gap.Round(100 * time.Millisecond).Seconds()
	h.results["upgrade_normal_block_s"] = normal.Round(10 * time.Millisecond).Seconds()
	h.results["upgrade_blocks_lost"] = int64(gap/normal) - 1

	// The migration ran: over gRPC, on every node.
	for _, n := range nodes {
		require.Equal(t, int32(hotspottypes.DefaultMaxElevation), hotspotParams(ctx, t, n).MaxElevation, n.Name)
	}
	var mv struct {
		ModuleVersions []struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"module_versions"`
	}
	getJSON(t, full.REST()+"/cosmos/upgrade/v1beta1/module_versions?module_name=hotspot", &mv)
	require.Len(t, mv.ModuleVersions, 1)
	require.Equal(t, "2", mv.ModuleVersions[0].Version)
	// Intact: the same state, read through the new binary.
	require.Equal(t, old, readLedger(ctx, t, full, before, owner), "state before the upgrade reads differently after it")
	// And the migration left the registry as it was (the fleet asserts its
	// locations once, at onboarding, long before the plan height).
	require.Equal(t, old.Hotspots, readLedger(ctx, t, full, planHeight+1, owner).Hotspots, "the registry changed across the upgrade")
	// And the chain goes on: PoCs land and an epoch is paid after the upgrade.
	h.waitFor("an epoch paid after the upgrade", 3*time.Minute, func() bool {
		p, err := devnetstatus.LastPaid(ctx, full)
		return err == nil && p.Epoch > lastSettled(old)+1 && p.Paid != "" && p.Paid != "0"
	})
}

// stateSync: a fresh node joins from a validator's snapshot, with trust
// height and hash read from the full node; it reaches the others' app hash
// and answers the same queries.
func (h *harness) stateSync(ctx context.Context, t *testing.T, owner string) {
	// A snapshot newer than the upgrade (every 25 blocks on validators).
	snapDir := filepath.Join(home("val0"), "data", "snapshots")
	var snapHeight int64
	h.waitFor("a snapshot on val0", 3*time.Minute, func() bool {
		snapHeight = latestSnapshot(snapDir)
		return snapHeight > h.upgradeHeight
	})
	h.results["statesync_snapshot_height"] = snapHeight
	h.results["statesync_snapshot_bytes"] = dirSize(filepath.Join(snapDir, strconv.FormatInt(snapHeight, 10)))

	trust := h.heightNow(ctx, full) - 2
	var b struct {
		Result struct {
			BlockID struct {
				Hash string `json:"hash"`
			} `json:"block_id"`
		} `json:"result"`
	}
	getJSON(t, fmt.Sprintf("%s/block?height=%d", full.RPC(), trust), &b)
	require.NotEmpty(t, b.Result.BlockID.Hash)
	cfg := filepath.Join(home("sync"), "config", "config.toml")
	bz, err := os.ReadFile(cfg)
	require.NoError(t, err)
	s := string(bz)
	i := strings.Index(s, "[statesync]")
	require.GreaterOrEqual(t, i, 0)
	head, sec := s[:i], s[i:]
	for k, v := range map[string]string{
		"enable":       "true",
		"rpc_servers":  `"full:26657,val0:26657"`,
		"trust_height": strconv.FormatInt(trust, 10),
		"trust_hash":   strconv.Quote(b.Result.BlockID.Hash),
		"trust_period": `"168h0m0s"`,
	} {
		re := regexp.MustCompile(`(?m)^` + k + ` = .*$`)
		require.True(t, re.MatchString(sec), k)
		sec = re.ReplaceAllLiteralString(sec, k+" = "+v)
	}
	require.NoError(t, os.WriteFile(cfg, []byte(head+sec), 0o644))

	h.dc("up", "-d", "--no-deps", "sync")
	defer h.dc("rm", "-sf", "sync")
	// Caught up: past the full node's height when it started (read once;
	// see rolling-restart), in consensus, and answering queries.
	target := h.heightNow(ctx, full)
	took := h.waitFor(fmt.Sprintf("the state-synced node catches up past height %d", target), 4*time.Minute, func() bool {
		s, err := devnetstatus.QuerySync(ctx, syncNode)
		return err == nil && !s.CatchingUp && s.Height > target && answersQueries(syncNode)
	})
	h.results["statesync_join_s"] = took.Round(time.Second).Seconds()
	// It restored a snapshot rather than replaying from genesis.
	var st struct {
		Result struct {
			SyncInfo struct {
				Earliest string `json:"earliest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	getJSON(t, syncNode.RPC()+"/status", &st)
	earliest, _ := strconv.ParseInt(st.Result.SyncInfo.Earliest, 10, 64)
	require.Greater(t, earliest, h.upgradeHeight, "the node executed blocks before the upgrade instead of restoring a snapshot after it")
	h.results["statesync_earliest_block"] = earliest
	at := minHeight(ctx, full, syncNode, vals[0]) - 1
	sameAppHash(ctx, t, at, full, syncNode, vals[0])
	require.Equal(t, readLedger(ctx, t, full, at, owner), readLedger(ctx, t, syncNode, at, owner),
		"the state-synced node answers differently")
}

// bones reads the bones amount of a bank coins answer (supply or balances).
func bones(t *testing.T, v any, key string) *big.Int {
	t.Helper()
	for _, c := range v.(map[string]any)[key].([]any) {
		if c.(map[string]any)["denom"] == "bones" {
			n, ok := new(big.Int).SetString(c.(map[string]any)["amount"].(string), 10)
			require.True(t, ok)
			return n
		}
	}
	return new(big.Int)
}

func field(t *testing.T, v any, path ...string) *big.Int {
	t.Helper()
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	n, ok := new(big.Int).SetString(v.(string), 10)
	require.True(t, ok, "%v", path)
	return n
}

func supplyLessMinted(t *testing.T, supply any, l ledger) string {
	return new(big.Int).Sub(bones(t, supply, "supply"), field(t, l.Emission, "minted")).String()
}

func balanceLessPaid(t *testing.T, balance any, l ledger) string {
	return new(big.Int).Sub(bones(t, balance, "balances"), field(t, l.OwnerPaid, "paid")).String()
}

// latestSnapshot is the highest snapshot height in a node's snapshot store
// (one directory per height).
func latestSnapshot(dir string) int64 {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var best int64
	for _, e := range ents {
		if n, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && e.IsDir() && n > best {
			best = n
		}
	}
	return best
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// exportRestart: the network stops, the full node's state is exported for
// zero height, every node resets and starts a new chain from that genesis,
// which holds the same hotspots, supply and reward history and pays epochs.
func (h *harness) exportRestart(ctx context.Context, t *testing.T, owner string) {
	for _, v := range vals {
		h.dc("stop", v.Name)
	}
	// The validators are down: the chain stops; the full node has its last
	// committed state.
	final := h.heightNow(ctx, full) - 1
	old := readLedger(ctx, t, full, final, owner)
	oldSupply := restAt(ctx, t, full, "/cosmos/bank/v1beta1/supply", final)
	oldOwnerBalance := restAt(ctx, t, full, "/cosmos/bank/v1beta1/balances/"+owner, final)
	h.dc("stop", "full")

	genesis := filepath.Join(t.TempDir(), "genesis.json")
	start := time.Now()
	h.pocd("export", "--for-zero-height", "--home", home("full"), "--output-document", genesis)
	h.results["export_s"] = time.Since(start).Round(time.Second).Seconds()
	bz, err := os.ReadFile(genesis)
	require.NoError(t, err)
	h.results["export_genesis_bytes"] = len(bz)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(bz, &doc))
	doc["chain_id"] = chainID + "-2"
	bz, err = json.Marshal(doc)
	require.NoError(t, err)
	for _, n := range nodes {
		h.pocd("comet", "unsafe-reset-all", "--home", home(n.Name), "--keep-addr-book")
		require.NoError(t, os.WriteFile(filepath.Join(home(n.Name), "config", "genesis.json"), bz, 0o644))
	}
	for _, n := range nodes {
		h.dc("start", n.Name)
	}
	h.waitFor("the restarted chain produces blocks", 3*time.Minute, func() bool { return minHeight(ctx, nodes...) > 3 })
	sameAppHash(ctx, t, 3, nodes...)
	now := h.heightNow(ctx, full) - 1

	fresh := readLedger(ctx, t, full, now, owner)
	require.Equal(t, old.Hotspots, fresh.Hotspots, "hotspots")
	compared := 0
	for e, er := range old.Epochs {
		if er.(map[string]any)["rewards"].(map[string]any)["paid_out"] == true {
			require.Equal(t, er, fresh.Epochs[e], "epoch %d's settlement and payout", e)
			compared++
		}
	}
	require.Positive(t, compared, "no paid-out epoch to compare")
	// Balances: payouts of an epoch still being paid continue on the new
	// chain, so compare what excludes them. Supply less x/rewards' minted
	// total, and the owner's balance less its lifetime rewards, are the
	// same on both chains (the fleet is stopped: no fees are spent).
	require.Equal(t, supplyLessMinted(t, oldSupply, old), supplyLessMinted(t, restAt(ctx, t, full, "/cosmos/bank/v1beta1/supply", now), fresh), "supply")
	require.Equal(t, balanceLessPaid(t, oldOwnerBalance, old), balanceLessPaid(t, restAt(ctx, t, full, "/cosmos/bank/v1beta1/balances/"+owner, now), fresh), "the owner's balance")
	h.waitFor("the new chain settles an epoch", 3*time.Minute, func() bool {
		p, err := devnetstatus.LastPaid(ctx, full)
		return err == nil && p.Epoch > lastSettled(old)
	})
	h.results["export_new_chain_last_settled_epoch"] = lastSettled(readLedger(ctx, t, full, 0, owner))
}
