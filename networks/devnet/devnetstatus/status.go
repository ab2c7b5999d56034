// Package devnetstatus reads the devnet's nodes from the host through their
// published ports: CometBFT RPC, the ingest counters on the Prometheus
// endpoint, and x/rewards over REST. `make devnet-status` prints it; the
// fault tests assert on it. Standard library only.
package devnetstatus

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Node is a devnet container and its host port offset (docker-compose.yml).
type Node struct {
	Name   string
	Offset int
}

// Nodes are the full node (standard ports) and the four validators.
var Nodes = []Node{{"full", 0}, {"val0", 100}, {"val1", 200}, {"val2", 300}, {"val3", 400}}

// Validators are the four validators.
var Validators = Nodes[1:]

func (n Node) RPC() string  { return fmt.Sprintf("http://127.0.0.1:%d", 26657+n.Offset) }
func (n Node) GRPC() string { return fmt.Sprintf("127.0.0.1:%d", 9090+n.Offset) }
func (n Node) REST() string { return fmt.Sprintf("http://127.0.0.1:%d", 1317+n.Offset) }
func (n Node) Metrics() string {
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", 26660+n.Offset)
}

// Status is one node's view.
type Status struct {
	Name       string
	Up         bool
	Height     int64
	AppHash    string // of the latest block
	CatchingUp bool
	Peers      int
	Ingest     map[string]float64 // accepted_beacon, accepted_witness, relayed, included, peer_relayed
	Err        string
}

var client = &http.Client{Timeout: 3 * time.Second}

func getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// Query reads one node.
func Query(ctx context.Context, n Node) Status {
	s := Status{Name: n.Name}
	sync, err := QuerySync(ctx, n)
	if err != nil {
		s.Err = err.Error()
		return s
	}
	s.Up = true
	s.Height, s.AppHash, s.CatchingUp = sync.Height, sync.AppHash, sync.CatchingUp
	var ni struct {
		Result struct {
			NPeers string `json:"n_peers"`
		} `json:"result"`
	}
	if err := getJSON(ctx, n.RPC()+"/net_info", &ni); err == nil {
		s.Peers, _ = strconv.Atoi(ni.Result.NPeers)
	}
	s.Ingest = ingestCounters(ctx, n)
	return s
}

// Sync is a node's CometBFT sync info.
type Sync struct {
	Height     int64
	AppHash    string
	CatchingUp bool
}

// QuerySync reads a node's sync info alone: one RPC call, for polling a
// height where Query's three calls would take longer than a block on a
// loaded machine.
func QuerySync(ctx context.Context, n Node) (Sync, error) {
	var st struct {
		Result struct {
			SyncInfo struct {
				Height     string `json:"latest_block_height"`
				AppHash    string `json:"latest_app_hash"`
				CatchingUp bool   `json:"catching_up"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := getJSON(ctx, n.RPC()+"/status", &st); err != nil {
		return Sync{}, err
	}
	height, err := strconv.ParseInt(st.Result.SyncInfo.Height, 10, 64)
	if err != nil {
		return Sync{}, fmt.Errorf("%s: height %q: %w", n.Name, st.Result.SyncInfo.Height, err)
	}
	return Sync{Height: height, AppHash: st.Result.SyncInfo.AppHash, CatchingUp: st.Result.SyncInfo.CatchingUp}, nil
}

// AppHashAt is the app hash a node reports for a height (in the header of
// the next block).
func AppHashAt(ctx context.Context, n Node, height int64) (string, error) {
	var b struct {
		Result struct {
			Block struct {
				Header struct {
					AppHash string `json:"app_hash"`
				} `json:"header"`
			} `json:"block"`
		} `json:"result"`
	}
	if err := getJSON(ctx, fmt.Sprintf("%s/block?height=%d", n.RPC(), height+1), &b); err != nil {
		return "", err
	}
	return b.Result.Block.Header.AppHash, nil
}

func ingestCounters(ctx context.Context, n Node) map[string]float64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.Metrics(), nil)
	if err != nil {
		return nil
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	want := map[string]string{
		`pocd_ingest_accepted_total{topic="beacon"}`:       "accepted_beacons",
		`pocd_ingest_accepted_total{topic="witness"}`:      "accepted_witnesses",
		"pocd_ingest_relayed_total":                        "relayed",
		"pocd_ingest_included_total":                       "included",
		`pocd_ingest_dropped_total{reason="peer_relayed"}`: "peer_relayed",
		"pocd_ingest_queued_beacons":                       "queued",
		"pocd_ingest_queue_oldest_seconds":                 "oldest_queued_s",
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if key, found := want[name]; ok && found {
			out[key], _ = strconv.ParseFloat(val, 64)
		}
	}
	return out
}

// Paid is the last settled PoC epoch and what it paid, from x/rewards.
type Paid struct {
	Epoch   int64
	Paid    string
	PaidOut bool
}

// LastPaid asks a node's REST for the last settled epoch.
func LastPaid(ctx context.Context, n Node) (Paid, error) {
	var em struct {
		LastSettled string `json:"last_settled_epoch"`
	}
	if err := getJSON(ctx, n.REST()+"/pocd/rewards/v1/emission", &em); err != nil {
		return Paid{}, err
	}
	e, _ := strconv.ParseInt(em.LastSettled, 10, 64)
	if e == 0 {
		return Paid{}, nil
	}
	var er struct {
		Rewards struct {
			Paid    string `json:"paid"`
			PaidOut bool   `json:"paid_out"`
		} `json:"rewards"`
	}
	if err := getJSON(ctx, fmt.Sprintf("%s/pocd/rewards/v1/epochs/%d", n.REST(), e), &er); err != nil {
		return Paid{}, err
	}
	return Paid{Epoch: e, Paid: er.Rewards.Paid, PaidOut: er.Rewards.PaidOut}, nil
}
