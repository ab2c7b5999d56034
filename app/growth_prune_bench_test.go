package app_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"

	"github.com/pocnet/pocd/sim"
)

// BenchmarkPrune measures pruning block by block: two epochs of PoC
// records (14 witnesses each, the records a judged PoC leaves: the PoC, its
// witness verdicts, the witnessed index, the beaconer and height indexes)
// written straight into the real app's store on pebble, then the older
// epoch's pruned prune_per_block entries a block, each block on a fresh
// cache of the committed store and committed after it. The older epoch's
// records are judged at height 1 and the newer's at a height the chain
// never reaches, so only the older's fall due.
//
//	go test ./app -run '^$' -bench 'Prune/pocs=100000$' -benchtime 1x -timeout 1h
func BenchmarkPrune(b *testing.B) {
	for _, pocs := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("pocs=%d", pocs), func(b *testing.B) {
			for range b.N {
				blocks, worst, perEntry, entries := prune(b, pocs)
				b.ReportMetric(float64(blocks), "blocks")
				b.ReportMetric(worst, "worst-block-ms")
				b.ReportMetric(perEntry, "us/entry")
				b.ReportMetric(float64(entries), "entries")
			}
		})
	}
}

func prune(b *testing.B, pocs int) (blocks int, worstMs, usPerEntry float64, entries int) {
	b.StopTimer()
	const witnesses = 14
	c := newGrowthChain(b)
	// Hotspot addresses, as many as the PoCs' witnesses could be.
	addrs := make([]string, 10_000)
	for i := range addrs {
		a, err := hotspottypes.HotspotAddress(sim.SeedPubkey(i))
		require.NoError(b, err)
		addrs[i] = a
	}
	k := c.a.PocKeeper
	seq := uint64(0)
	const perBlock = 10_000
	judgedAt := [2]int64{1, math.MaxInt32}
	for epoch := int64(0); epoch < 2; epoch++ {
		for from := 0; from < pocs; from += perBlock {
			c.block(b, func(ctx sdk.Context) error {
				for i := from; i < min(pocs, from+perBlock); i++ {
					seq++
					id := sha256.Sum256(binary.BigEndian.AppendUint64(nil, seq))
					beaconer := addrs[int(seq)%len(addrs)]
					rec := poctypes.PocRecord{
						BeaconId: id[:], Seq: seq, Beaconer: beaconer, EntropyHeight: 10, EntropyHash: id[:], TimestampNs: 1_700_000_000_000_000_000,
						FrequencyHz: 904_300_000, TxPowerDbm: 27, Reason: poctypes.REASON_VALID, RewardUnit: 10_000, HexScale: 10_000,
						Epoch: epoch, Height: judgedAt[epoch], WitnessReports: witnesses, Selected: witnesses, Relayer: acct("relayer"), OpenedHeight: 19,
						SelectionSeed: id[:],
					}
					require.NoError(b, k.Pocs.Set(ctx, id[:], rec))
					require.NoError(b, k.PocsByBeaconer.Set(ctx, collections.Join(beaconer, seq), id[:]))
					require.NoError(b, k.PocsByHeight.Set(ctx, collections.Join(judgedAt[epoch], id[:])))
					for w := 1; w <= witnesses; w++ {
						witness := addrs[(int(seq)+w*37)%len(addrs)]
						require.NoError(b, k.Witnesses.Set(ctx, collections.Join3(beaconer, seq, witness), poctypes.WitnessRecord{
							BeaconId: id[:], Seq: seq, Beaconer: beaconer, Witness: witness, Reason: poctypes.REASON_VALID,
							RssiDdbm: -1100, SnrDdb: 60, FrequencyHz: 904_300_000, DistanceM: 3000, MaxRssiUdbm: -62_000_000,
							Selected: true, RewardUnit: 10_000, TimestampNs: 1_700_000_000_100_000_000, Height: 20,
						}))
						require.NoError(b, k.Witnessed.Set(ctx, collections.Join3(witness, seq, beaconer)))
					}
				}
				return nil
			})
		}
	}
	c.block(b, func(ctx sdk.Context) error {
		p, err := k.Params.Get(ctx)
		if err != nil {
			return err
		}
		p.RecordRetentionBlocks = 1
		return k.Params.Set(ctx, p)
	})
	epoch0Left := func(ctx sdk.Context) bool {
		it, err := k.PocsByHeight.Iterate(ctx, collections.NewPrefixedPairRange[int64, []byte](judgedAt[0]))
		require.NoError(b, err)
		defer it.Close()
		return it.Valid()
	}
	var total time.Duration
	b.StartTimer()
	for left := true; left; {
		d := c.block(b, func(ctx sdk.Context) error {
			if err := k.RunMaintenance(ctx); err != nil {
				return err
			}
			left = epoch0Left(ctx)
			return nil
		})
		blocks++
		total += d
		worstMs = math.Max(worstMs, ms(d))
		require.Less(b, blocks, pocs, "pruning never ends")
	}
	b.StopTimer()
	entries = pocs * (witnesses*2 + 3)
	return blocks, worstMs, float64(total.Microseconds()) / float64(entries), entries
}
