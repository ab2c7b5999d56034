package app_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"cosmossdk.io/collections"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/app/pebbledb"
	"github.com/pocnet/pocd/sim"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// growthPoint is one size's figures (docs/benchmarks.md, "Growth").
type growthPoint struct {
	Hotspots int `json:"hotspots"`
	// Logical bytes (keys and values) x/hotspot keeps per hotspot: the
	// record and its owner, cell, name and region index entries.
	HotspotStateBytes float64 `json:"hotspot_state_bytes_per_hotspot"`
	SeedS             float64 `json:"seed_s"`
	// A normal block's work on the same state: the block relaying 50
	// PoCs of 14 witnesses and the block closing them.
	NormalRelayMs float64 `json:"normal_relay_block_ms"`
	NormalCloseMs float64 `json:"normal_close_block_ms"`
	// The hex-density rebuild: its worst block, and by the stage a block
	// starts in (a block may go on into the next stage), the walk of the
	// activity records, the roll-up (sum and judge, resolution by
	// resolution, ending in the switch of generations) and the clearing
	// of the old generation; blocks and the worst block of each.
	HexWorstMs       float64 `json:"hex_worst_block_ms"`
	HexWalkBlocks    int     `json:"hex_walk_blocks"`
	HexWalkWorstMs   float64 `json:"hex_walk_worst_block_ms"`
	HexRollupBlocks  int     `json:"hex_rollup_blocks"`
	HexRollupWorstMs float64 `json:"hex_rollup_worst_block_ms"`
	HexClearBlocks   int     `json:"hex_clear_blocks"`
	HexClearWorstMs  float64 `json:"hex_clear_worst_block_ms"`
	HexAllocMB       float64 `json:"hex_alloc_mb"`
	// Settlement and the payout that follows it.
	SettleMs        float64 `json:"settle_block_ms"`
	PayoutBlocks    int     `json:"payout_blocks"`
	PayoutWorstMs   float64 `json:"payout_worst_block_ms"`
	PayoutAllocMB   float64 `json:"payout_alloc_mb"`
	GenesisExportMs float64 `json:"genesis_export_ms"`
	GenesisImportMs float64 `json:"genesis_import_ms"`
	GenesisBytes    int     `json:"genesis_json_bytes"`
	GenesisAllocMB  float64 `json:"genesis_alloc_mb"`
	HeapAfterSeedMB float64 `json:"heap_after_seed_mb"`
	// HeapAfterBlocksMB is the live heap after the payout, once the hex
	// walk and the payout have read every hotspot: IAVL's node caches as
	// full as the state lets them be (GROWTH_IAVL_CACHE sizes them).
	HeapAfterBlocksMB float64 `json:"heap_after_blocks_mb"`
	// PeakRSSMB is the benchmark process's peak resident memory so far
	// (VmHWM), pebble's block cache included: sizes run one at a time.
	PeakRSSMB         float64 `json:"peak_rss_mb,omitempty"`
	CommitAfterSeedMs float64 `json:"commit_after_seed_ms"`
}

// BenchmarkGrowth seeds the real app's stores with N asserted hotspots,
// each with an activity record inside the hex activity window and reward
// shares in one epoch, written straight through the keepers' collections
// (the handlers' path costs a signature and a fee per hotspot and would
// take hours at a million), commits them to IAVL, then runs block by block
// what grows with N: the hex-density rebuild (StartHexRebuild, then
// RunMaintenance each block until it is swapped in), settlement and payout
// (x/rewards' epoch hook, then EndBlock each block until the epoch is paid)
// and a genesis export and import of x/hotspot and x/poc. Each block runs on
// a fresh cache of the committed store, which is committed after it, as a
// node does. One iteration per size: -benchtime 1x.
//
//	go test ./app -run '^$' -bench 'Growth/hotspots=(10000|100000)$' -benchtime 1x -timeout 2h
//	GROWTH_OUT=build/growth.json ... writes the figures of the sizes run for
//	scripts/growthplot (docs/growth.json merges one file per size).
func BenchmarkGrowth(b *testing.B) {
	var points []growthPoint
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("hotspots=%d", n), func(b *testing.B) {
			for range b.N {
				p := growth(b, n)
				p.PeakRSSMB = peakRSSMB(b)
				b.ReportMetric(p.PeakRSSMB, "peak-rss-MB")
				b.ReportMetric(p.HeapAfterBlocksMB, "heap-after-blocks-MB")
				b.ReportMetric(p.HotspotStateBytes, "state-B/hotspot")
				b.ReportMetric(p.NormalRelayMs+p.NormalCloseMs, "normal-ms")
				b.ReportMetric(p.HexWorstMs, "hex-worst-ms")
				b.ReportMetric(p.HexWalkWorstMs, "hex-walk-worst-ms")
				b.ReportMetric(p.HexRollupWorstMs, "hex-rollup-worst-ms")
				b.ReportMetric(p.HexClearWorstMs, "hex-clear-worst-ms")
				b.ReportMetric(p.SettleMs, "settle-ms")
				b.ReportMetric(p.PayoutWorstMs, "payout-worst-ms")
				b.ReportMetric(float64(p.PayoutBlocks), "payout-blocks")
				b.ReportMetric(p.GenesisExportMs, "export-ms")
				b.ReportMetric(p.GenesisImportMs, "import-ms")
				points = append(points, p)
			}
		})
	}
	if out := os.Getenv("GROWTH_OUT"); out != "" && len(points) > 0 {
		bz, err := json.MarshalIndent(points, "", "  ")
		require.NoError(b, err)
		require.NoError(b, os.WriteFile(out, bz, 0o644))
	}
}

// nodeApp is the app on pebble with the node's IAVL settings (fast index
// off, the SDK's default node cache; GROWTH_IAVL_CACHE overrides the cache
// in nodes) and pebble's block cache (pebbledb.DefaultCacheBytes;
// GROWTH_PEBBLE_CACHE_MB overrides it): a memory database would keep every
// tree node on the Go heap, and the collector scanning it would dominate
// the figures.
func nodeApp(b *testing.B) *app.App {
	cacheMB := envInt(b, "GROWTH_PEBBLE_CACHE_MB", pebbledb.DefaultCacheBytes>>20) // the node's app-db.pebble-cache-mb
	db, err := pebbledb.Open("application", b.TempDir(), int64(cacheMB)<<20)
	require.NoError(b, err)
	cacheNodes := envInt(b, "GROWTH_IAVL_CACHE", 781_250) // the node's iavl-cache-size (the SDK's app.toml default)
	a := app.New(log.NewNopLogger(), db, true, simtestutil.NewAppOptionsWithFlagHome(b.TempDir()),
		append([]func(*baseapp.BaseApp){baseapp.SetIAVLCacheSize(cacheNodes)}, nodeDefaults...)...)
	b.Cleanup(func() { _ = a.Close() })
	return a
}

// envInt is the integer in an environment variable, or def when it is unset.
func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(b, err, name)
	return n
}

// growthChain is the real app and its committed height.
type growthChain struct {
	a      *app.App
	height int64
	t0     time.Time
}

// newGrowthChain is the node app at height 1 with the default genesis
// (no validators: the benchmarks run blocks by hand, without consensus).
func newGrowthChain(b *testing.B) *growthChain {
	c := &growthChain{a: nodeApp(b), t0: time.Unix(1_700_000_000, 0)}
	c.block(b, func(ctx sdk.Context) error {
		_, err := c.a.ModuleManager.InitGenesis(ctx, c.a.AppCodec(), c.a.DefaultGenesis())
		require.ErrorContains(b, err, "validator set is empty after InitGenesis")
		return nil
	})
	return c
}

// block runs f on a cache of the committed store as block h+1 and commits
// it, returning f's time (the commit is not counted: it is the node's
// cost for any block, measured once after the seed).
func (c *growthChain) block(b *testing.B, f func(ctx sdk.Context) error) time.Duration {
	c.height++
	cms := c.a.CommitMultiStore()
	cache := cms.CacheMultiStore()
	ctx := sdk.NewContext(cache, cmtproto.Header{ChainID: wiringChainID, Height: c.height,
		Time: c.t0.Add(time.Duration(c.height) * time.Second)}, false, log.NewNopLogger()).WithEventManager(sdk.NewEventManager())
	start := time.Now()
	require.NoError(b, f(ctx))
	d := time.Since(start)
	cache.Write()
	cms.Commit()
	return d
}

func allocMB(f func()) float64 {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	f()
	runtime.ReadMemStats(&m1)
	return float64(m1.TotalAlloc-m0.TotalAlloc) / (1 << 20)
}

// liveHeapMB is the heap in use right after a collection.
func liveHeapMB() float64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// peakRSSMB reads the process's peak resident set (VmHWM) from /proc.
func peakRSSMB(b *testing.B) float64 {
	bz, err := os.ReadFile("/proc/self/status")
	require.NoError(b, err)
	for _, line := range strings.Split(string(bz), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			kb, err := strconv.Atoi(f[1])
			require.NoError(b, err)
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func growth(b *testing.B, n int) growthPoint {
	b.StopTimer()
	p := growthPoint{Hotspots: n}
	c := newGrowthChain(b)

	// The seed: hotspots four to a res-12 cell, laid out by sim.SeedCells.
	cells, centres, err := sim.SeedCells(n)
	require.NoError(b, err)
	start := time.Now()
	const epoch = 1
	// 100,000 hotspots a block: one block of a million would hold every
	// write in its cache at once.
	const seedPerBlock = 100_000
	var total poctypes.RewardShares
	for from := 0; from < n; from += seedPerBlock {
		c.block(b, func(ctx sdk.Context) error {
			nowMs := ctx.BlockTime().UnixMilli()
			for i := from; i < min(n, from+seedPerBlock); i++ {
				pub := sim.SeedPubkey(i)
				addr, err := hotspottypes.HotspotAddress(pub)
				require.NoError(b, err)
				ci := i % len(cells)
				h := hotspottypes.Hotspot{
					Address: addr, Name: hotspottypes.HotspotName(pub), Owner: acct(fmt.Sprintf("owner %d", i%max(1, n/5))), Pubkey: pub,
					Mode: hotspottypes.HOTSPOT_MODE_FULL, Location: h3.Cell(cells[ci]).String(), LocationCenter: centres[ci],
					Gain: 12, Elevation: 5, Region: "US915", LocationNonce: 1, AddedHeight: 2, AssertedHeight: 2,
				}
				require.NoError(b, c.a.HotspotKeeper.Hotspots.Set(ctx, addr, h))
				require.NoError(b, c.a.PocKeeper.Activity.Set(ctx, addr, poctypes.HotspotActivity{
					Hotspot: addr, LastWitnessMs: nowMs - 1000, LastBeaconMs: nowMs - 2000, LastWitnessedBeaconMs: nowMs - 2000,
				}))
				s := poctypes.RewardShares{Hotspot: addr, Epoch: epoch, BeaconShares: uint64(2500 * (1 + i%4)), WitnessShares: uint64(10000 * (i % 7))}
				require.NoError(b, c.a.PocKeeper.Shares.Set(ctx, collections.Join(int64(epoch), addr), s))
				total.BeaconShares += s.BeaconShares
				total.WitnessShares += s.WitnessShares
			}
			return c.a.PocKeeper.EpochTotals.Set(ctx, epoch, total)
		})
	}
	p.SeedS = time.Since(start).Seconds()
	p.CommitAfterSeedMs = ms(c.block(b, func(sdk.Context) error { return nil })) // an empty block after the seed
	p.HeapAfterSeedMB = liveHeapMB()

	// Logical bytes of x/hotspot per hotspot.
	st := c.a.CommitMultiStore().GetKVStore(c.a.GetKey(hotspottypes.StoreKey))
	it := st.Iterator(nil, nil)
	var bytes int
	for ; it.Valid(); it.Next() {
		bytes += len(it.Key()) + len(it.Value())
	}
	require.NoError(b, it.Close())
	p.HotspotStateBytes = float64(bytes) / float64(n)

	// A normal block on this state, for the budgeted blocks to be held to.
	relay, closing := c.normalBlock(b, len(cells))
	p.NormalRelayMs, p.NormalCloseMs = ms(relay), ms(closing)

	b.StartTimer()
	// The hex-density rebuild, block by block until it is over: the new
	// counts switched in and the old ones cleared. A first rebuild, not
	// measured, leaves the counts a second one replaces, as on a chain
	// past its first epoch.
	rebuild := func(epoch int64, blockDone func(stage poctypes.HexRebuildStage, d time.Duration)) {
		c.block(b, func(ctx sdk.Context) error { return c.a.PocKeeper.StartHexRebuild(ctx, epoch) })
		for done, blocks := false, 0; !done; blocks++ {
			var stage poctypes.HexRebuildStage
			d := c.block(b, func(ctx sdk.Context) error {
				r, err := c.a.PocKeeper.HexRebuild.Get(ctx)
				require.NoError(b, err, "the rebuild is in progress")
				stage = r.Stage
				if err := c.a.PocKeeper.RunMaintenance(ctx); err != nil {
					return err
				}
				busy, err := c.a.PocKeeper.HexRebuild.Has(ctx)
				done = !busy
				return err
			})
			blockDone(stage, d)
			require.Less(b, blocks, 10*n, "the rebuild never ends")
		}
	}
	b.StopTimer()
	rebuild(epoch-1, func(poctypes.HexRebuildStage, time.Duration) {})
	b.StartTimer()
	p.HexAllocMB = allocMB(func() {
		rebuild(epoch, func(stage poctypes.HexRebuildStage, d time.Duration) {
			p.HexWorstMs = math.Max(p.HexWorstMs, ms(d))
			switch stage {
			case poctypes.HEX_REBUILD_STAGE_WALK:
				p.HexWalkBlocks++
				p.HexWalkWorstMs = math.Max(p.HexWalkWorstMs, ms(d))
			case poctypes.HEX_REBUILD_STAGE_CLEAR:
				p.HexClearBlocks++
				p.HexClearWorstMs = math.Max(p.HexClearWorstMs, ms(d))
			default:
				p.HexRollupBlocks++
				p.HexRollupWorstMs = math.Max(p.HexRollupWorstMs, ms(d))
			}
		})
	})

	// Settlement, then payout blocks until the epoch is paid.
	p.PayoutAllocMB = allocMB(func() {
		p.SettleMs = ms(c.block(b, func(ctx sdk.Context) error {
			return c.a.RewardsKeeper.Hooks().AfterEpochEnd(ctx, poctypes.DefaultEpochIdentifier, epoch)
		}))
		for paid := false; !paid; {
			d := c.block(b, func(ctx sdk.Context) error {
				if err := c.a.RewardsKeeper.EndBlock(ctx); err != nil {
					return err
				}
				er, err := c.a.RewardsKeeper.EpochRewards.Get(ctx, epoch)
				paid = er.PaidOut
				return err
			})
			p.PayoutBlocks++
			p.PayoutWorstMs = math.Max(p.PayoutWorstMs, ms(d))
			require.Less(b, p.PayoutBlocks, n+10, "payout never ends")
		}
	})

	p.HeapAfterBlocksMB = liveHeapMB()
	// The block figures, before the export and import that may take the
	// machine's memory (a million hotspots with a 4,000,000-node cache was
	// stopped there at 22.5 GB resident, and its figures were lost).
	fmt.Fprintf(os.Stderr, "growth, %d hotspots, after the blocks: %+v\n", n, p) // not b.Logf: a benchmark's log is printed only when it ends

	// Genesis export of x/hotspot and x/poc, and import into a fresh app
	// (GROWTH_SKIP_IMPORT=1 leaves the import out: a million hotspots'
	// peaked at 22.4 GB resident).
	var hs *hotspottypes.GenesisState
	var pg *poctypes.GenesisState
	p.GenesisAllocMB = allocMB(func() {
		d := c.block(b, func(ctx sdk.Context) error {
			var err error
			if hs, err = c.a.HotspotKeeper.ExportGenesis(ctx); err != nil {
				return err
			}
			pg, err = c.a.PocKeeper.ExportGenesis(ctx)
			return err
		})
		p.GenesisExportMs = ms(d)
		hj, err := c.a.AppCodec().MarshalJSON(hs)
		require.NoError(b, err)
		pj, err := c.a.AppCodec().MarshalJSON(pg)
		require.NoError(b, err)
		p.GenesisBytes = len(hj) + len(pj)
		require.Len(b, hs.Hotspots, n)
		if os.Getenv("GROWTH_SKIP_IMPORT") == "1" {
			return
		}
		// The import is the module manager's, from JSON, with the two
		// modules' exports in an otherwise default genesis.
		fresh := &growthChain{a: nodeApp(b), t0: c.t0}
		gen := fresh.a.DefaultGenesis()
		gen[hotspottypes.ModuleName], gen[poctypes.ModuleName] = hj, pj
		p.GenesisImportMs = ms(fresh.block(b, func(ctx sdk.Context) error {
			_, err := fresh.a.ModuleManager.InitGenesis(ctx, fresh.a.AppCodec(), gen)
			require.ErrorContains(b, err, "validator set is empty after InitGenesis")
			return nil
		}))
		n, err := fresh.a.HotspotKeeper.Hotspots.Iterate(sdk.NewContext(fresh.a.CommitMultiStore().CacheMultiStore(), cmtproto.Header{}, false, log.NewNopLogger()), nil)
		require.NoError(b, err)
		keys, err := n.Keys()
		require.NoError(b, err)
		require.Len(b, keys, len(hs.Hotspots), "every hotspot imported")
	})
	b.StopTimer()
	return p
}
