//go:build devnet

// Package devnet runs fault tests against the docker-compose devnet
// (networks/devnet): four validators, a full node and a simulated fleet.
// `make test-devnet` builds the image and runs them; they need a Docker
// engine and take about fifteen minutes. Every bound asserted here is
// stated in its test and docs/devnet.md records the measured figures.
package devnet

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/networks/devnet/devnetstatus"
	"github.com/pocnet/pocd/sim"
)

const project = "pocd-devnet"

var (
	devnetDir = filepath.Join("..", "..", "networks", "devnet")
	nodes     = devnetstatus.Nodes
	full      = nodes[0]
	vals      = devnetstatus.Validators
)

type harness struct {
	t       *testing.T
	compose []string
	results map[string]any
	pocdBin string // this tree's pocd, for the CLI
	// upgradeHeight is the height the governed upgrade ran at.
	upgradeHeight int64
	// failures are the bounds that failed, printed again after the logs:
	// CI shows only the end of the output.
	failures   []string
	logsDumped bool
	stoppedBy  string // the scenario that stopped on a failure: the rest are not run
}

// scenario runs one scenario as a subtest with h.t set to it (a failed
// bound must stop the goroutine of the scenario that runs it). The
// scenarios build on each other: after one stops on a failure (a wait that
// timed out, a failed require), the rest are reported as skipped. A bound
// checked with failf fails its scenario and lets it and the rest run.
func (h *harness) scenario(name string, fn func(t *testing.T)) {
	parent := h.t
	if h.stoppedBy != "" {
		h.failures = append(h.failures, parent.Name()+"/"+name+": not run, "+h.stoppedBy+" failed")
		parent.Run(name, func(t *testing.T) { t.Skipf("not run: %s failed", h.stoppedBy) })
		return
	}
	stopped := false
	passed := parent.Run(name, func(t *testing.T) {
		h.t = t
		returned := false
		defer func() {
			h.t = parent
			stopped = !returned // FailNow (or a panic) ended it
		}()
		fn(t)
		returned = true
	})
	if stopped {
		h.stoppedBy = name
	}
	if !passed && !h.recorded(parent.Name()+"/"+name) {
		h.failures = append(h.failures, parent.Name()+"/"+name+": failed (its message is above the logs)")
	}
}

// record keeps a failure of the running scenario for the summary.
func (h *harness) record(msg string) { h.failures = append(h.failures, h.t.Name()+": "+msg) }

func (h *harness) recorded(prefix string) bool {
	for _, f := range h.failures {
		if strings.HasPrefix(f, prefix+":") {
			return true
		}
	}
	return false
}

// failf records a failed bound and fails the scenario without stopping it.
func (h *harness) failf(format string, args ...any) {
	h.t.Helper()
	msg := fmt.Sprintf(format, args...)
	h.record(msg)
	h.t.Error(msg)
}

func (h *harness) run(name string, args ...string) string {
	h.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = devnetDir
	out, err := cmd.CombinedOutput()
	require.NoError(h.t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

// composeArgs is a compose command line on the devnet's project.
func (h *harness) composeArgs(args ...string) []string {
	return append(append(append([]string{}, h.compose[1:]...), "-p", project), args...)
}

func (h *harness) dc(args ...string) string {
	h.t.Helper()
	return h.run(h.compose[0], h.composeArgs(args...)...)
}

// dcOutput runs a compose command for diagnostics only: its output, whatever
// it exits with.
func (h *harness) dcOutput(args ...string) string {
	cmd := exec.Command(h.compose[0], h.composeArgs(args...)...)
	cmd.Dir = devnetDir
	out, _ := cmd.CombinedOutput()
	return string(out)
}

func (h *harness) container(service string) string {
	return strings.TrimSpace(h.dc("ps", "-q", service))
}

func status(ctx context.Context, n devnetstatus.Node) devnetstatus.Status {
	return devnetstatus.Query(ctx, n)
}

// waitFor polls cond every second until it holds or the bound passes, and
// returns how long it took.
func (h *harness) waitFor(what string, bound time.Duration, cond func() bool) time.Duration {
	h.t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > bound {
			h.logs()
			msg := fmt.Sprintf("%s: not within %s", what, bound)
			h.record(msg)
			h.t.Fatal(msg)
		}
		time.Sleep(time.Second)
	}
	return time.Since(start)
}

// lastPanic is the start of the last panic in a service's whole log (the
// tail printed with the logs shows only the end of its stack), for the
// failure summary: a node that does not come back usually says why there.
func (h *harness) lastPanic(service string) []string {
	lines := strings.Split(h.dcOutput("logs", "--no-color", service), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "panic:") || strings.Contains(lines[i], "panic(") {
			// the first panic line of that block
			j := i
			for j > 0 && i-j < 200 && !strings.Contains(lines[j], "panic:") {
				j--
			}
			end := min(j+4, len(lines))
			out := []string{"  " + service + "'s last panic:"}
			for _, l := range lines[j:end] {
				out = append(out, "    "+strings.TrimSpace(l))
			}
			return out
		}
	}
	return []string{"  " + service + ": no panic in its log"}
}

func (h *harness) logs() {
	h.t.Logf("devnet logs (tail):\n%s", h.dcOutput("logs", "--tail", "40"))
	h.logsDumped = true
}

// height is a node's latest height, 0 when it does not answer: for
// conditions polled by waitFor, where 0 only delays.
func height(ctx context.Context, n devnetstatus.Node) int64 {
	s, _ := devnetstatus.QuerySync(ctx, n)
	return s.Height
}

// heightNow is a node's latest height read once, as a target or a baseline:
// it waits until the node answers (a 0 from a failed read would make every
// "past the target" condition hold at once).
func (h *harness) heightNow(ctx context.Context, n devnetstatus.Node) int64 {
	h.t.Helper()
	var hgt int64
	h.waitFor(n.Name+" answers its height", 30*time.Second, func() bool {
		s, err := devnetstatus.QuerySync(ctx, n)
		hgt = s.Height
		return err == nil && hgt > 0
	})
	return hgt
}

// sameAppHash checks that every given node reports the same app hash at h.
func sameAppHash(ctx context.Context, t *testing.T, h int64, ns ...devnetstatus.Node) {
	t.Helper()
	var want string
	for _, n := range ns {
		got, err := devnetstatus.AppHashAt(ctx, n, h)
		require.NoError(t, err, "%s app hash at %d", n.Name, h)
		if want == "" {
			want = got
		}
		require.Equal(t, want, got, "%s disagrees at height %d: a fork", n.Name, h)
	}
}

func minHeight(ctx context.Context, ns ...devnetstatus.Node) int64 {
	m := int64(-1)
	for _, n := range ns {
		if h := height(ctx, n); m < 0 || h < m {
			m = h
		}
	}
	return m
}

// TestDevnet brings the devnet up on the previous release and runs the
// upgrade, state-sync and fault scenarios in order on the same network, and
// last restarts it from a zero-height export.
func TestDevnet(t *testing.T) {
	compose := strings.Fields(os.Getenv("COMPOSE"))
	if len(compose) == 0 {
		compose = []string{"docker-compose"}
	}
	h := &harness{t: t, compose: compose, results: map[string]any{}}
	ctx := context.Background()

	h.dc("down", "-v", "--remove-orphans")
	require.NoError(t, os.RemoveAll(filepath.Join(devnetDir, "data")))
	pocd, err := filepath.Abs(os.Getenv("POCD_BINARY"))
	require.NoError(t, err)
	h.pocdBin = pocd
	// The chain starts on the previous release and is upgraded to this tree
	// in scenario 2: genesis is the previous release's.
	upgradeName := os.Getenv("DEVNET_UPGRADE")
	prev, err := filepath.Abs(os.Getenv("POCD_PREV_BINARY"))
	require.NoError(t, err)
	gen := exec.Command("bash", "genesis.sh")
	gen.Dir, gen.Env = devnetDir, append(os.Environ(), "POCD="+prev, "UPGRADE_NAME="+upgradeName)
	out, err := gen.CombinedOutput()
	require.NoError(t, err, "genesis.sh:\n%s", out)
	owner := strings.TrimSpace(h.pocd("keys", "show", "alice", "-a", "--keyring-backend", "test", "--home", home("sim")))
	t.Cleanup(func() {
		if t.Failed() {
			if !h.logsDumped {
				h.logs()
			}
			var nodesNow []string
			for _, n := range nodes {
				st := status(ctx, n)
				nodesNow = append(nodesNow, fmt.Sprintf("%s: up=%t height=%d catching_up=%t peers=%d queries=%t %s",
					n.Name, st.Up, st.Height, st.CatchingUp, st.Peers, answersQueries(n), st.Err))
				if !st.Up {
					nodesNow = append(nodesNow, h.lastPanic(n.Name)...)
				}
			}
			t.Logf("devnet failures:\n  %s\nnodes now:\n  %s", strings.Join(h.failures, "\n  "), strings.Join(nodesNow, "\n  "))
		}
		if os.Getenv("DEVNET_KEEP") == "" {
			h.dc("down", "-v", "--remove-orphans")
		}
	})

	start := time.Now()
	h.dc("up", "-d")

	// 1. Up: all validators produce the same chain, PoCs land with
	// verdicts, and an epoch is paid within five minutes of `up` (57–138 s
	// measured: docs/devnet.md; the bounds here are liveness bounds with
	// margins for a loaded two-core machine, not the measured pace).
	h.scenario("up", func(t *testing.T) {
		h.waitFor("all nodes past height 5", 90*time.Second, func() bool { return minHeight(ctx, nodes...) > 5 })
		h.waitFor("PoCs on chain", 150*time.Second, func() bool {
			var included float64
			for _, v := range vals {
				included += status(ctx, v).Ingest["included"]
			}
			return included > 0
		})
		paidAfter := h.waitFor("a paid PoC epoch", 5*time.Minute-time.Since(start), func() bool {
			p, err := devnetstatus.LastPaid(ctx, full)
			if err != nil || p.Epoch == 0 {
				return false
			}
			v, ok := new(big.Int).SetString(p.Paid, 10)
			return ok && v.Sign() > 0
		})
		h.results["first_paid_epoch_after_up_s"] = time.Since(start).Round(time.Second).Seconds()
		_ = paidAfter
		// Verdicts are readable from the full node.
		requireVerdicts(ctx, t)
		hgt := minHeight(ctx, nodes...) - 1
		sameAppHash(ctx, t, hgt, nodes...)
		h1 := h.heightNow(ctx, vals[0])
		h.waitFor("validators keep producing", 60*time.Second, func() bool { return height(ctx, vals[0]) >= h1+5 })
	})

	// 2. Governed upgrade under cosmovisor, from the previous release to
	// this tree (lifecycle_test.go).
	h.scenario("upgrade", func(t *testing.T) { h.upgrade(ctx, t, upgradeName, owner) })

	// 3. A new node joins by state sync after the upgrade.
	h.scenario("state-sync", func(t *testing.T) { h.stateSync(ctx, t, owner) })

	// 4. Stop one validator: three of four keep producing (the 4-validator
	// set tolerates one fault); restarted, it catches up to the same app
	// hash. Bounds: 5 blocks in 90 s without it; caught up within 3 min.
	h.scenario("stop-one-validator", func(t *testing.T) {
		h.dc("stop", "val3")
		before := h.heightNow(ctx, vals[0])
		h.waitFor("three validators produce 5 blocks", 90*time.Second, func() bool { return height(ctx, vals[0]) >= before+5 })
		h.dc("start", "val3")
		target := h.heightNow(ctx, vals[0])
		took := h.waitFor("val3 catches up", 3*time.Minute, func() bool { return height(ctx, vals[3]) >= target })
		h.results["stop_one_catch_up_s"] = took.Round(time.Second).Seconds()
		sameAppHash(ctx, t, target-1, vals...)
	})

	// 5. Partition one validator for a minute, then heal: the others keep
	// producing, it catches up without a fork, and nothing it acknowledged
	// is lost. Bounds: 3 blocks during the partition; caught up within
	// 3 min of healing; its queue drains within 3 min.
	h.scenario("partition", func(t *testing.T) {
		const drainedOldestS = 60
		net := project + "_devnet"
		id := h.container("val2")
		// val2's height as it is cut off: its published ports go through
		// the network it leaves, so it cannot be read during the partition.
		cutAt := h.heightNow(ctx, vals[2])
		h.run("docker", "network", "disconnect", net, id)
		before := h.heightNow(ctx, vals[0])
		time.Sleep(60 * time.Second)
		during := h.heightNow(ctx, vals[0]) - before
		h.results["partition_blocks_produced_by_others_in_60s"] = during
		// A liveness bound with a margin for a loaded two-core machine (the
		// measured figures go to docs/devnet.md): 8–27 blocks in the runs
		// so far, 5 in the cold CI run of 2026-11-30 with dockerd just
		// started; the three others must keep producing, not keep a pace.
		require.GreaterOrEqual(t, during, int64(3), "the three others kept producing")
		h.run("docker", "network", "connect", "--alias", "val2", net, id)
		target := h.heightNow(ctx, vals[0])
		took := h.waitFor("val2 catches up after the partition", 3*time.Minute, func() bool { return height(ctx, vals[2]) >= target })
		h.results["partition_heal_catch_up_s"] = took.Round(time.Second).Seconds()
		h.results["partition_val2_blocks_behind"] = target - cutAt
		sameAppHash(ctx, t, target-1, vals...)
		// Drained: nothing queued before the partition is left. The fleet
		// keeps beaconing, and hotspots deliver each beacon to every
		// validator, so the queue itself never empties; its oldest beacon
		// is at most the pipeline's depth old (witness window, relay
		// turns, close grace: about 45 s here) once the backlog is gone.
		h.waitFor("val2's queue drains", 3*time.Minute, func() bool {
			in := status(ctx, vals[2]).Ingest
			return in["oldest_queued_s"] <= drainedOldestS
		})
	})

	// 6. Rolling restart of all validators while the fleet runs: the chain
	// never stalls longer than 30 s (5–12 s measured, 16 s once on a loaded
	// machine: a few 1 s blocks plus a round or two), and
	// every acknowledged report is included exactly once (checked at the
	// end against the simulator's summary and the ingest counters).
	h.scenario("rolling-restart", func(t *testing.T) {
		stall := watchStall(ctx, full)
		for i, v := range vals {
			h.dc("restart", v.Name)
			// Back means in consensus again (not block-syncing), past the
			// height the next validator had once v was restarted, and
			// answering queries: until a restarted node finalizes its
			// first block, the SDK refuses queries (HTTP 500, "context did
			// not contain latest block height"), even when CometBFT
			// already reports it caught up. The target is read once: a
			// condition against a moving height, sampled after v's, can
			// stay false for good on a machine where a poll takes longer
			// than a block (the landing CI run of 2026-11-30).
			target := h.heightNow(ctx, vals[(i+1)%4])
			h.waitFor(fmt.Sprintf("%s back in consensus past height %d", v.Name, target), 3*time.Minute, func() bool {
				s, err := devnetstatus.QuerySync(ctx, v)
				return err == nil && !s.CatchingUp && s.Height > target && answersQueries(v)
			})
		}
		longest := stall()
		h.results["rolling_restart_longest_stall_s"] = longest.Round(time.Second).Seconds()
		if longest > 30*time.Second {
			h.failf("the chain stalled %s during the rolling restart (bound 30 s)", longest.Round(time.Second))
		}
	})

	// 7. Kill the full node apps read from: validators still answer
	// queries; restarted, the full node catches up within 3 min.
	h.scenario("kill-full-node", func(t *testing.T) {
		h.run("docker", "kill", h.container("full"))
		restarted := false
		defer func() {
			if !restarted { // the fleet and the last step need it back whatever failed here
				h.dc("start", "full")
			}
		}()
		for _, v := range vals {
			resp, err := http.Get(v.REST() + "/pocd/hotspot/v1/hotspots?pagination.limit=1")
			require.NoError(t, err, v.Name)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, v.Name)
		}
		h.dc("start", "full")
		restarted = true
		target := h.heightNow(ctx, vals[0])
		took := h.waitFor("full node catches up", 3*time.Minute, func() bool {
			s := status(ctx, full)
			return s.Up && s.Height >= target
		})
		h.results["full_node_catch_up_s"] = took.Round(time.Second).Seconds()
	})

	// Exactly once, nothing acknowledged lost: stop the fleet (it prints
	// its summary), then every validator's queue is empty with nothing
	// expired or refused. The chain records a beacon at most once.
	h.scenario("no-report-lost", func(t *testing.T) {
		h.dc("stop", "-t", "150", "sim")
		bz, err := os.ReadFile(filepath.Join(devnetDir, "data", "sim", "summary.json"))
		require.NoError(t, err)
		var s sim.Summary
		require.NoError(t, json.Unmarshal(bz, &s))
		h.results["sim_honest_reports"] = s.Honest.Reports
		h.results["sim_honest_accepted_share"] = s.Honest.AcceptedShare
		h.results["sim_cheating_accepted_share"] = s.Cheating.AcceptedShare
		h.results["sim_honest_not_on_chain"] = s.Honest.Rejected[sim.NotOnChain]
		h.results["sim_publish_errors"] = s.PublishErrors
		require.Positive(t, s.Honest.Reports)
		// Through every fault, at least 90 % of honest reports are judged
		// valid. What is missing was never acknowledged (a publish that
		// found no validator, a witness that arrived after its beacon was
		// closed on a starved machine); acknowledged reports are checked
		// below, per validator.
		require.GreaterOrEqual(t, s.Honest.AcceptedShare, 0.90, "honest reports: %+v", s.Honest)
		require.LessOrEqual(t, s.Cheating.AcceptedShare, 0.01)
		for _, v := range vals {
			h.waitFor(v.Name+" queue empty", 60*time.Second, func() bool { return status(ctx, v).Ingest["queued"] == 0 })
			st := status(ctx, v)
			require.Zero(t, st.Ingest["expired"], "%s let acknowledged beacons expire", v.Name)
			require.Zero(t, st.Ingest["refused"], "%s had PoCs refused", v.Name)
		}
	})

	// 8. Stop everything, export at zero height, restart a new chain from it
	// (lifecycle_test.go). Last: it replaces the chain.
	h.scenario("export-restart", func(t *testing.T) { h.exportRestart(ctx, t, owner) })

	res, _ := json.MarshalIndent(h.results, "", "  ")
	t.Logf("devnet results:\n%s", res)
	if p := os.Getenv("DEVNET_RESULTS"); p != "" {
		require.NoError(t, os.WriteFile(p, res, 0o644))
	}
}

// watchStall samples the node's height every 500 ms until the returned
// function is called, which reports the longest time without a new block.
func watchStall(ctx context.Context, n devnetstatus.Node) func() time.Duration {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan time.Duration)
	go func() {
		var longest time.Duration
		last, lastAt := int64(0), time.Now()
		for {
			select {
			case <-ctx.Done():
				done <- longest
				return
			case <-time.After(500 * time.Millisecond):
			}
			if hgt := height(ctx, n); hgt > last {
				last, lastAt = hgt, time.Now()
			} else if d := time.Since(lastAt); d > longest {
				longest = d
			}
		}
	}()
	return func() time.Duration { cancel(); return <-done }
}

// requireVerdicts reads some hotspot's PoCs from the full node's REST.
func requireVerdicts(ctx context.Context, t *testing.T) {
	t.Helper()
	var hs struct {
		Hotspots []struct{ Address string } `json:"hotspots"`
	}
	getJSON(t, full.REST()+"/pocd/hotspot/v1/hotspots?pagination.limit=50", &hs)
	require.NotEmpty(t, hs.Hotspots)
	for _, x := range hs.Hotspots {
		var pocs struct {
			Pocs []struct{ Reason string } `json:"pocs"`
		}
		getJSON(t, fmt.Sprintf("%s/pocd/poc/v1/hotspots/%s/pocs", full.REST(), x.Address), &pocs)
		for _, p := range pocs.Pocs {
			if p.Reason != "" {
				return
			}
		}
	}
	t.Fatal("no PoC verdict readable from the full node")
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err, url)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v), url)
}

// queryClient bounds each probe: a node that accepts a connection and hangs
// must not hold a wait (or the failure summary) past its bound.
var queryClient = &http.Client{Timeout: 3 * time.Second}

// answersQueries reports whether a node's REST API serves a registry query.
func answersQueries(n devnetstatus.Node) bool {
	resp, err := queryClient.Get(n.REST() + "/pocd/hotspot/v1/hotspots?pagination.limit=1")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
