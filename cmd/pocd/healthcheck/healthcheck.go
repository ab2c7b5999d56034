// Package healthcheck is `pocd healthcheck`: a container healthcheck that
// asks a node's CometBFT RPC for its status without building the app.
//
// `pocd status` builds a throwaway app (every keeper and codec) before it
// sends one request: about half a CPU-second. Five devnet containers
// probing every three seconds spent most of a two-core machine on that,
// and consensus starved. main dispatches here before anything else, so a
// probe costs a process start and one HTTP request.
package healthcheck

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Command is the subcommand main dispatches to Run.
const Command = "healthcheck"

// Status is what a probe reads from the RPC's /status.
type Status struct {
	Height     int64
	CatchingUp bool
}

// ErrNoBlocks: the node answers but has not committed a block yet.
var ErrNoBlocks = errors.New("node has no blocks yet")

// Run probes the node named by --node and returns the process exit code:
// 0 when the RPC answers with a status at height 1 or more, 1 otherwise
// (the reason goes to stderr). With --synced it also requires that the
// node is not catching up.
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pocd "+Command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	node := fs.String("node", "tcp://127.0.0.1:26657", "the node's CometBFT RPC address")
	timeout := fs.Duration("timeout", 2*time.Second, "give up after this long")
	synced := fs.Bool("synced", false, "also require that the node is not catching up")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: pocd %s [--node tcp://host:26657] [--timeout 2s] [--synced]\n\n"+
			"Exits 0 when the node's RPC answers with a committed height; for container healthchecks.\n", Command)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1 // Docker reserves exit code 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %v\n", fs.Args())
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	st, err := Probe(ctx, *node)
	if err == nil && *synced && st.CatchingUp {
		err = fmt.Errorf("catching up at height %d", st.Height)
	}
	if err != nil {
		fmt.Fprintln(stderr, "unhealthy:", err)
		return 1
	}
	fmt.Fprintf(stdout, "healthy: height %d catching_up %t\n", st.Height, st.CatchingUp)
	return 0
}

// ErrUnsupportedAddress: the node address is not tcp://, http:// or
// host:port (a unix socket, say); `pocd status` handles those.
var ErrUnsupportedAddress = errors.New("unsupported node address: want tcp://host:port, http://host:port or host:port")

// Probe asks the RPC at node (tcp://, http:// or host:port) for /status.
func Probe(ctx context.Context, node string) (Status, error) {
	hostPort := strings.TrimPrefix(strings.TrimPrefix(node, "tcp://"), "http://")
	if hostPort == "" || strings.Contains(hostPort, "://") || strings.Contains(hostPort, "/") {
		return Status{}, fmt.Errorf("%w: %q", ErrUnsupportedAddress, node)
	}
	url := "http://" + hostPort + "/status"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Status{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Status{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Status{}, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	var body struct {
		Result struct {
			SyncInfo struct {
				Height     string `json:"latest_block_height"`
				CatchingUp bool   `json:"catching_up"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return Status{}, fmt.Errorf("%s: %w", url, err)
	}
	h, err := strconv.ParseInt(body.Result.SyncInfo.Height, 10, 64)
	if err != nil {
		return Status{}, fmt.Errorf("%s: latest_block_height %q: %w", url, body.Result.SyncInfo.Height, err)
	}
	if h < 1 {
		return Status{}, ErrNoBlocks
	}
	return Status{Height: h, CatchingUp: body.Result.SyncInfo.CatchingUp}, nil
}
