// loadtest measures ingest throughput on one node or several (-validator
// takes a list; scripts/load-devnet.sh runs it on the devnet): N onboarded hotspots
// publish beacons with W witnesses each over libp2p at a target witness
// rate for a fixed time; then every published report is looked up on
// chain, and the time from each witness report's signed timestamp to the
// block that included it is summarised. scripts/load.sh sets up the node;
// docs/benchmarks.md has the results.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"

	cmtservice "github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/sim"
	"github.com/pocnet/pocd/wire"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

type result struct {
	Hotspots           int     `json:"hotspots"`
	WitnessesPerBeacon int     `json:"witnesses_per_beacon"`
	TargetRate         float64 `json:"target_witness_rate"`
	DurationS          float64 `json:"duration_s"`
	Beacons            int     `json:"beacons_published"`
	Witnesses          int     `json:"witnesses_published"`
	PublishRate        float64 `json:"publish_witness_rate"`
	Flooded            int     `json:"flood_reports_published"`
	// GeneratorCores is this process's CPU (user and system) over the
	// publishing, in cores: its share of a machine it shares with the node.
	GeneratorCores    float64 `json:"generator_cores_while_publishing"`
	BeaconsIncluded   int     `json:"beacons_included"`
	WitnessesIncluded int     `json:"witnesses_included"`
	Lost              int     `json:"witnesses_lost"`
	// A beacon the validator did not accept within the delivery's 30 s
	// (refused as overloaded and retried until then, or refused for good):
	// its witness reports are published all the same, as real witnesses
	// gossip what they heard, and the node drops them.
	BeaconsRefused int `json:"beacons_refused"`
	// Witness reports of accepted beacons that were not included: what an
	// overloaded node must not lose.
	LostOfAccepted int     `json:"witnesses_lost_of_accepted_beacons"`
	IncludedRate   float64 `json:"included_witness_rate"` // first publication to last inclusion
	// SteadyRate counts the reports included in the blocks stamped between
	// warm-up (the pipeline filling: witness window, relay, block) and the
	// end of publishing, divided by the time from the block before the
	// first of them to the last of them: the rate the node sustains while
	// the load is on. Under the offered rate means a backlog.
	SteadyRate     float64 `json:"steady_included_witness_rate"`
	SteadyFromS    float64 `json:"steady_from_s"`
	LastInclusionS float64 `json:"last_inclusion_after_start_s"`
	P50S           float64 `json:"latency_p50_s"`
	P99S           float64 `json:"latency_p99_s"`
	MaxS           float64 `json:"latency_max_s"`
	// The median latency of reports published in the first and in the last
	// fifth of the run: equal when the node keeps up, growing when a
	// backlog builds.
	P50FirstFifthS float64 `json:"latency_p50_first_fifth_s"`
	P50LastFifthS  float64 `json:"latency_p50_last_fifth_s"`
	// The efficiency ratio: the steady rate against what this machine's
	// cores verify as bare ed25519 signatures (one verifier per core, the
	// node idle), both measured in this run so a faster or slower CPU
	// moves both.
	Ed25519VerifyUs    float64 `json:"ed25519_verify_us"`
	Ed25519CoresPerSec float64 `json:"ed25519_verifications_per_s_all_cores"`
	EfficiencyPct      float64 `json:"steady_rate_pct_of_ed25519_capacity"`
}

// steadyWarmup is left out of the steady rate: the first reports reach a
// block only after the witness window, a relay round and a block.
const steadyWarmup = 10 * time.Second

type sent struct {
	id        [32]byte
	witnesses int
	tsNs      int64 // the witnesses' signed timestamp
	// acceptedNs is when the validator accepted the beacon (0: refused).
	// Latency runs from the later of it and tsNs: a beacon told to retry
	// while the node sheds load was admitted only then.
	acceptedNs int64
}

// processCPU is the user and system CPU this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startProfiles writes CPU profiles of the publishing into dir: this
// process's (generator.pprof) until the returned function is first called,
// and, with nodePprof, the node's for the publishing's planned duration
// (node.pprof, fetched from its pprof endpoint), so the two shares of the
// machine are seen side by side. Without dir it does nothing.
func startProfiles(dir, nodePprof string, d time.Duration) (stop func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, "generator.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var node sync.WaitGroup
	if nodePprof != "" {
		node.Go(func() {
			if err := fetchNodeProfile(nodePprof, d, filepath.Join(dir, "node.pprof")); err != nil {
				logf("node profile: %v", err)
			}
		})
	}
	var once sync.Once
	return func() { once.Do(func() { pprof.StopCPUProfile(); f.Close(); node.Wait() }) }, nil
}

// fetchNodeProfile asks the node's pprof endpoint for d of CPU profile
// (whole seconds, at least one) and writes it to path.
func fetchNodeProfile(addr string, d time.Duration, path string) error {
	secs := max(1, int(math.Ceil(d.Seconds())))
	client := http.Client{Timeout: time.Duration(secs)*time.Second + time.Minute}
	resp, err := client.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", addr, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// options are the run's flags.
type options struct {
	grpcAddr, validator, owner, krDir, keyDir, out, gasPrices string
	profileDir, nodePprof                                     string
	hotspots, hosts, witnessesPerBeacon                       int
	rate, flood                                               float64
	duration, watch                                           time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.grpcAddr, "grpc", "127.0.0.1:9090", "node gRPC")
	flag.StringVar(&o.validator, "validator", "", "validators' ingest multiaddrs, comma-separated: every beacon is delivered to each, and the gossip hosts connect to each")
	flag.StringVar(&o.owner, "owner", "alice", "keyring key that onboards the hotspots")
	flag.StringVar(&o.krDir, "keyring-dir", "", "pocd home with the test keyring")
	flag.IntVar(&o.hotspots, "hotspots", 300, "hotspots")
	flag.IntVar(&o.witnessesPerBeacon, "witnesses", 14, "witnesses per beacon")
	flag.Float64Var(&o.rate, "rate", 2000, "target witness reports per second")
	flag.DurationVar(&o.duration, "duration", time.Minute, "publishing time")
	flag.StringVar(&o.keyDir, "key-dir", "", "hotspot keys (reused across runs)")
	flag.StringVar(&o.out, "out", "", "write the result JSON here too")
	flag.StringVar(&o.gasPrices, "gas-prices", params.DefaultMinGasPrices, "gas price the owner's onboarding transactions pay")
	flag.Float64Var(&o.flood, "flood", 0, "also flood from one registered hotspot (not in the honest fleet): sealed witness reports naming beacons nobody holds, this many per second")
	flag.DurationVar(&o.watch, "watch", 0, "also look published beacons up on chain this often while publishing (0: only at the end); a run longer than the chain keeps full records needs it")
	flag.StringVar(&o.profileDir, "profile-dir", "", "write CPU profiles over the publishing here: generator.pprof (this process) and, with -node-pprof, node.pprof")
	flag.StringVar(&o.nodePprof, "node-pprof", "", "the node's pprof address (host:port), profiled over the publishing into -profile-dir")
	flag.IntVar(&o.hosts, "hosts", 50, "gossip hosts the witness reports are published from (a hotspot's reports go through host index mod hosts); every hotspot also has a gossip-less host that delivers its beacons")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// watch calls look every interval with the time (ns) before which
// beacons are old enough to have been judged, until stop is closed; then
// it closes done. An interval of 0 watches nothing.
func watch(interval, age time.Duration, stop <-chan struct{}, done chan<- struct{}, look func(beforeNs int64)) {
	defer close(done)
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			look(now.Add(-age).UnixNano())
		}
	}
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}

func run(o options) error {
	grpcAddr, validator, owner, krDir, keyDir, out, gasPrices := o.grpcAddr, o.validator, o.owner, o.krDir, o.keyDir, o.out, o.gasPrices
	n, hosts, wpb, rate, flood, duration := o.hotspots, o.hosts, o.witnessesPerBeacon, o.rate, o.flood, o.duration
	ctx := context.Background()
	// The yardstick, measured first, while the node is idle.
	verifyUs, verifyCapacity := ed25519Capacity(2 * time.Second)
	logf("bare ed25519 verification: %.1f µs each, %.0f/s on %d cores", verifyUs, verifyCapacity, runtime.GOMAXPROCS(0))
	conn, err := gateway.DialChain(grpcAddr)
	if err != nil {
		return err
	}
	ni, err := cmtservice.NewServiceClient(conn).GetNodeInfo(ctx, &cmtservice.GetNodeInfoRequest{})
	if err != nil {
		return err
	}
	chainID := ni.DefaultNodeInfo.Network
	enc := params.MakeClientEncoding()
	kr, err := keyring.New(params.AppName, keyring.BackendTest, krDir, nil, enc.Codec)
	if err != nil {
		return err
	}
	signer, err := chainclient.NewSigner(conn, enc, kr, owner, chainID, chainclient.Pricing{GasPrices: gasPrices})
	if err != nil {
		return err
	}
	city := sim.Cities["sf"]
	city.RadiusM = 15_000 // room for hundreds of hotspots 400 m apart
	fleet, err := sim.BuildFleet(sim.FleetSpec{City: city, Size: n + 1, Seed: 42, KeyDir: keyDir})
	if err != nil {
		return err
	}
	if err := sim.Onboard(ctx, conn, signer, chainID, city.Region, fleet, logf); err != nil {
		return err
	}
	flooder := fleet[n] // registered and asserted like the others, never honest
	fleet = fleet[:n]
	peers, err := gateway.ParsePeers(strings.Split(validator, ","))
	if err != nil {
		return err
	}
	// Witness reports are signed and sealed by their hotspot's key
	// whatever host carries them, so a few gossip hosts stand in for the
	// fleet's connections (as before beacons went private). A beacon must
	// come from its own hotspot's host: each hotspot has a host that only
	// delivers beacons, with no gossipsub router to run.
	hosts = max(1, min(hosts, n))
	// The gossip hosts have keys of their own: two hosts with one peer ID
	// (a hotspot's deliverer and a gossip host) would each lose streams
	// the validator opens to the other.
	gossip := make([]*gateway.Publisher, hosts)
	for i := range gossip {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		if gossip[i], err = gateway.NewPublisher(ctx, key, nil, peers, chainID); err != nil {
			return err
		}
		defer gossip[i].Close()
	}
	deliverers := make([]*gateway.Publisher, n)
	for i := range deliverers {
		if deliverers[i], err = gateway.NewBeaconDeliverer(ctx, fleet[i].Key.Private, nil, peers, chainID); err != nil {
			return err
		}
		defer deliverers[i].Close()
	}
	plan, err := gateway.RegionPlan(ctx, conn, city.Region)
	if err != nil {
		return err
	}
	pp, err := poctypes.NewQueryClient(conn).Params(ctx, &poctypes.QueryParamsRequest{})
	if err != nil {
		return err
	}
	interval := time.Duration(pp.Params.BeaconIntervalMs) * time.Millisecond
	beaconRate := rate / float64(wpb)
	if every := time.Duration(float64(time.Second) * float64(n) / beaconRate); every < interval {
		return fmt.Errorf("each hotspot would beacon every %s, under the chain's beacon interval %s: more hotspots or a shorter interval", every, interval)
	}

	var entropy atomic.Pointer[poctypes.BlockEntropy]
	refresh := func() error {
		e, err := gateway.Entropy(ctx, conn)
		if err == nil {
			entropy.Store(&e)
		}
		return err
	}
	if err := refresh(); err != nil {
		return err
	}
	logf("publishing %.0f witness reports/s (%.1f beacons/s x %d) from %d hotspots for %s", rate, beaconRate, wpb, n, duration)

	var (
		mu    sync.Mutex
		sents []sent
		wg    sync.WaitGroup
		errs  atomic.Int64
		first atomic.Pointer[error]
	)
	fail := func(err error) {
		if err != nil {
			errs.Add(1)
			first.CompareAndSwap(nil, &err)
		}
	}
	var flooded atomic.Int64
	if flood > 0 {
		fp, err := gateway.NewPublisher(ctx, flooder.Key.Private, nil, peers, chainID)
		if err != nil {
			return err
		}
		defer fp.Close()
		go floodReports(ctx, fp, flooder.Key.Private, flood, duration, &flooded)
	}
	// found: the judged PoCs looked up so far, by the watcher while
	// publishing (o.watch) and after it.
	q := poctypes.NewQueryClient(conn)
	found := map[[32]byte]*poctypes.QueryPocResponse{}
	lookUp := func(ids [][32]byte) {
		for _, id := range ids {
			if found[id] != nil {
				continue
			}
			r, err := q.Poc(ctx, &poctypes.QueryPocRequest{BeaconId: hex.EncodeToString(id[:])})
			if err == nil && !r.Open {
				found[id] = r
			}
		}
	}
	stopWatch, watchDone := make(chan struct{}), make(chan struct{})
	go watch(o.watch, time.Duration(pp.Params.CloseGraceMs)*time.Millisecond+30*time.Second, stopWatch, watchDone, func(before int64) {
		var ids [][32]byte
		mu.Lock()
		for _, s := range sents {
			if s.tsNs < before {
				ids = append(ids, s.id)
			}
		}
		mu.Unlock()
		lookUp(ids)
	})
	cpuAtStart := processCPU()
	stopProfile, err := startProfiles(o.profileDir, o.nodePprof, duration)
	if err != nil {
		return err
	}
	defer stopProfile()
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	lastRefresh := start
	beacons := 0
	for now := range tick.C {
		elapsed := now.Sub(start)
		if elapsed >= duration {
			break
		}
		if now.Sub(lastRefresh) >= 500*time.Millisecond {
			_ = refresh()
			lastRefresh = now
		}
		for float64(beacons) < elapsed.Seconds()*beaconRate {
			k := beacons
			beacons++
			bi := k % n
			e := entropy.Load()
			local := []byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)}
			// Stamped at its scheduled time, not when the ticker got to it:
			// a hotspot's beacons are n/beaconRate apart and so in
			// distinct interval buckets even when the generator lags.
			at := start.Add(time.Duration(float64(k) / beaconRate * float64(time.Second)))
			b := gateway.BuildBeacon(fleet[bi].Key.Private, *e, local, plan, int(pp.Params.PayloadSize), 27, at)
			wts := at.Add(50 * time.Millisecond)
			mu.Lock()
			sents = append(sents, sent{id: b.ID(), witnesses: wpb, tsNs: wts.UnixNano()})
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				err := deliverers[bi].PublishBeacon(pctx, b)
				fail(err)
				if err == nil {
					mu.Lock()
					sents[k].acceptedNs = time.Now().UnixNano()
					mu.Unlock()
				}
				for j := 1; j <= wpb; j++ {
					wi := (bi + j) % n
					w := gateway.BuildWitness(fleet[wi].Key.Private, b, -1000, 50, b.FrequencyHz, wts)
					fail(gossip[wi%hosts].PublishRawWitness(pctx, wire.SealWitness(w, fleet[wi].Key.Private)))
				}
			}()
		}
	}
	wg.Wait()
	pubDur := time.Since(start)
	genCores := (processCPU() - cpuAtStart).Seconds() / pubDur.Seconds()
	stopProfile()
	res := result{Hotspots: n, WitnessesPerBeacon: wpb, TargetRate: rate, DurationS: duration.Seconds(), Beacons: len(sents),
		Witnesses: len(sents) * wpb, PublishRate: float64(len(sents)*wpb) / pubDur.Seconds(), Flooded: int(flooded.Load()),
		GeneratorCores: genCores}
	logf("published %d beacons, %d witness reports (%d publish errors), using %.2f cores; waiting for inclusion", res.Beacons, res.Witnesses, errs.Load(), genCores)
	if e := first.Load(); e != nil {
		logf("first publish error: %v", *e)
	}

	// Look every beacon up until all are judged (a PoC is open, without its
	// witness verdicts, for close_grace_ms after its relay) or nothing new
	// is judged for 60 s.
	close(stopWatch)
	<-watchDone
	ids := make([][32]byte, len(sents))
	for i, s := range sents {
		ids[i] = s.id
	}
	lastProgress := time.Now()
	for len(found) < len(sents) && time.Since(lastProgress) < 60*time.Second {
		before := len(found)
		lookUp(ids)
		if len(found) > before {
			lastProgress = time.Now()
		}
		if len(found) < len(sents) {
			time.Sleep(time.Second)
		}
	}
	blockTimes := map[int64]time.Time{}
	blockTime := func(h int64) (time.Time, error) {
		if t, ok := blockTimes[h]; ok {
			return t, nil
		}
		b, err := cmtservice.NewServiceClient(conn).GetBlockByHeight(ctx, &cmtservice.GetBlockByHeightRequest{Height: h},
			grpc.MaxCallRecvMsgSize(256<<20)) // blocks under load exceed gRPC's 4 MiB default
		if err != nil {
			return time.Time{}, err
		}
		blockTimes[h] = b.SdkBlock.Header.Time
		return blockTimes[h], nil
	}
	var lat, firstFifth, lastFifth []float64
	var last time.Time
	warm := start.Add(steadyWarmup)
	end := start.Add(duration)
	perBlock := map[int64]int{} // witnesses included, by height, in the steady window
	for _, s := range sents {
		r := found[s.id]
		if s.acceptedNs == 0 {
			res.BeaconsRefused++
		}
		if r == nil {
			res.Lost += s.witnesses
			if s.acceptedNs != 0 {
				res.LostOfAccepted += s.witnesses
			}
			continue
		}
		res.BeaconsIncluded++
		res.WitnessesIncluded += len(r.Witnesses)
		res.Lost += s.witnesses - len(r.Witnesses)
		if s.acceptedNs != 0 {
			res.LostOfAccepted += s.witnesses - len(r.Witnesses)
		}
		from := time.Unix(0, max(s.tsNs, s.acceptedNs))
		// Included: the block that carried the relay and opened the PoC
		// (one relayer here); it is judged close_grace_ms later.
		t, err := blockTime(r.Poc.OpenedHeight)
		if err != nil {
			return err
		}
		if !t.Before(warm) && t.Before(end) {
			perBlock[r.Poc.OpenedHeight] += len(r.Witnesses)
		}
		if t.After(last) {
			last = t
		}
		frac := time.Unix(0, s.tsNs).Sub(start).Seconds() / duration.Seconds()
		for range r.Witnesses {
			l := t.Sub(from).Seconds()
			lat = append(lat, l)
			if frac < 0.2 {
				firstFifth = append(firstFifth, l)
			} else if frac >= 0.8 {
				lastFifth = append(lastFifth, l)
			}
		}
	}
	sort.Float64s(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	res.P50S, res.P99S, res.MaxS = pct(0.50), pct(0.99), pct(1)
	median := func(xs []float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		sort.Float64s(xs)
		return xs[len(xs)/2]
	}
	res.P50FirstFifthS, res.P50LastFifthS = median(firstFifth), median(lastFifth)
	res.LastInclusionS = last.Sub(start).Seconds()
	if len(perBlock) > 0 {
		first, last, steady := int64(math.MaxInt64), int64(0), 0
		for h, n := range perBlock {
			first, last, steady = min(first, h), max(last, h), steady+n
		}
		t0, err := blockTime(first - 1)
		if err != nil {
			return err
		}
		t1, err := blockTime(last)
		if err != nil {
			return err
		}
		res.SteadyFromS = t0.Sub(start).Seconds()
		res.SteadyRate = float64(steady) / t1.Sub(t0).Seconds()
	}
	res.Ed25519VerifyUs, res.Ed25519CoresPerSec = verifyUs, verifyCapacity
	res.EfficiencyPct = 100 * res.SteadyRate / verifyCapacity
	if res.LastInclusionS > 0 {
		res.IncludedRate = float64(res.WitnessesIncluded) / res.LastInclusionS
	}
	logf("efficiency: steady %.0f included witness reports/s = %.1f %% of %.0f bare ed25519 verifications/s (%.1f µs each)",
		res.SteadyRate, res.EfficiencyPct, verifyCapacity, verifyUs)
	bz, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(bz))
	if out != "" {
		if err := os.WriteFile(out, bz, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// floodReports publishes, at rate per second for duration, sealed witness
// reports signed by the flooder's registered key that name beacons nobody
// holds: each passes decoding, the signature-free checks and the registry,
// then may wait for its beacon, the costliest path a registered hotspot
// can make ingest take without being penalised.
func floodReports(ctx context.Context, p *gateway.Publisher, priv ed25519.PrivateKey, rate float64, duration time.Duration, n *atomic.Int64) {
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	sentN := 0
	for now := range tick.C {
		if now.Sub(start) >= duration {
			return
		}
		for float64(sentN) < now.Sub(start).Seconds()*rate {
			sentN++
			payload := make([]byte, 51)
			_, _ = rand.Read(payload)
			w := verify.Witness{Pubkey: priv.Public().(ed25519.PublicKey), Payload: payload, RSSIDdbm: -1000, SNRDdb: 50,
				FrequencyHz: 904_300_000, DataRate: "SF9BW125", TimestampNs: now.UnixNano()}
			w.Signature = ed25519.Sign(priv, w.SignBytes())
			if p.PublishRawWitness(ctx, wire.SealWitness(w, priv)) == nil {
				n.Add(1)
			}
		}
	}
}

// ed25519Capacity verifies one signature over a witness-sized message in a
// loop on every core for d: the microseconds one verification takes and
// the verifications per second all cores together do.
func ed25519Capacity(d time.Duration) (us, perSec float64) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	msg := make([]byte, 120)
	sig := ed25519.Sign(priv, msg)
	cores := runtime.GOMAXPROCS(0)
	counts := make([]int, cores)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range cores {
		wg.Go(func() {
			for time.Since(start) < d {
				for range 100 {
					if !ed25519.Verify(pub, msg, sig) {
						panic("ed25519 self-check failed")
					}
				}
				counts[c] += 100
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	total := 0
	for _, n := range counts {
		total += n
	}
	perSec = float64(total) / elapsed
	return 1e6 * float64(cores) / perSec, perSec
}
