// querybench measures the hotspot queries apps make most, through gRPC on a
// real node whose genesis holds N hotspots (docs/benchmarks.md, "Growth").
//
//	go run ./scripts/querybench seed -genesis HOME/config/genesis.json -hotspots 100000
//	go run ./scripts/querybench measure -grpc 127.0.0.1:9090 -genesis HOME/config/genesis.json -out result.json
//
// seed writes the hotspots into x/hotspot's genesis: asserted, four to a
// res-12 cell (a distinct cell per hotspot costs a big-float cell centre
// each), the cells about 1 km apart on lines of longitude as
// app/growth_bench_test.go lays them; owners hold five each, except one
// fleet owner with a tenth of them all (Helium's largest owners held tens of
// thousands). measure times pages of 100 (the default page size apps use):
// Hotspots by owner (a five-hotspot owner and the fleet owner), by region,
// and HotspotsInCell at res 4, 8 and 12, each over queries cycling through
// the hotspots' cells and owners.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/uber/h3-go/v4"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/cosmos/cosmos-sdk/types/query"
	authcodec "github.com/cosmos/cosmos-sdk/x/auth/codec"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/sim"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: querybench seed|measure [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	genesis := fs.String("genesis", "", "genesis.json (seed: edited in place; measure: read for the seeded owners and cells)")
	n := fs.Int("hotspots", 10_000, "hotspots to seed")
	grpcAddr := fs.String("grpc", "127.0.0.1:9090", "the node's gRPC address")
	queries := fs.Int("queries", 200, "queries of each kind")
	out := fs.String("out", "", "write the result as JSON here too")
	_ = fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(*genesis, *n)
	case "measure":
		err = measure(*genesis, *grpcAddr, *queries, *out)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "querybench:", err)
		os.Exit(1)
	}
}

const region = "US915"

// The fleet owner holds every tenth hotspot; the rest are owned five to an
// owner, in seed order (i/10+1 fleet hotspots come before or at i).
func ownerOf(i int) []byte {
	if i%10 == 0 {
		return acct("fleet owner")
	}
	return acct(fmt.Sprintf("owner %d", (i-i/10-1)/5))
}

func acct(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:20]
}

func seed(path string, n int) error {
	enc := params.MakeClientEncoding()
	bz, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var gen map[string]json.RawMessage
	if err := json.Unmarshal(bz, &gen); err != nil {
		return err
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(gen["app_state"], &state); err != nil {
		return err
	}
	var gs hotspottypes.GenesisState
	if err := enc.Codec.UnmarshalJSON(state[hotspottypes.ModuleName], &gs); err != nil {
		return err
	}
	cells, centres, err := sim.SeedCells(n)
	if err != nil {
		return err
	}
	ac := authcodec.NewBech32Codec(params.Bech32Prefix)
	gs.Hotspots = make([]hotspottypes.Hotspot, 0, n)
	for i := range n {
		pub := sim.SeedPubkey(i)
		addr, err := hotspottypes.HotspotAddress(pub)
		if err != nil {
			return err
		}
		owner, err := ac.BytesToString(ownerOf(i))
		if err != nil {
			return err
		}
		ci := i % len(cells)
		gs.Hotspots = append(gs.Hotspots, hotspottypes.Hotspot{
			Address: addr, Name: hotspottypes.HotspotName(pub), Owner: owner, Pubkey: pub,
			Mode: hotspottypes.HOTSPOT_MODE_FULL, Location: h3.Cell(cells[ci]).String(), LocationCenter: centres[ci],
			Gain: 12, Elevation: 5, Region: region, LocationNonce: 1, AddedHeight: 1, AssertedHeight: 1,
		})
	}
	// Exported genesis lists hotspots sorted by address; import expects no order, but keep it.
	slices.SortFunc(gs.Hotspots, func(a, b hotspottypes.Hotspot) int { return compare(a.Address, b.Address) })
	if state[hotspottypes.ModuleName], err = enc.Codec.MarshalJSON(&gs); err != nil {
		return err
	}
	if gen["app_state"], err = json.Marshal(state); err != nil {
		return err
	}
	bz, err = json.Marshal(gen)
	if err != nil {
		return err
	}
	return os.WriteFile(path, bz, 0o600)
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

type latency struct {
	Query   string  `json:"query"`
	Queries int     `json:"queries"`
	Results float64 `json:"mean_results"`
	P50Ms   float64 `json:"p50_ms"`
	P99Ms   float64 `json:"p99_ms"`
	MaxMs   float64 `json:"max_ms"`
}

type result struct {
	Hotspots  int       `json:"hotspots"`
	Latencies []latency `json:"latencies"`
}

func measure(path, grpcAddr string, queries int, out string) error {
	enc := params.MakeClientEncoding()
	bz, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var gen struct {
		AppState map[string]json.RawMessage `json:"app_state"`
	}
	if err := json.Unmarshal(bz, &gen); err != nil {
		return err
	}
	var gs hotspottypes.GenesisState
	if err := enc.Codec.UnmarshalJSON(gen.AppState[hotspottypes.ModuleName], &gs); err != nil {
		return err
	}
	if len(gs.Hotspots) == 0 {
		return fmt.Errorf("%s holds no hotspots: run seed first", path)
	}
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	q := hotspottypes.NewQueryClient(conn)
	ctx := context.Background()
	page := &query.PageRequest{Limit: 100}
	ac := authcodec.NewBech32Codec(params.Bech32Prefix)
	fleet, err := ac.BytesToString(acct("fleet owner"))
	if err != nil {
		return err
	}
	// The hotspots queried, spread over the whole seed; each kind of query
	// takes its own (kind*queries + k), so no kind finds the tree nodes
	// another kind read still cached.
	pick := func(k int) hotspottypes.Hotspot { return gs.Hotspots[(k*7919)%len(gs.Hotspots)] }
	smallOwner := func(k int) string {
		for j := k; ; j++ {
			if h := pick(j); h.Owner != fleet {
				return h.Owner
			}
		}
	}
	cellAt := func(k, res int) string {
		c := h3.Cell(h3.IndexFromString(pick(k).Location))
		p, err := c.Parent(res)
		if err != nil {
			panic(err)
		}
		return p.String()
	}
	// The distinct res-4 cells, in the order the prime stride first meets
	// them: a res-4 cell's first page is the same every time, so each is
	// queried once (cold), and there are fewer of them than queries at
	// 10,000 hotspots.
	var res4 []string
	seen4 := map[string]bool{}
	for k := range len(gs.Hotspots) {
		if c := cellAt(k, 4); !seen4[c] {
			seen4[c] = true
			res4 = append(res4, c)
		}
	}
	kinds := []struct {
		name string
		run  func(k int) (int, error)
		most int // queries at most (0: -queries)
	}{
		{"Hotspots by owner (5 hotspots)", func(k int) (int, error) {
			r, err := q.Hotspots(ctx, &hotspottypes.QueryHotspotsRequest{Owner: smallOwner(k), Pagination: page})
			return len(r.GetHotspots()), err
		}, 0},
		{"Hotspots by owner (fleet: a tenth of all), first page", func(int) (int, error) {
			r, err := q.Hotspots(ctx, &hotspottypes.QueryHotspotsRequest{Owner: fleet, Pagination: page})
			return len(r.GetHotspots()), err
		}, 0},
		{"Hotspots by region, first page", func(int) (int, error) {
			r, err := q.Hotspots(ctx, &hotspottypes.QueryHotspotsRequest{Region: region, Pagination: page})
			return len(r.GetHotspots()), err
		}, 0},
		{"Hotspots, all, first page", func(int) (int, error) {
			r, err := q.Hotspots(ctx, &hotspottypes.QueryHotspotsRequest{Pagination: page})
			return len(r.GetHotspots()), err
		}, 0},
		{"HotspotsInCell res 12", func(k int) (int, error) {
			r, err := q.HotspotsInCell(ctx, &hotspottypes.QueryHotspotsInCellRequest{Cell: cellAt(k, 12), Pagination: page})
			return len(r.GetHotspots()), err
		}, 0},
		{"HotspotsInCell res 8", func(k int) (int, error) {
			r, err := q.HotspotsInCell(ctx, &hotspottypes.QueryHotspotsInCellRequest{Cell: cellAt(k, 8), Pagination: page})
			return len(r.GetHotspots()), err
		}, 0},
		{"HotspotsInCell res 4, first page, each cell once", func(k int) (int, error) {
			r, err := q.HotspotsInCell(ctx, &hotspottypes.QueryHotspotsInCellRequest{Cell: res4[k%len(res4)], Pagination: page})
			return len(r.GetHotspots()), err
		}, len(res4)},
		{"Hotspot by address", func(k int) (int, error) {
			_, err := q.Hotspot(ctx, &hotspottypes.QueryHotspotRequest{Id: pick(k).Address})
			return 1, err
		}, 0},
	}
	res := result{Hotspots: len(gs.Hotspots)}
	for ki, kind := range kinds {
		n := queries
		if kind.most > 0 {
			n = min(queries, kind.most)
		}
		ds := make([]time.Duration, 0, n)
		total := 0
		for k := range n {
			t0 := time.Now()
			got, err := kind.run(ki*queries + k)
			ds = append(ds, time.Since(t0))
			if err != nil {
				return fmt.Errorf("%s: %w", kind.name, err)
			}
			total += got
		}
		slices.Sort(ds)
		l := latency{Query: kind.name, Queries: n, Results: float64(total) / float64(n),
			P50Ms: msOf(ds[len(ds)/2]), P99Ms: msOf(ds[len(ds)*99/100]), MaxMs: msOf(ds[len(ds)-1])}
		res.Latencies = append(res.Latencies, l)
		fmt.Printf("%-55s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%.1f results)\n", l.Query, l.P50Ms, l.P99Ms, l.MaxMs, l.Results)
	}
	if out != "" {
		bz, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(out, bz, 0o644)
	}
	return nil
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
