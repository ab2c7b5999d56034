package keeper_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authcodec "github.com/cosmos/cosmos-sdk/x/auth/codec"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/pocnet/pocd/x/hotspot"
	hotspotkeeper "github.com/pocnet/pocd/x/hotspot/keeper"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc"
	"github.com/pocnet/pocd/x/poc/keeper"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

const chainID = "pocd-test"

type noFees struct{}

func (noFees) FundCommunityPool(context.Context, sdk.Coins, sdk.AccAddress) error { return nil }

type fakeEpochs struct{ epoch int64 }

func (f *fakeEpochs) GetEpochInfo(_ sdk.Context, id string) (epochstypes.EpochInfo, error) {
	if id != types.DefaultEpochIdentifier {
		return epochstypes.EpochInfo{}, fmt.Errorf("no epoch %s", id)
	}
	return epochstypes.EpochInfo{Identifier: id, CurrentEpoch: f.epoch}, nil
}

// fakeStaking: the validators listed are bonded.
type fakeStaking struct{ bonded map[string]bool }

func (s *fakeStaking) GetValidator(_ context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error) {
	op := valBech(addr)
	b, ok := s.bonded[op]
	if !ok {
		return stakingtypes.Validator{}, stakingtypes.ErrNoValidatorFound
	}
	v := stakingtypes.Validator{OperatorAddress: op, Status: stakingtypes.Unbonded}
	if b {
		v.Status = stakingtypes.Bonded
	}
	return v, nil
}

func valBech(b []byte) string {
	s, _ := authcodec.NewBech32Codec("hntvaloper").BytesToString(b)
	return s
}

type fixture struct {
	ctx     sdk.Context
	hk      *hotspotkeeper.Keeper
	k       *keeper.Keeper
	msgs    types.MsgServer
	query   types.QueryServer
	hmsgs   hotspottypes.MsgServer
	epochs  *fakeEpochs
	owner   string
	gov     string
	relayer string
	// operator signs for the validator the relayer relays for.
	operator string
	staking  *fakeStaking
	pkey     *storetypes.KVStoreKey
	keys     map[string]ed25519.PrivateKey
	entropy  []byte
}

func bech(b []byte) string {
	s, _ := authcodec.NewBech32Codec("hnt").BytesToString(b)
	return s
}

const (
	entropyHeight = 100
	entropyMs     = 1_700_000_000_000
	beaconMs      = entropyMs + 10_000
	nowMs         = beaconMs + 60_000
	sfLat, sfLng  = 37.7749, -122.4194
)

func setup(t testing.TB) *fixture {
	t.Helper()
	hkey, pkey := storetypes.NewKVStoreKey(hotspottypes.StoreKey), storetypes.NewKVStoreKey(types.StoreKey)
	ctx := testutil.DefaultContextWithKeys(map[string]*storetypes.KVStoreKey{"h": hkey, "p": pkey}, nil, nil)
	enc := moduletestutil.MakeTestEncodingConfig(hotspot.AppModule{}, poc.AppModule{})
	gov := bech(authtypes.NewModuleAddress(govtypes.ModuleName))
	ac := authcodec.NewBech32Codec("hnt")
	hk := hotspotkeeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(hkey), ac, noFees{}, gov)
	ep := &fakeEpochs{epoch: 1}
	st := &fakeStaking{bonded: map[string]bool{}}
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(pkey), ac, authcodec.NewBech32Codec("hntvaloper"), hk, ep, st, gov)
	ctx = ctx.WithChainID(chainID).WithBlockHeight(entropyHeight).WithBlockTime(time.UnixMilli(entropyMs)).WithEventManager(sdk.NewEventManager())

	hp := hotspottypes.DefaultParams()
	hp.OnboardingFee, hp.LocationFee = sdk.NewCoins(), sdk.NewCoins()
	hgs := hotspottypes.DefaultGenesis()
	hgs.Params = hp
	require.NoError(t, hk.InitGenesis(ctx, *hgs))
	require.NoError(t, k.InitGenesis(ctx, *types.DefaultGenesis()))

	f := &fixture{ctx: ctx, hk: hk, k: k, msgs: keeper.NewMsgServerImpl(k), query: keeper.NewQueryServerImpl(k),
		hmsgs: hotspotkeeper.NewMsgServerImpl(hk), epochs: ep, owner: bech([]byte("owner_______________")), gov: gov,
		relayer: bech([]byte("relayer_____________")), operator: bech([]byte("operator____________")), staking: st, pkey: pkey,
		keys: map[string]ed25519.PrivateKey{}}
	// The entropy block: BeginBlock records its hash.
	h := sha256.Sum256([]byte("block 100"))
	f.entropy = h[:]
	require.NoError(t, k.BeginBlock(ctx.WithHeaderHash(f.entropy)))
	f.ctx = ctx.WithBlockHeight(entropyHeight + 5).WithBlockTime(time.UnixMilli(nowMs))
	f.registerRelayer(t, f.operator, f.relayer)
	return f
}

// registerRelayer bonds the operator's validator and registers relayer for it.
func (f *fixture) registerRelayer(t testing.TB, operator, relayer string) {
	t.Helper()
	op, err := authcodec.NewBech32Codec("hnt").StringToBytes(operator)
	require.NoError(t, err)
	f.staking.bonded[valBech(op)] = true
	_, err = f.msgs.RegisterRelayer(f.ctx, &types.MsgRegisterRelayer{Operator: operator, Relayer: relayer})
	require.NoError(t, err)
}

// closeDue moves to a block after every open PoC's close time and runs
// EndBlock, which judges them. (A PoC closes at most close_grace_ms after
// the block that opened it.)
func (f *fixture) closeDue(t testing.TB) {
	t.Helper()
	p, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	f.ctx = f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).
		WithBlockTime(f.ctx.BlockTime().Add(time.Duration(p.CloseGraceMs+1) * time.Millisecond)).
		WithHeaderHash([]byte(fmt.Sprintf("block %d", f.ctx.BlockHeight()+1)))
	require.NoError(t, f.k.EndBlock(f.ctx))
}

// judge relays msg, closes it and returns the judged record.
func (f *fixture) judge(t testing.TB, msg *types.MsgSubmitPoc) types.PocRecord {
	t.Helper()
	res, err := f.msgs.SubmitPoc(f.ctx, msg)
	require.NoError(t, err)
	f.closeDue(t)
	rec, err := f.k.Pocs.Get(f.ctx, res.BeaconId)
	require.NoError(t, err)
	return rec
}

func cellAt(t testing.TB, km, bearingDeg float64) string {
	const R = 6371.007180918475
	la, lo, br, d := sfLat*math.Pi/180, sfLng*math.Pi/180, bearingDeg*math.Pi/180, km/R
	la2 := math.Asin(math.Sin(la)*math.Cos(d) + math.Cos(la)*math.Sin(d)*math.Cos(br))
	lo2 := lo + math.Atan2(math.Sin(br)*math.Sin(d)*math.Cos(la), math.Cos(d)-math.Sin(la)*math.Sin(la2))
	c, err := h3.LatLngToCell(h3.NewLatLng(la2*180/math.Pi, lo2*180/math.Pi), 12)
	require.NoError(t, err)
	return c.String()
}

// hotspot registers and asserts a hotspot and returns its address.
func (f *fixture) hotspot(t testing.TB, name, cell string) string {
	t.Helper()
	seed := sha256.Sum256([]byte(name))
	key := ed25519.NewKeyFromSeed(seed[:])
	f.keys[name] = key
	pub := []byte(key.Public().(ed25519.PublicKey))
	res, err := f.hmsgs.AddHotspot(f.ctx, &hotspottypes.MsgAddHotspot{
		Owner: f.owner, HotspotPubkey: pub, Mode: hotspottypes.HOTSPOT_MODE_FULL,
		HotspotSignature: ed25519.Sign(key, hotspottypes.AddHotspotSignBytes(chainID, f.owner, pub, hotspottypes.HOTSPOT_MODE_FULL)),
	})
	require.NoError(t, err)
	_, err = f.hmsgs.AssertLocation(f.ctx, &hotspottypes.MsgAssertLocation{Owner: f.owner, Hotspot: res.Address, Location: cell, Gain: 12, Region: "US915"})
	require.NoError(t, err)
	return res.Address
}

// seasoned gives hotspots recent beacons and witnesses (reciprocity passes).
func (f *fixture) seasoned(t testing.TB, addrs ...string) {
	for _, a := range addrs {
		require.NoError(t, f.k.Activity.Set(f.ctx, a, types.HotspotActivity{Hotspot: a, LastWitnessMs: nowMs - 1000, LastBeaconMs: nowMs - 1000}))
	}
}

func (f *fixture) pub(name string) []byte { return []byte(f.keys[name].Public().(ed25519.PublicKey)) }

func (f *fixture) beacon(name string, local byte) *verify.Beacon {
	plan := hotspottypes.DefaultRegionPlans()[0]
	le := []byte{local, 2, 3, 4}
	payload := verify.BeaconPayload(f.entropy, f.pub(name), le, 51)
	b := &verify.Beacon{
		Pubkey: f.pub(name), EntropyHeight: entropyHeight, EntropyHash: f.entropy, LocalEntropy: le, Payload: payload,
		FrequencyHz: plan.ChannelFrequenciesHz[verify.BeaconChannel(payload, len(plan.ChannelFrequenciesHz))],
		DataRate:    plan.DataRate, TxPowerDBm: 27, TimestampNs: beaconMs * 1e6,
	}
	b.Signature = ed25519.Sign(f.keys[name], b.SignBytes())
	return b
}

func (f *fixture) witness(name string, b *verify.Beacon, lagMs int64, rssi int32) verify.Witness {
	w := verify.Witness{Pubkey: f.pub(name), Payload: b.Payload, RSSIDdbm: rssi, SNRDdb: 60,
		FrequencyHz: b.FrequencyHz, DataRate: b.DataRate, TimestampNs: (beaconMs + lagMs) * 1e6}
	w.Signature = ed25519.Sign(f.keys[name], w.SignBytes())
	return w
}

func (f *fixture) msg(b *verify.Beacon, ws ...verify.Witness) *types.MsgSubmitPoc {
	m := &types.MsgSubmitPoc{Relayer: f.relayer, Beacon: types.BeaconFromVerify(b)}
	for _, w := range ws {
		m.Witnesses = append(m.Witnesses, types.WitnessFromVerify(w))
	}
	return m
}

func (f *fixture) snapshot(t *testing.T) string {
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	return gs.String()
}

func names(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

// endBlocks runs n more blocks' EndBlock (PoC closing and maintenance).
// staleBeacons moves the block time past the relay bound of every beacon
// stamped until now (twice the entropy lifespan): only then may pruning
// delete their records.
func (f *fixture) staleBeacons(t testing.TB) {
	t.Helper()
	p, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	f.ctx = f.ctx.WithBlockTime(f.ctx.BlockTime().Add(time.Duration(2*p.EntropyLifespanMs+1) * time.Millisecond))
}

func (f *fixture) endBlocks(t testing.TB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		f.ctx = f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).WithBlockTime(f.ctx.BlockTime().Add(time.Second))
		require.NoError(t, f.k.EndBlock(f.ctx))
	}
}

// typedEvents parses the typed events of type T in ctx's event manager.
func typedEvents[T proto.Message](t testing.TB, ctx sdk.Context) []T {
	t.Helper()
	var out []T
	for _, ev := range ctx.EventManager().Events().ToABCIEvents() {
		msg, err := sdk.ParseTypedEvent(ev)
		if err != nil {
			continue // not a typed event
		}
		if m, ok := msg.(T); ok {
			out = append(out, m)
		}
	}
	return out
}
