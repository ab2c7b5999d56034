package keeper_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authcodec "github.com/cosmos/cosmos-sdk/x/auth/codec"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/rewards"
	"github.com/pocnet/pocd/x/rewards/keeper"
	"github.com/pocnet/pocd/x/rewards/types"
)

const denom = "bones"

var moduleAddr = authtypes.NewModuleAddress(types.ModuleName)

// fakeBank keeps balances by account string; module accounts by module name.
type fakeBank struct {
	bal      map[string]sdkmath.Int
	supply   sdkmath.Int
	failMint error
	// blocked are the addresses the bank refuses to send to (module
	// accounts), as the real bank's SendCoinsFromModuleToAccount does.
	blocked map[string]bool
	// onSend, when set, runs before a send to an account and can refuse it.
	onSend func(ctx context.Context, to sdk.AccAddress) error
}

func (b *fakeBank) get(k string) sdkmath.Int {
	if v, ok := b.bal[k]; ok {
		return v
	}
	return sdkmath.ZeroInt()
}

func (b *fakeBank) move(from, to string, amt sdk.Coins) error {
	a := amt.AmountOf(denom)
	if b.get(from).LT(a) {
		return sdkerrors.ErrInsufficientFunds.Wrapf("%s has %s, needs %s", from, b.get(from), a)
	}
	b.bal[from] = b.get(from).Sub(a)
	b.bal[to] = b.get(to).Add(a)
	return nil
}

var errPanic = errors.New("panic please")

func (b *fakeBank) MintCoins(_ context.Context, m string, amt sdk.Coins) error {
	if b.failMint == errPanic {
		panic("module account rewards does not exist")
	}
	if b.failMint != nil {
		return b.failMint
	}
	b.bal[m] = b.get(m).Add(amt.AmountOf(denom))
	b.supply = b.supply.Add(amt.AmountOf(denom))
	return nil
}
func (b *fakeBank) SendCoinsFromModuleToAccount(ctx context.Context, m string, to sdk.AccAddress, amt sdk.Coins) error {
	if b.blocked[to.String()] {
		return sdkerrors.ErrUnauthorized.Wrapf("%s is not allowed to receive funds", to)
	}
	if b.onSend != nil {
		if err := b.onSend(ctx, to); err != nil {
			return err
		}
	}
	return b.move(m, to.String(), amt)
}
func (b *fakeBank) SendCoinsFromModuleToModule(_ context.Context, from, to string, amt sdk.Coins) error {
	return b.move(from, to, amt)
}
func (b *fakeBank) GetSupply(context.Context, string) sdk.Coin { return sdk.NewCoin(denom, b.supply) }

type fakeAccounts struct{ created map[string]bool }

func (a *fakeAccounts) GetModuleAccount(_ context.Context, name string) sdk.ModuleAccountI {
	a.created[name] = true
	return authtypes.NewEmptyModuleAccount(name, authtypes.Minter)
}

type fakePool struct{ bank *fakeBank }

func (p fakePool) FundCommunityPool(_ context.Context, amt sdk.Coins, sender sdk.AccAddress) error {
	from := sender.String()
	if sender.Equals(moduleAddr) {
		from = types.ModuleName
	}
	return p.bank.move(from, "community", amt)
}

type fakePoc struct {
	shares map[int64]map[string]poctypes.RewardShares
}

func (p *fakePoc) EpochShareTotals(_ context.Context, e int64) (poctypes.RewardShares, error) {
	t := poctypes.RewardShares{Epoch: e}
	for _, s := range p.shares[e] {
		t.BeaconShares += s.BeaconShares
		t.WitnessShares += s.WitnessShares
	}
	return t, nil
}
func (p *fakePoc) SharesAfter(_ context.Context, e int64, after string, limit int) ([]poctypes.RewardShares, error) {
	var keys []string
	for h := range p.shares[e] {
		if h > after {
			keys = append(keys, h)
		}
	}
	sort.Strings(keys)
	var out []poctypes.RewardShares
	for _, h := range keys {
		if len(out) == limit {
			break
		}
		out = append(out, p.shares[e][h])
	}
	return out, nil
}
func (p *fakePoc) HotspotShares(_ context.Context, e int64, h string) (poctypes.RewardShares, error) {
	if s, ok := p.shares[e][h]; ok {
		return s, nil
	}
	return poctypes.RewardShares{Hotspot: h, Epoch: e}, nil
}

type fakeHotspots struct{ owner map[string]string }

func (f *fakeHotspots) GetHotspot(_ context.Context, id string) (hotspottypes.Hotspot, error) {
	o, ok := f.owner[id]
	if !ok {
		return hotspottypes.Hotspot{}, hotspottypes.ErrHotspotNotFound
	}
	return hotspottypes.Hotspot{Address: id, Owner: o}, nil
}
func (f *fakeHotspots) HotspotsOf(_ context.Context, owner sdk.AccAddress) ([]string, error) {
	var out []string
	for h, o := range f.owner {
		if o == owner.String() {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out, nil
}

type fakeEpochs struct{ d time.Duration }

func (f fakeEpochs) GetEpochInfo(_ sdk.Context, id string) (epochstypes.EpochInfo, error) {
	if id != "poc" {
		return epochstypes.EpochInfo{}, errors.New("no such epoch")
	}
	return epochstypes.EpochInfo{Identifier: id, Duration: f.d}, nil
}

type fixture struct {
	ctx      sdk.Context
	k        *keeper.Keeper
	bank     *fakeBank
	poc      *fakePoc
	hotspots *fakeHotspots
	query    types.QueryServer
}

func addr(s string) string { return sdk.AccAddress([]byte(s + "____________________")[:20]).String() }

func setup(t *testing.T) *fixture {
	t.Helper()
	sdk.GetConfig() // default prefixes: the fakes use sdk.AccAddress.String()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	ctx := testutil.DefaultContextWithDB(t, key, storetypes.NewTransientStoreKey("t")).Ctx.WithBlockHeight(10).WithEventManager(sdk.NewEventManager())
	enc := moduletestutil.MakeTestEncodingConfig(rewards.AppModule{})
	bank := &fakeBank{bal: map[string]sdkmath.Int{}, supply: sdkmath.NewInt(1_000_000_000_000)}
	poc := &fakePoc{shares: map[int64]map[string]poctypes.RewardShares{}}
	hs := &fakeHotspots{owner: map[string]string{}}
	ac := authcodec.NewBech32Codec(sdk.GetConfig().GetBech32AccountAddrPrefix())
	accounts := &fakeAccounts{created: map[string]bool{}}
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), ac, moduleAddr, denom, authtypes.FeeCollectorName, accounts,
		bank, fakePool{bank}, poc, hs, fakeEpochs{d: 10 * time.Second}, authtypes.NewModuleAddress(govtypes.ModuleName).String())
	require.NoError(t, k.InitGenesis(ctx, *types.DefaultGenesis()))
	require.True(t, accounts.created[types.ModuleName], "genesis creates the module account")
	return &fixture{ctx: ctx, k: k, bank: bank, poc: poc, hotspots: hs, query: keeper.NewQueryServerImpl(k)}
}

func (f *fixture) share(epoch int64, hotspot, owner string, beacon, witness uint64) {
	if f.poc.shares[epoch] == nil {
		f.poc.shares[epoch] = map[string]poctypes.RewardShares{}
	}
	f.poc.shares[epoch][hotspot] = poctypes.RewardShares{Hotspot: hotspot, Epoch: epoch, BeaconShares: beacon, WitnessShares: witness}
	f.hotspots.owner[hotspot] = owner
}

func (f *fixture) invariants(t *testing.T) {
	t.Helper()
	require.NoError(t, f.k.CheckInvariants(f.ctx, f.bank.get(types.ModuleName)))
}

func (f *fixture) endEpoch(t *testing.T, epoch int64) {
	t.Helper()
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, "poc", epoch))
	f.invariants(t)
}
