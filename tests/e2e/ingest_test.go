package e2e

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/sim"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

var (
	hotspotdOnce sync.Once
	hotspotdPath string
	hotspotdErr  error
)

// hotspotdBinary returns $HOTSPOTD_BINARY or builds ./cmd/hotspotd once.
func hotspotdBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HOTSPOTD_BINARY"); p != "" {
		return p
	}
	hotspotdOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hotspotd-e2e-bin")
		if err != nil {
			hotspotdErr = err
			return
		}
		hotspotdPath = filepath.Join(dir, "hotspotd")
		cmd := exec.Command("go", "build", "-o", hotspotdPath, "../../cmd/hotspotd")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		hotspotdErr = cmd.Run()
	})
	require.NoError(t, hotspotdErr)
	return hotspotdPath
}

// setIngest overrides [ingest] keys in app.toml.
func (n *node) setIngest(kv map[string]string) {
	n.t.Helper()
	n.rewriteConfig("app.toml", func(section, line string) string {
		if section != "[ingest]" {
			return line
		}
		for k, v := range kv {
			if strings.HasPrefix(line, k+" = ") {
				return k + " = " + v
			}
		}
		return line
	})
}

// ingestPeer is the node's ingest address, from `pocd ingest address`.
func (n *node) ingestPeer() string {
	n.t.Helper()
	out := strings.TrimSpace(n.mustRun("ingest", "address"))
	return strings.Split(out, "\n")[0]
}

// metric reads one sample from the node's Prometheus endpoint (0 if absent).
func (n *node) metric(name string) float64 {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", n.prom))
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+" ") {
			v, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, name)), 64)
			return v
		}
	}
	return 0
}

// metrics returns the node's Prometheus samples whose names start with prefix.
func (n *node) metrics(prefix string) string {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", n.prom))
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, prefix) && !strings.Contains(l, "_bucket") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// kill stops the node with SIGKILL: no shutdown hooks, no flush.
func (n *node) kill() {
	n.t.Helper()
	require.NoError(n.t, n.cmd.Process.Kill())
	<-n.done
	n.cmd = nil
}

// TestIngestKilledNodeLosesNothing publishes beacons and witnesses from
// real libp2p hosts, SIGKILLs the node after ingest acknowledged them and
// before the witness window let it relay them, restarts it, and checks that
// every acknowledged report reaches the chain exactly once.
func TestIngestKilledNodeLosesNothing(t *testing.T) {
	n := newNode(t, "pocd-e2e-ingest")
	n.initChain("alice", "relayer")
	// The kill must come before the relay: a 45 s window against a 30 s
	// bound on acknowledgement (about a second when measured) holds on a
	// loaded machine, where 12 s against 20 s did not.
	n.setIngest(map[string]string{"witness-window": `"45s"`, "relay-jitter": `"0s"`})
	n.start()
	n.waitHeight(2, 90*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	conn, owner := n.dialSigner("alice", chainclient.DefaultPricing())
	city := sim.Cities["sf"]
	fleet, err := sim.BuildFleet(sim.FleetSpec{City: city, Size: 4, Seed: 7, KeyDir: t.TempDir()})
	require.NoError(t, err)
	require.NoError(t, sim.Onboard(ctx, conn, owner, n.chainID, city.Region, fleet, t.Logf))

	validator, err := gateway.ParsePeers([]string{n.ingestPeer()})
	require.NoError(t, err)
	pubs := make([]*gateway.Publisher, len(fleet))
	for i, h := range fleet {
		pubs[i], err = gateway.NewPublisher(ctx, h.Key.Private, nil, validator, n.chainID)
		require.NoError(t, err)
		defer pubs[i].Close()
	}
	plan, err := gateway.RegionPlan(ctx, conn, city.Region)
	require.NoError(t, err)
	e, err := gateway.Entropy(ctx, conn)
	require.NoError(t, err)

	// Three beacons, each witnessed by the other three hotspots.
	var beacons []*verify.Beacon
	for i := 0; i < 3; i++ {
		b := gateway.BuildBeacon(fleet[i].Key.Private, e, []byte{byte(i), 1, 2, 3}, plan, 51, 27, time.Now())
		beacons = append(beacons, b)
		require.NoError(t, pubs[i].PublishBeacon(ctx, b))
		for j := range fleet {
			if j != i {
				w := gateway.BuildWitness(fleet[j].Key.Private, b, -1000, 50, b.FrequencyHz, time.Now())
				require.NoError(t, pubs[j].PublishWitness(ctx, w))
			}
		}
	}
	require.Eventually(t, func() bool {
		return n.metric(`pocd_ingest_accepted_total{topic="beacon"}`) == 3 && n.metric(`pocd_ingest_accepted_total{topic="witness"}`) == 9
	}, 30*time.Second, 100*time.Millisecond, "ingest acknowledges all reports")
	require.Zero(t, n.metric("pocd_ingest_relayed_total"), "killed before relaying")
	n.kill()

	n.start()
	qc := poctypes.NewQueryClient(conn)
	for i, b := range beacons {
		id := b.ID()
		var res *poctypes.QueryPocResponse
		require.Eventually(t, func() bool {
			res, err = qc.Poc(ctx, &poctypes.QueryPocRequest{BeaconId: hex.EncodeToString(id[:])})
			return err == nil && !res.Open // judged close_grace_ms after its relay
		}, 3*time.Minute, 250*time.Millisecond, "beacon %d judged after restart: %v %v", i, res, err)
		require.Len(t, res.Witnesses, 3, "all witnesses of beacon %d", i)
		pocs, err := qc.PocsByBeaconer(ctx, &poctypes.QueryPocsByBeaconerRequest{Hotspot: fleet[i].Address})
		require.NoError(t, err)
		require.Len(t, pocs.Pocs, 1, "beacon %d recorded exactly once", i)
	}
	require.Eventually(t, func() bool { return n.metric("pocd_ingest_included_total") == 3 }, 20*time.Second, 100*time.Millisecond)
	require.Equal(t, 3.0, n.metric("pocd_ingest_relayed_total"), "each beacon relayed once")
	require.Eventually(t, func() bool { return n.metric("pocd_ingest_queued_beacons") == 0 }, 10*time.Second, 100*time.Millisecond,
		"the queue empties once the chain shows the PoCs")
}

// TestSimulatedFleetDetection runs `hotspotd sim` (a fleet with every kind
// of cheater) against a node and asserts the detection targets on the
// simulator's own summary: at least 99 % of cheating witness reports
// rejected, at most 1 % of honest ones rejected other than by the distance
// rules. It also checks that an epoch paid the fleet's owner.
func TestSimulatedFleetDetection(t *testing.T) {
	n := newNode(t, "pocd-e2e-sim")
	addrs := n.initChain("alice", "relayer")
	n.setEpochDuration(poctypes.DefaultEpochIdentifier, "30s")
	n.setPocParam("beacon_interval_ms", "15000")
	// Short windows so replays (60 s old) are already stale at ingest.
	n.setIngest(map[string]string{"witness-window": `"5s"`, "witness-admission": `"2500ms"`, "relay-jitter": `"0s"`, "max-report-age": `"45s"`})
	n.start()
	n.waitHeight(2, 90*time.Second)

	summaryPath := filepath.Join(t.TempDir(), "summary.json")
	cmd := exec.Command(hotspotdBinary(t), "sim", "--home", t.TempDir(),
		"--grpc", fmt.Sprintf("127.0.0.1:%d", n.grpc), "--validator", n.ingestPeer(),
		"--owner", "alice", "--keyring-dir", n.home, "--hotspots", "30", "--cheaters", "0.34",
		"--duration", "150s", "--warmup", "35s", "--replay-age", "60s", "--drain", "60s", "--summary-json", summaryPath)
	out, err := cmd.CombinedOutput()
	t.Logf("hotspotd sim:\n%s", out)
	t.Logf("ingest counters:\n%s", n.metrics("pocd_ingest_"))
	require.NoError(t, err)

	var s sim.Summary
	bz, err := os.ReadFile(summaryPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, &s))
	for _, k := range sim.CheatKinds {
		require.NotNil(t, s.CheatingByKind[k], "the fleet has %s cheaters", k)
		require.Positive(t, s.CheatingByKind[k].Reports, "%s cheaters published reports", k)
	}
	require.GreaterOrEqual(t, s.Honest.Reports, 200, "enough honest reports to measure 1 %")
	require.LessOrEqual(t, s.Cheating.AcceptedShare, 0.01, "at least 99 %% of cheating witnesses rejected: %+v", s.Cheating)
	require.LessOrEqual(t, s.Honest.RejectedOtherShare, 0.01, "at most 1 %% of honest witnesses rejected by non-distance rules: %+v", s.Honest)
	require.Zero(t, s.Honest.Rejected[sim.NotOnChain], "no honest report lost")

	// A hotspot run by hand: hotspotd init, onboard (the owner submits the
	// signed payload), run; its beacons reach the chain through ingest.
	hsHome := t.TempDir()
	hd := hotspotdBinary(t)
	runHD := func(args ...string) []byte {
		out, err := exec.Command(hd, append(args, "--home", hsHome)...).CombinedOutput()
		require.NoError(t, err, "hotspotd %v: %s", args, out)
		return out
	}
	var key struct{ Address, Name string }
	require.NoError(t, json.Unmarshal(runHD("init"), &key))
	var onboard struct {
		PubKey    string `json:"pubkey_hex"`
		Signature string `json:"signature_hex"`
		Mode      string `json:"mode"`
		Address   string `json:"address"`
	}
	require.NoError(t, json.Unmarshal(runHD("onboard", addrs["alice"], "--chain-id", n.chainID), &onboard))
	require.Equal(t, key.Address, onboard.Address)
	res := n.tx("tx", "hotspot", "add-hotspot", onboard.PubKey, onboard.Mode, onboard.Signature, "--from", "alice")
	require.EqualValues(t, 0, res["code"], "add: %v", res["raw_log"])
	res = n.tx("tx", "hotspot", "assert-location", key.Address, "8c283082800b3ff", "12", "5", "US915", "--from", "alice")
	require.EqualValues(t, 0, res["code"], "assert: %v", res["raw_log"])
	run := exec.Command(hd, "run", "--home", hsHome, "--grpc", fmt.Sprintf("127.0.0.1:%d", n.grpc), "--validator", n.ingestPeer())
	var runOut strings.Builder
	run.Stdout, run.Stderr = &runOut, &runOut
	require.NoError(t, run.Start())
	defer func() { _ = run.Process.Kill(); _ = run.Wait() }()
	conn, err := gateway.DialChain(fmt.Sprintf("127.0.0.1:%d", n.grpc))
	require.NoError(t, err)
	defer conn.Close()
	require.Eventually(t, func() bool {
		pocs, err := poctypes.NewQueryClient(conn).PocsByBeaconer(context.Background(), &poctypes.QueryPocsByBeaconerRequest{Hotspot: key.Address})
		return err == nil && len(pocs.Pocs) > 0
	}, 90*time.Second, time.Second, "a beacon from hotspotd run on chain; hotspotd said:\n%s", &runOut)

	// The owner was paid for the fleet's coverage.
	var owner struct{ Paid, Owed string }
	require.NoError(t, json.Unmarshal([]byte(lastJSON(n.mustRun("query", "rewards", "owner", addrs["alice"], "--node", n.nodeFlag(), "-o", "json"))), &owner))
	paid, ok := new(big.Int).SetString(owner.Paid, 10)
	require.True(t, ok, "paid: %q", owner.Paid)
	require.Positive(t, paid.Sign(), "the owner was paid for a PoC epoch")
}
