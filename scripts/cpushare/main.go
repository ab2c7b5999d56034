// Command cpushare splits a CPU profile of a load run into the parts of the
// pipeline a witness report passes through, and prints each as a share of
// the profile, in cores and in CPU per report (docs/benchmarks.md, "The CPU
// targets on this machine: what stands in the way"):
//
//	PROFILE=1 RATE=2000 DURATION=120s make load
//	go run ./scripts/cpushare -rate 1982 .loadnet/node.pprof
//	go run ./scripts/cpushare -rate 1999 -parts generator .loadnet/generator.pprof
//
// A sample counts once, in the first part (in the order listed) any of its
// frames matches, so the parts add up to the whole profile. GC assists run
// on the allocating goroutine, so they count in the stage that allocated;
// only the collector's background marking is a part of its own.
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/google/pprof/profile"
)

type part struct {
	name string
	re   *regexp.Regexp
}

func parts(spec [][2]string) []part {
	ps := make([]part, len(spec))
	for i, s := range spec {
		ps[i] = part{s[0], regexp.MustCompile(s[1])}
	}
	return ps
}

// nodeParts follow a report through pocd: admission on receipt, the relay
// transaction's CheckTx, its execution in a block, the PoC's close in a
// later block's EndBlock, and what runs beside them. GC's background
// marking comes first: it runs on its own goroutines and is charged to no
// stage.
var nodeParts = parts([][2]string{
	{"GC (background marking)", `^runtime\.gcBgMarkWorker`},
	{"block execution: commit (IAVL save, pebble write)", `\(\*BaseApp\)\.Commit$`},
	{"block execution: EndBlock (closing PoCs: judging, storing verdicts, events)", `\(\*BaseApp\)\.endBlock$`},
	{"block execution: app hash (IAVL working hash)", `\(\*BaseApp\)\.workingHash$`},
	{"block execution: relay transactions (DeliverTx)", `\(\*BaseApp\)\.deliverTx$|executeTxsWithExecutor`},
	{"block execution: CometBFT (block store, state, events, tx index)", `\(\*BlockExecutor\)\.(applyBlock|ApplyVerifiedBlock)|txindex|IndexerService|\(\*EventBus\)`},
	{"ingest admission: ed25519 (seal and report signatures)", `^crypto/ed25519\.Verify`},
	{"ingest admission: the rest (decoding, lookups, the queue's write)", `ingest\.\(\*Admission\)|pubsubValidator`},
	{"CheckTx of relay transactions", `BroadcastTx|CheckTx`},
	{"relayer (building and signing relays, reading the queue)", `ingest\.\(\*Relayer\)`},
	{"gRPC queries (the relayer's RecordedPocs, ingest's lookups)", `grpc\.\(\*Server\)`},
	{"ingest queue (badger: writes, compactions)", `badger`},
	{"application database compactions (pebble)", `pebble`},
	{"CometBFT's stores (goleveldb compactions)", `goleveldb`},
	{"libp2p and gossipsub (streams, routing, receipt)", `libp2p|yamux|multistream`},
	{"consensus, p2p and RPC (CometBFT)", `cometbft`},
	{"runtime (sweeping, scheduler, unattributed)", `^runtime\.`},
})

// generatorParts are scripts/loadtest's: it signs each report twice (the
// seal and the report) and each beacon once, and gossips the reports.
var generatorParts = parts([][2]string{
	{"GC (background marking)", `^runtime\.gcBgMarkWorker`},
	{"ed25519 signing (seals, reports, beacons)", `^crypto/ed25519\.Sign`},
	{"libp2p and gossipsub (publishing)", `libp2p|yamux|multistream`},
	{"gRPC (looking beacons up)", `grpc`},
	{"runtime (sweeping, scheduler, unattributed)", `^runtime\.`},
})

func main() {
	rate := flag.Float64("rate", 0, "witness reports per second over the profile (the run's steady rate), for CPU per report")
	which := flag.String("parts", "node", "node (pocd) or generator (scripts/loadtest)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: cpushare [-rate R] [-parts node|generator] cpu.pprof")
		os.Exit(2)
	}
	ps, ok := map[string][]part{"node": nodeParts, "generator": generatorParts}[*which]
	if !ok {
		fmt.Fprintf(os.Stderr, "cpushare: -parts %q: node or generator\n", *which)
		os.Exit(2)
	}
	if err := run(flag.Arg(0), ps, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "cpushare:", err)
		os.Exit(1)
	}
}

func run(path string, ps []part, rate float64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return err
	}
	cpu := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			cpu = i
		}
	}
	if cpu < 0 {
		return fmt.Errorf("%s is not a CPU profile", path)
	}
	shares := make([]int64, len(ps)+1) // the last one: other
	var total int64
	for _, s := range p.Sample {
		v := s.Value[cpu]
		total += v
		shares[partOf(s, ps)] += v
	}
	dur := time.Duration(p.DurationNanos).Seconds()
	if total == 0 {
		return fmt.Errorf("%s holds no samples", path)
	}
	if dur == 0 {
		return fmt.Errorf("%s records no duration", path)
	}
	fmt.Printf("%s: %.1f s of CPU over %.0f s: %.2f cores", path, float64(total)/1e9, dur, float64(total)/1e9/dur)
	if rate > 0 {
		fmt.Printf(", %.0f µs per report at %.0f/s", float64(total)/1e3/dur/rate, rate)
	}
	fmt.Println()
	fmt.Println("| part | share | cores | per report |")
	fmt.Println("|---|---|---|---|")
	for i, v := range shares {
		name := "other"
		if i < len(ps) {
			name = ps[i].name
		}
		perReport := "—"
		if rate > 0 {
			perReport = fmt.Sprintf("%.0f µs", float64(v)/1e3/dur/rate)
		}
		fmt.Printf("| %s | %.1f %% | %.3f | %s |\n", name, 100*float64(v)/float64(total), float64(v)/1e9/dur, perReport)
	}
	return nil
}

// partOf is the first part any frame of s matches (len(ps): none).
func partOf(s *profile.Sample, ps []part) int {
	for i, pt := range ps {
		for _, loc := range s.Location {
			for _, ln := range loc.Line {
				if ln.Function != nil && pt.re.MatchString(ln.Function.Name) {
					return i
				}
			}
		}
	}
	return len(ps)
}
