package keeper_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	"github.com/cosmos/cosmos-sdk/x/auth"
	authcodec "github.com/cosmos/cosmos-sdk/x/auth/codec"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/bank"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/rewards"
	"github.com/pocnet/pocd/x/rewards/keeper"
	"github.com/pocnet/pocd/x/rewards/types"
)

// bankPool funds the community pool through the real bank keeper.
type bankPool struct{ bk bankkeeper.BaseKeeper }

func (p bankPool) FundCommunityPool(ctx context.Context, amt sdk.Coins, sender sdk.AccAddress) error {
	return p.bk.SendCoinsFromAccountToModule(ctx, sender, authtypes.FeeCollectorName, amt)
}

// BenchmarkSettlementBlock100k measures what the settlement block does with
// 100,000 rewarded hotspots — settle (mint, split) and pay the first batch
// of payout_batch_size owners — against the real auth and bank keepers on an
// IAVL store. Share and owner lookups use in-memory maps (x/poc's are a
// store range read; see BenchmarkSubmitPoc14Witnesses for store costs).
func BenchmarkSettlementBlock100k(b *testing.B) {
	const hotspots = 100_000
	for _, batch := range []uint32{500, 1000, 2000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f := realBankFixture(b, hotspots, batch)
				b.StartTimer()
				if err := f.k.Hooks().AfterEpochEnd(f.ctx, "poc", 1); err != nil {
					b.Fatal(err)
				}
				if err := f.k.EndBlock(f.ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if er, _ := f.k.EpochRewards.Get(f.ctx, 1); er.Paid.IsZero() {
					b.Fatal("nothing paid")
				}
			}
		})
	}
}

func realBankFixture(b *testing.B, hotspots int, batch uint32) *fixture {
	keys := storetypes.NewKVStoreKeys(authtypes.StoreKey, banktypes.StoreKey, types.StoreKey)
	ctx := testutil.DefaultContextWithKeys(keys, nil, nil).WithBlockHeight(10).WithBlockTime(time.Unix(1_700_000_000, 0)).WithEventManager(sdk.NewEventManager())
	enc := moduletestutil.MakeTestEncodingConfig(auth.AppModule{}, bank.AppModule{}, rewards.AppModule{})
	ac := authcodec.NewBech32Codec("hnt")
	gov, _ := ac.BytesToString(authtypes.NewModuleAddress(govtypes.ModuleName))
	ak := authkeeper.NewAccountKeeper(enc.Codec, runtime.NewKVStoreService(keys[authtypes.StoreKey]), authtypes.ProtoBaseAccount,
		map[string][]string{authtypes.FeeCollectorName: nil, types.ModuleName: {authtypes.Minter}}, ac, "hnt", gov)
	bk := bankkeeper.NewBaseKeeper(enc.Codec, runtime.NewKVStoreService(keys[banktypes.StoreKey]), ak, map[string]bool{}, gov, log.NewNopLogger())
	poc := &fakePoc{shares: map[int64]map[string]poctypes.RewardShares{1: {}}}
	hs := &fakeHotspots{owner: map[string]string{}}
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(keys[types.StoreKey]), ac, authtypes.NewModuleAddress(types.ModuleName),
		denom, authtypes.FeeCollectorName, ak, bk, bankPool{bk}, poc, hs, fakeEpochs{d: 24 * time.Hour}, gov)
	gs := types.DefaultGenesis()
	gs.Params.PayoutBatchSize = batch
	if err := k.InitGenesis(ctx, *gs); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < hotspots; i++ {
		h := fmt.Sprintf("hotspot%06d", i)
		owner, _ := ac.BytesToString([]byte(fmt.Sprintf("owner%015d", i%20_000)))
		poc.shares[1][h] = poctypes.RewardShares{Hotspot: h, Epoch: 1, BeaconShares: uint64(2500 * (1 + i%4)), WitnessShares: uint64(10000 * (i % 7))}
		hs.owner[h] = owner
	}
	return &fixture{ctx: ctx, k: k, poc: poc, hotspots: hs, query: keeper.NewQueryServerImpl(k)}
}
