// Package e2e drives the real pocd binary: a single-validator chain in a temp
// dir, real CometBFT, real gRPC and REST. Set POCD_BINARY to test a prebuilt
// binary (make test-e2e does); otherwise the test builds one.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/gateway"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// pocdBinary returns $POCD_BINARY or builds ./cmd/pocd once per test run.
func pocdBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("POCD_BINARY"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pocd-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "pocd")
		cmd := exec.Command("go", "build", "-o", binPath, "../../cmd/pocd")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		buildErr = cmd.Run()
	})
	require.NoError(t, buildErr)
	return binPath
}

// freePorts reserves n distinct loopback ports: all listeners are held open
// until every port is chosen, so the kernel cannot hand out one twice.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// node is one pocd home directory and, while running, its process.
type node struct {
	t       *testing.T
	bin     string
	home    string
	chainID string
	rpc     int
	grpc    int
	api     int
	p2p     int
	prom    int
	ingest  int // libp2p TCP port of PoC ingest
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	exitErr error
	logPath string
	dumped  bool // the log has been dumped into the test output once
	// feesPaid sums, per --from key, the transaction fees of the
	// transactions tx delivered (the fee is charged whatever the result).
	feesPaid map[string]sdkmath.Int
}

func newNode(t *testing.T, chainID string) *node {
	t.Helper()
	ports := freePorts(t, 6)
	n := &node{
		t: t, bin: pocdBinary(t), home: t.TempDir(), chainID: chainID,
		rpc: ports[0], grpc: ports[1], api: ports[2], p2p: ports[3], prom: ports[4], ingest: ports[5],
		feesPaid: map[string]sdkmath.Int{},
	}
	n.logPath = filepath.Join(n.home, "node.log")
	// Registered first, so it runs last: after the node has stopped.
	t.Cleanup(func() {
		if t.Failed() {
			n.dumpLog()
		}
	})
	return n
}

// run executes a pocd subcommand against this home and returns stdout.
func (n *node) run(args ...string) (string, error) {
	n.t.Helper()
	cmd := exec.Command(n.bin, append(args, "--home", n.home)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("pocd %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

func (n *node) mustRun(args ...string) string {
	n.t.Helper()
	out, err := n.run(args...)
	require.NoError(n.t, err)
	return out
}

func (n *node) nodeFlag() string { return fmt.Sprintf("tcp://127.0.0.1:%d", n.rpc) }

// gasPrices is what the tests' transactions pay: the minimum gas price
// `pocd init` writes, below which the node refuses them.
const gasPrices = params.DefaultMinGasPrices

// feeFlags make a CLI transaction with a fixed gas limit pay the minimum
// gas price.
func feeFlags(gas int) []string {
	return []string{"--gas", fmt.Sprint(gas), "--gas-prices", gasPrices}
}

// tx submits a transaction through the CLI, paying the minimum gas price,
// and waits until it is in a block, returning the delivered result (code 0
// asserted by the caller). The fee is added to feesPaid.
func (n *node) tx(args ...string) map[string]any {
	n.t.Helper()
	full := append(args, "--keyring-backend", "test", "--chain-id", n.chainID, "--node", n.nodeFlag(),
		"--gas", "auto", "--gas-adjustment", "1.5", "--gas-prices", gasPrices, "-y", "-o", "json")
	out := n.mustRun(full...)
	var res map[string]any
	require.NoError(n.t, json.Unmarshal([]byte(lastJSON(out)), &res), out)
	require.EqualValues(n.t, 0, res["code"], "CheckTx rejected: %s", out)
	delivered := n.waitTx(res["txhash"].(string))
	for i, a := range args {
		if a == "--from" && i+1 < len(args) {
			from := args[i+1]
			if _, ok := n.feesPaid[from]; !ok {
				n.feesPaid[from] = sdkmath.ZeroInt()
			}
			n.feesPaid[from] = n.feesPaid[from].Add(feeFor(n.t, delivered["gas_wanted"]))
		}
	}
	return delivered
}

// waitTx returns the result of the transaction with this hash once a block
// has included it. `query wait-tx` subscribes to the transaction's event
// and then looks the hash up in the tx index, but CometBFT indexes a block
// after it publishes its events: a transaction committed just before the
// subscription, and looked up just before the indexer wrote it, is missed
// by both, and wait-tx waits out its timeout for an event already gone.
// So a timed-out wait is followed by a lookup (the index has caught up by
// then) and, if the transaction is still not in a block, another wait.
func (n *node) waitTx(hash string) map[string]any {
	n.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var waitErr, lookupErr error
	for time.Now().Before(deadline) {
		select {
		case <-n.done:
			n.dumpLog()
			require.FailNow(n.t, "pocd exited while a transaction was awaited", "%s: %v", hash, n.exitErr)
		default:
		}
		out, err := n.run("query", "wait-tx", hash, "--timeout", "20s", "--node", n.nodeFlag(), "-o", "json")
		if err != nil {
			waitErr = err
			out, err = n.run("query", "tx", hash, "--node", n.nodeFlag(), "-o", "json")
			lookupErr = err
		}
		if err == nil {
			var res map[string]any
			require.NoError(n.t, json.Unmarshal([]byte(lastJSON(out)), &res), out)
			return res
		}
	}
	n.dumpLog()
	require.FailNow(n.t, "transaction not included", "%s\nwait-tx: %v\nquery tx: %v", hash, waitErr, lookupErr)
	return nil
}

// feeFor is what the CLI charged for a gas limit at gasPrices:
// ceil(price x limit), as the SDK's tx factory computes it.
func feeFor(t *testing.T, gasWanted any) sdkmath.Int {
	t.Helper()
	limit, ok := sdkmath.NewIntFromString(fmt.Sprint(gasWanted))
	require.True(t, ok, "gas_wanted %v", gasWanted)
	price, err := sdk.ParseDecCoins(gasPrices)
	require.NoError(t, err)
	return price.AmountOf(params.BondDenom).MulInt(limit).Ceil().TruncateInt()
}

// totalFeesPaid sums feesPaid over every key.
func (n *node) totalFeesPaid() sdkmath.Int {
	sum := sdkmath.ZeroInt()
	for _, f := range n.feesPaid {
		sum = sum.Add(f)
	}
	return sum
}

// feesOf is what key paid in transaction fees through tx.
func (n *node) feesOf(key string) sdkmath.Int {
	if f, ok := n.feesPaid[key]; ok {
		return f
	}
	return sdkmath.ZeroInt()
}

// lastJSON returns the output from the last line that opens a top-level
// JSON object (the CLI may print "gas estimate: N" first); indented objects
// inside pretty-printed JSON do not count.
func lastJSON(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "{") {
			return strings.Join(lines[i:], "\n")
		}
	}
	return out
}

// configure rewrites listen addresses so several tests (and a developer's
// localnet) can run side by side.
func (n *node) configure() {
	n.t.Helper()
	n.rewriteConfig("config.toml", func(section, line string) string {
		switch {
		case section == "[rpc]" && strings.HasPrefix(line, "laddr = "):
			return fmt.Sprintf(`laddr = "tcp://127.0.0.1:%d"`, n.rpc)
		case section == "[p2p]" && strings.HasPrefix(line, "laddr = "):
			return fmt.Sprintf(`laddr = "tcp://127.0.0.1:%d"`, n.p2p)
		case strings.HasPrefix(line, "prometheus_listen_addr = "):
			return fmt.Sprintf(`prometheus_listen_addr = "127.0.0.1:%d"`, n.prom)
		case strings.HasPrefix(line, "pprof_laddr = "):
			return `pprof_laddr = ""`
		case strings.HasPrefix(line, "timeout_commit = "):
			return `timeout_commit = "500ms"`
		}
		return line
	})
	n.rewriteConfig("app.toml", func(section, line string) string {
		switch {
		case section == "[api]" && strings.HasPrefix(line, "address = "):
			return fmt.Sprintf(`address = "tcp://127.0.0.1:%d"`, n.api)
		case section == "[grpc]" && strings.HasPrefix(line, "address = "):
			return fmt.Sprintf(`address = "127.0.0.1:%d"`, n.grpc)
		case section == "[ingest]" && strings.HasPrefix(line, "listen = "):
			return fmt.Sprintf(`listen = ["/ip4/127.0.0.1/tcp/%d"]`, n.ingest)
		}
		return line
	})
}

// rewriteConfig passes every line of a config file, with the [section] it
// is in, through edit.
func (n *node) rewriteConfig(name string, edit func(section, line string) string) {
	n.t.Helper()
	path := filepath.Join(n.home, "config", name)
	bz, err := os.ReadFile(path)
	require.NoError(n.t, err)
	section := ""
	lines := strings.Split(string(bz), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "[") {
			section = line
		}
		lines[i] = edit(section, line)
	}
	require.NoError(n.t, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644))
}

// initChain creates a one-validator genesis with funded test keys. A key
// named "relayer" (ingest's relayer-key) is registered in genesis as the
// validator's PoC relayer. PoCs close after testCloseGraceMs instead of
// x/poc's 30 s, so tests get verdicts quickly.
func (n *node) initChain(keys ...string) map[string]string {
	n.t.Helper()
	n.mustRun("init", "e2e", "--chain-id", n.chainID)
	addrs := map[string]string{}
	for _, k := range append([]string{"validator"}, keys...) {
		n.mustRun("keys", "add", k, "--keyring-backend", "test")
		addrs[k] = strings.TrimSpace(n.mustRun("keys", "show", k, "-a", "--keyring-backend", "test"))
		n.mustRun("genesis", "add-genesis-account", addrs[k], "100000000000000bones")
	}
	n.mustRun("genesis", "gentx", "validator", "10000000000000bones", "--chain-id", n.chainID, "--keyring-backend", "test")
	n.mustRun("genesis", "collect-gentxs")
	if _, ok := addrs["relayer"]; ok {
		n.mustRun("genesis", "add-relayer", "validator", "relayer", "--ingest-peer", n.ingestPeerID(), "--keyring-backend", "test")
	}
	n.setPocParam("close_grace_ms", fmt.Sprint(testCloseGraceMs))
	n.mustRun("genesis", "validate")
	n.configure()
	return addrs
}

// ingestPeerID is the node's ingest peer ID, the /p2p/ part of `pocd ingest
// address` (which creates the ingest key if the node has not started yet).
func (n *node) ingestPeerID() string {
	n.t.Helper()
	first := strings.SplitN(strings.TrimSpace(n.mustRun("ingest", "address")), "\n", 2)[0]
	i := strings.LastIndex(first, "/p2p/")
	require.Positive(n.t, i, "pocd ingest address: %q", first)
	return first[i+len("/p2p/"):]
}

// testCloseGraceMs is x/poc's close_grace_ms in the tests' genesis.
const testCloseGraceMs = 2000

func (n *node) start() {
	n.t.Helper()
	logf, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(n.t, err)
	n.cmd = exec.Command(n.bin, "start", "--home", n.home, "--log_format", "json")
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	require.NoError(n.t, n.cmd.Start())
	done := make(chan struct{})
	n.done = done
	cmd := n.cmd
	go func() { n.exitErr = cmd.Wait(); logf.Close(); close(done) }()
	n.t.Cleanup(n.stop)
}

func (n *node) stop() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
	n.cmd = nil
}

func (n *node) dumpLog() {
	if n.dumped {
		return
	}
	n.dumped = true
	bz, _ := os.ReadFile(n.logPath)
	// Keep the whole log where a developer can read it after the temp dir is gone.
	keep := filepath.Join(os.TempDir(), "pocd-e2e-"+n.t.Name()+".log")
	if err := os.WriteFile(keep, bz, 0o644); err == nil {
		n.t.Logf("full node log: %s", keep)
	}
	// A consensus failure's cause is at the start of its (long) line.
	for _, line := range strings.Split(string(bz), "\n") {
		if strings.Contains(line, "CONSENSUS FAILURE") {
			n.t.Logf("consensus failure: %.2000s", line)
		}
	}
	if len(bz) > 8000 {
		bz = bz[len(bz)-8000:]
	}
	n.t.Logf("node log tail:\n%s", bz)
}

// height asks CometBFT's RPC for the latest block height.
func (n *node) height() (int64, error) {
	latest, _, err := n.syncInfo()
	return latest, err
}

// syncInfo asks CometBFT's RPC for the latest block height and the lowest
// one whose block is still stored.
func (n *node) syncInfo() (latest, earliest int64, err error) {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/status", n.rpc))
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var st struct {
		Result struct {
			SyncInfo struct {
				Latest   json.Number `json:"latest_block_height"`
				Earliest json.Number `json:"earliest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return 0, 0, err
	}
	if latest, err = st.Result.SyncInfo.Latest.Int64(); err != nil {
		return 0, 0, err
	}
	earliest, err = st.Result.SyncInfo.Earliest.Int64()
	return latest, earliest, err
}

// waitHeight polls until the chain reaches h, failing fast if the process dies.
func (n *node) waitHeight(h int64, timeout time.Duration) {
	n.t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if got, err := n.height(); err == nil && got >= h {
			return
		}
		select {
		case <-n.done:
			n.dumpLog()
			n.t.Fatalf("pocd exited before height %d: %v", h, n.exitErr)
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			n.dumpLog()
			n.t.Fatalf("height %d not reached within %s", h, timeout)
		}
	}
}

// waitHTTP polls a URL on the node until it answers 200.
func (n *node) waitHTTP(url string, timeout time.Duration) []byte {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return body
			}
		}
		select {
		case <-ctx.Done():
			n.dumpLog()
			n.t.Fatalf("%s did not answer 200 within %s (last error %v)", url, timeout, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// requireJSONLogs checks that `--log_format json` gives one JSON object per line.
func (n *node) requireJSONLogs() {
	n.t.Helper()
	bz, err := os.ReadFile(n.logPath)
	require.NoError(n.t, err)
	lines := strings.Split(strings.TrimSpace(string(bz)), "\n")
	require.Greater(n.t, len(lines), 10)
	for _, l := range lines[len(lines)-10:] {
		var m map[string]any
		require.NoError(n.t, json.Unmarshal([]byte(l), &m), "log line is not JSON: %s", l)
		require.Contains(n.t, m, "level")
	}
}

// dialSigner dials the node's gRPC (closed with the test) and returns a
// signer for a key in the node's test keyring.
func (n *node) dialSigner(key string, pricing chainclient.Pricing) (*grpc.ClientConn, *chainclient.Signer) {
	conn, err := gateway.DialChain(fmt.Sprintf("127.0.0.1:%d", n.grpc))
	require.NoError(n.t, err)
	n.t.Cleanup(func() { conn.Close() })
	enc := params.MakeClientEncoding()
	kr, err := keyring.New(params.AppName, keyring.BackendTest, n.home, nil, enc.Codec)
	require.NoError(n.t, err)
	s, err := chainclient.NewSigner(conn, enc, kr, key, n.chainID, pricing)
	require.NoError(n.t, err)
	return conn, s
}
