package keeper_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"

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
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/pocnet/pocd/x/hotspot"
	"github.com/pocnet/pocd/x/hotspot/keeper"
	"github.com/pocnet/pocd/x/hotspot/types"
)

const (
	testChainID = "pocd-test"
	prefix      = "hnt"
)

// fakePool stands in for x/distribution: it records what each account paid
// into the community pool and can refuse (insufficient funds).
type fakePool struct {
	paid    map[string]sdk.Coins
	balance map[string]sdk.Coins
}

func (p *fakePool) FundCommunityPool(_ context.Context, amount sdk.Coins, sender sdk.AccAddress) error {
	key := sender.String()
	bal := p.balance[key]
	left, neg := bal.SafeSub(amount...)
	if neg {
		return sdkerrors.ErrInsufficientFunds.Wrapf("%s < %s", bal, amount)
	}
	p.balance[key] = left
	p.paid[key] = p.paid[key].Add(amount...)
	return nil
}

// fakeBlocked stands in for the bank's blocked addresses: the module
// accounts the app blocks (see app.BlockedAddresses).
type fakeBlocked map[string]bool

func (b fakeBlocked) BlockedAddr(addr sdk.AccAddress) bool { return b[string(addr)] }

func blockedModuleAccounts() fakeBlocked {
	b := fakeBlocked{}
	for _, name := range []string{authtypes.FeeCollectorName, "distribution", "bonded_tokens_pool", "not_bonded_tokens_pool", "rewards"} {
		b[string(authtypes.NewModuleAddress(name))] = true
	}
	return b
}

type fixture struct {
	ctx   sdk.Context
	k     *keeper.Keeper
	msgs  types.MsgServer
	query types.QueryServer
	pool  *fakePool
	owner string
	other string
	gov   string
}

func bech32(b []byte) string {
	s, err := authcodec.NewBech32Codec(prefix).BytesToString(b)
	if err != nil {
		panic(err)
	}
	return s
}

func setup(t testing.TB) *fixture {
	t.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	tctx := testutil.DefaultContextWithDB(t, key, storetypes.NewTransientStoreKey("transient_test"))
	enc := moduletestutil.MakeTestEncodingConfig(hotspot.AppModule{})
	pool := &fakePool{paid: map[string]sdk.Coins{}, balance: map[string]sdk.Coins{}}
	gov := bech32(authtypes.NewModuleAddress(govtypes.ModuleName))
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), authcodec.NewBech32Codec(prefix), pool, gov).
		WithBlockedAddrs(blockedModuleAccounts())
	ctx := tctx.Ctx.WithChainID(testChainID).WithBlockHeight(7)
	require.NoError(t, k.InitGenesis(ctx, *types.DefaultGenesis()))
	f := &fixture{
		ctx: ctx, k: k, msgs: keeper.NewMsgServerImpl(k), query: keeper.NewQueryServerImpl(k), pool: pool,
		owner: bech32([]byte("owner_______________")), other: bech32([]byte("other_______________")), gov: gov,
	}
	rich := sdk.NewCoins(sdk.NewCoin(types.BondDenom, sdkmath.NewInt(1_000_0000_0000)))
	pool.balance[sdk.AccAddress([]byte("owner_______________")).String()] = rich
	pool.balance[sdk.AccAddress([]byte("other_______________")).String()] = rich
	return f
}

// hotspotKey is a deterministic test key.
func hotspotKey(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(seed))
	return ed25519.NewKeyFromSeed(s[:])
}

func pub(k ed25519.PrivateKey) []byte { return []byte(k.Public().(ed25519.PublicKey)) }

func (f *fixture) addMsg(k ed25519.PrivateKey, owner string, mode types.HotspotMode) *types.MsgAddHotspot {
	return &types.MsgAddHotspot{
		Owner: owner, HotspotPubkey: pub(k), Mode: mode,
		HotspotSignature: ed25519.Sign(k, types.AddHotspotSignBytes(testChainID, owner, pub(k), mode)),
	}
}

func (f *fixture) add(t *testing.T, seed string) string {
	t.Helper()
	res, err := f.msgs.AddHotspot(f.ctx, f.addMsg(hotspotKey(seed), f.owner, types.HOTSPOT_MODE_FULL))
	require.NoError(t, err)
	return res.Address
}

// snapshot captures everything a rejected message must leave untouched.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	return fmt.Sprintf("%v|%v|%v", gs.String(), f.pool.paid, f.pool.balance)
}

// res12 cells under the res-9 cell 8928308280fffff (San Francisco), built by
// setting the resolution to 12 and digits 10..12.
func res12(d10, d11, d12 uint64) string {
	v := uint64(0x8928308280fffff)
	v = v&^(uint64(0xF)<<52) | 12<<52
	for r, d := range map[int]uint64{10: d10, 11: d11, 12: d12} {
		v = v&^(uint64(7)<<(uint(15-r)*3)) | d<<(uint(15-r)*3)
	}
	return fmt.Sprintf("%x", v)
}
