package e2e

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
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
	"github.com/pocnet/pocd/gwmp"
	"github.com/pocnet/pocd/gwmp/gwmptest"
	"github.com/pocnet/pocd/sim"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// syncBuffer collects a process's output for the failure log.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// scrape reads a Prometheus endpoint: series (name{labels}) to value.
func scrape(port int) map[string]float64 {
	out := map[string]float64{}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// TestForwarderBridge runs three hotspots, each a real `hotspotd run`
// bridged (GWMP over loopback UDP, configured in its config.toml) to its
// own emulated packet forwarder. The emulators share an air: each
// transmitted txpk reaches the other two with the RSSI and SNR of the
// simulator's radio model at the hotspots' real distances. The chain must
// judge every hotspot's beacons and witness reports valid, with the signal
// the emulator reported, exactly; and every malformed datagram one
// emulator sends is counted by reason while the bridge goes on.
func TestForwarderBridge(t *testing.T) {
	started := time.Now()
	n := newNode(t, "pocd-e2e-forwarder")
	hotspotds := make([]*syncBuffer, 3)
	metricsPorts := make([]int, 3)
	n.initChain("alice", "relayer")
	n.setPocParam("beacon_interval_ms", "12000")
	n.setIngest(map[string]string{"witness-window": `"5s"`, "witness-admission": `"2500ms"`, "relay-jitter": `"0s"`})
	n.start()
	n.waitHeight(2, 90*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	conn, owner := n.dialSigner("alice", chainclient.DefaultPricing())

	// Three hotspots 1.2 km apart around San Francisco's Civic Center.
	city := sim.Cities["sf"]
	centre := sim.LatLng{Lat: 37.7793, Lng: -122.4193}
	keyDir := t.TempDir()
	fleet, err := sim.BuildFleet(sim.FleetSpec{City: city, Size: 3, Seed: 11, KeyDir: keyDir,
		Coordinates: []sim.LatLng{centre, sim.Offset(centre, 1200, 0), sim.Offset(centre, 1200, 120)}})
	require.NoError(t, err)
	require.NoError(t, sim.Onboard(ctx, conn, owner, n.chainID, city.Region, fleet, t.Logf))
	index := map[string]int{}
	for i, h := range fleet {
		index[h.Address] = i
	}

	// The air: the simulator's radio model at the hotspots' distances.
	radio := sim.DefaultRadio()
	radio.Seed = 11
	var rngMu sync.Mutex
	rng := rand.New(rand.NewPCG(11, 12))
	air := &gwmptest.Air{
		Airtime: gwmptest.LoRaAirtime,
		Propagate: func(from, to int, tx gwmp.TXPK) (gwmptest.Reception, bool) {
			hz, err := gwmp.MHzToHz(tx.Freq)
			if err != nil {
				return gwmptest.Reception{}, false
			}
			rngMu.Lock()
			defer rngMu.Unlock()
			r := radio.Receive(from, to, sim.DistanceM(fleet[from].Physical, fleet[to].Physical), float64(hz), float64(tx.Powe), rng)
			return gwmptest.Reception{RSSIDBm: r.RSSIDB, SNRDB: r.SNRDB}, r.Heard
		},
	}

	ports := freePorts(t, 6)
	hd := hotspotdBinary(t)
	forwarders := make([]*gwmptest.Forwarder, len(fleet))
	for i, h := range fleet {
		home := t.TempDir()
		key, err := os.ReadFile(filepath.Join(keyDir, fmt.Sprintf("hotspot-%03d.key", i)))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(home, "hotspot.key"), key, 0o600))
		eui := gwmp.EUI{0xaa, 0x55, 0x5a, 0, 0, 0, 0, byte(i + 1)}
		fwdPort, metricsPort := ports[i], ports[3+i]
		metricsPorts[i] = metricsPort
		// Everything but the home in the config file, as an owner would.
		conf := fmt.Sprintf("grpc = %q\nvalidator = [%q]\nforwarder = \"127.0.0.1:%d\"\nforwarder-eui = %q\nmetrics = \"127.0.0.1:%d\"\n",
			fmt.Sprintf("127.0.0.1:%d", n.grpc), n.ingestPeer(), fwdPort, eui.String(), metricsPort)
		require.NoError(t, os.WriteFile(filepath.Join(home, "config.toml"), []byte(conf), 0o600))
		hotspotds[i] = &syncBuffer{}
		run := exec.Command(hd, "run", "--home", home)
		run.Stdout, run.Stderr = hotspotds[i], hotspotds[i]
		require.NoError(t, run.Start())
		t.Cleanup(func() { _ = run.Process.Kill(); _ = run.Wait() })
		// The metrics endpoint answers once the UDP port is open.
		require.Eventually(t, func() bool { return len(scrape(metricsPort)) > 0 }, 60*time.Second, 100*time.Millisecond,
			"hotspotd %d up; it said:\n%s", i, hotspotds[i])

		cfg, idx := air.Join(gwmptest.Config{EUI: eui, Server: fmt.Sprintf("127.0.0.1:%d", fwdPort),
			KeepAlive: 2 * time.Second, StatInterval: 5 * time.Second, GPS: i != 2})
		f, err := gwmptest.Start(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(f.Close)
		air.Attach(idx, f)
		forwarders[i] = f
		t.Logf("hotspot %d %s at %.5f,%.5f (%s), forwarder %s on udp %d", i, h.Address, h.Physical.Lat, h.Physical.Lng, h.Cell, eui, fwdPort)
	}

	// Registered after the processes' cleanups, so it runs before them.
	t.Cleanup(func() {
		if t.Failed() {
			for i, out := range hotspotds {
				t.Logf("hotspotd %d said:\n%s", i, out)
				t.Logf("hotspotd %d metrics: %v", i, scrape(metricsPorts[i]))
				t.Logf("forwarder %d: %+v", i, forwarders[i].Stats())
			}
		}
	})

	// Every malformed kind once, from hotspot 0's forwarder: each counted
	// by reason, and the bridge serves on (checked by everything below).
	want := map[string]float64{}
	for _, bad := range gwmptest.Malformed(forwarders[0].EUI()) {
		require.NoError(t, forwarders[0].SendUp(bad.Raw), bad.Kind)
		want[fmt.Sprintf(`hotspotd_forwarder_dropped_total{reason=%q}`, bad.Reason)]++
	}
	require.Eventually(t, func() bool {
		m := scrape(metricsPorts[0])
		for series, v := range want {
			if m[series] != v {
				return false
			}
		}
		return true
	}, 10*time.Second, 100*time.Millisecond, "malformed datagrams counted: want %v", want)

	// The chain judges each hotspot's beacons and witness reports valid
	// (the first rounds fail reciprocity, HIP-106, as for any new hotspot).
	qc := poctypes.NewQueryClient(conn)
	type proof struct {
		beacon  *poctypes.PocRecord
		witness *poctypes.WitnessRecord
	}
	proofs := make([]proof, len(fleet))
	require.Eventually(t, func() bool {
		done := true
		for i, h := range fleet {
			if proofs[i].beacon == nil {
				pocs, err := qc.PocsByBeaconer(ctx, &poctypes.QueryPocsByBeaconerRequest{Hotspot: h.Address})
				if err != nil {
					return false
				}
				for _, p := range pocs.Pocs {
					if p.Reason == poctypes.REASON_VALID && p.Selected > 0 {
						proofs[i].beacon = &p
						break
					}
				}
			}
			if proofs[i].witness == nil {
				wd, err := qc.Witnessed(ctx, &poctypes.QueryWitnessedRequest{Hotspot: h.Address})
				if err != nil {
					return false
				}
				for _, w := range wd.Witnessed {
					if w.Reason == poctypes.REASON_VALID {
						proofs[i].witness = &w
						break
					}
				}
			}
			done = done && proofs[i].beacon != nil && proofs[i].witness != nil
		}
		return done
	}, 4*time.Minute, time.Second, "every hotspot has a valid beacon and a valid witness report on chain")

	deliveries := air.Deliveries()
	require.Empty(t, air.Errors())
	for i, p := range proofs {
		require.Equal(t, int32(27), p.beacon.TxPowerDbm, "hotspot %d beacons at 27 dBm", i)
		require.LessOrEqual(t, int64(p.beacon.TxPowerDbm), verify.MaxConductedPowerDBm(360, sim.AntennaGainDdbi))
		plan := hotspottypes.DefaultRegionPlans()[0]
		require.Contains(t, plan.ChannelFrequenciesHz, p.beacon.FrequencyHz)

		// The witness report carries what the emulator pushed: the
		// frequency in exact Hz, rssis and lsnr in tenths.
		w := p.witness
		from, to := index[w.Beaconer], i
		matched := false
		for _, d := range deliveries {
			if d.From != from || d.To != to {
				continue
			}
			hz, _ := gwmp.MHzToHz(d.RX.Freq)
			rssi, snr, err := d.RX.Signal()
			require.NoError(t, err)
			if hz == w.FrequencyHz && rssi == w.RssiDdbm && snr == w.SnrDdb {
				matched = true
			}
		}
		require.True(t, matched, "hotspot %d's witness report %+v matches a delivery", i, w)
		require.Positive(t, w.DistanceM)
	}

	for i, f := range forwarders {
		st := f.Stats()
		m := scrape(metricsPorts[i])
		t.Logf("forwarder %d: %+v", i, st)
		require.GreaterOrEqual(t, st.PullData, int64(2), "keep-alives")
		require.GreaterOrEqual(t, st.PullAck, st.PullData-1, "every keep-alive acknowledged (the last maybe not yet)")
		require.Equal(t, st.PullResp, st.TxAck, "a TX_ACK for each PULL_RESP")
		require.Positive(t, st.Transmitted)
		require.Positive(t, st.PushAck)
		require.GreaterOrEqual(t, m["hotspotd_beacons_acked_total"], 1.0)
		require.GreaterOrEqual(t, m["hotspotd_beacons_published_total"], 1.0)
		require.GreaterOrEqual(t, m["hotspotd_beacons_heard_total"], 1.0)
		require.GreaterOrEqual(t, m["hotspotd_witness_reports_published_total"], 1.0)
		require.GreaterOrEqual(t, m[`hotspotd_forwarder_datagrams_total{direction="up",type="pull_data"}`], 2.0)
		require.Zero(t, m[`hotspotd_errors_total{reason="beacon_publish"}`])
		t.Logf("hotspotd %d metrics: %v", i, m)
	}
	t.Logf("TestForwarderBridge took %s", time.Since(started).Round(time.Second))
}
