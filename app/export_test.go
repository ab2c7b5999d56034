package app_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"cosmossdk.io/collections"
	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/cosmos/cosmos-sdk/baseapp"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdked25519 "github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	distrkeeper "github.com/cosmos/cosmos-sdk/x/distribution/keeper"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	"github.com/cosmos/gogoproto/proto"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/app/params"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
	rewardstypes "github.com/pocnet/pocd/x/rewards/types"
)

// chain is a real app driven block by block as CometBFT would: InitChain,
// then FinalizeBlock and Commit per block, with every bonded validator's
// vote in the last commit and a block hash (x/poc records it as entropy).
type chain struct {
	a      *app.App
	id     string
	height int64     // last committed block (0 before the first)
	time   time.Time // its time (the genesis time before the first)
	hashes map[int64][]byte
}

// startChain runs InitChain on a fresh app with the given genesis.
func startChain(t *testing.T, id string, genesisTime time.Time, initialHeight int64, appState json.RawMessage,
	validators []abci.ValidatorUpdate, cp *cmtproto.ConsensusParams,
) *chain {
	t.Helper()
	return startChainOn(t, dbm.NewMemDB(), id, genesisTime, initialHeight, appState, validators, cp)
}

// startChainOn is startChain on a given database, with extra BaseApp options.
func startChainOn(t *testing.T, db dbm.DB, id string, genesisTime time.Time, initialHeight int64, appState json.RawMessage,
	validators []abci.ValidatorUpdate, cp *cmtproto.ConsensusParams, opts ...func(*baseapp.BaseApp),
) *chain {
	t.Helper()
	a := app.New(log.NewNopLogger(), db, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()), append([]func(*baseapp.BaseApp){baseapp.SetChainID(id)}, opts...)...)
	_, err := a.InitChain(&abci.RequestInitChain{
		ChainId: id, Time: genesisTime, InitialHeight: initialHeight, AppStateBytes: appState,
		Validators: validators, ConsensusParams: cp,
	})
	require.NoError(t, err)
	return &chain{a: a, id: id, height: initialHeight - 1, time: genesisTime, hashes: map[int64][]byte{}}
}

// startFromExport starts a chain from an export, as `pocd start` does with
// the genesis `pocd export` wrote (initial height: the export's, 1 for a
// zero-height export).
func startFromExport(t *testing.T, id string, genesisTime time.Time, exp servertypes.ExportedApp) *chain {
	t.Helper()
	vals := make([]abci.ValidatorUpdate, len(exp.Validators))
	for i, v := range exp.Validators {
		vals[i] = cmttypes.TM2PB.NewValidatorUpdate(v.PubKey, v.Power)
	}
	cp := exp.ConsensusParams
	return startChain(t, id, genesisTime, max(exp.Height, 1), exp.AppState, vals, &cp)
}

// ctx reads the committed state.
func (c *chain) ctx() sdk.Context {
	return c.a.NewContextLegacy(true, cmtproto.Header{ChainID: c.id, Height: c.height, Time: c.time})
}

// genesisCtx reads the state InitChain wrote, before the first block commits it.
func (c *chain) genesisCtx() sdk.Context {
	return c.a.NewContextLegacy(false, cmtproto.Header{ChainID: c.id, Height: c.height + 1, Time: c.time})
}

// votes is the last commit: every validator of the last validator set signed.
func (c *chain) votes(t *testing.T) []abci.VoteInfo {
	t.Helper()
	ctx := c.ctx()
	vals, err := c.a.StakingKeeper.GetLastValidators(ctx)
	require.NoError(t, err)
	var votes []abci.VoteInfo
	for _, v := range vals {
		cons, err := v.GetConsAddr()
		require.NoError(t, err)
		votes = append(votes, abci.VoteInfo{
			Validator:   abci.Validator{Address: cons, Power: v.ConsensusPower(sdk.DefaultPowerReduction)},
			BlockIdFlag: cmtproto.BlockIDFlagCommit,
		})
	}
	return votes
}

// block finalizes and commits the next block, dt after the last. setup, if
// given, writes to the block's state before it runs (what its transactions
// would do); it needs a committed block before.
func (c *chain) block(t *testing.T, dt time.Duration, setup func(ctx sdk.Context)) *abci.ResponseFinalizeBlock {
	t.Helper()
	h, tm := c.height+1, c.time.Add(dt)
	var votes []abci.VoteInfo
	var proposer []byte
	if c.a.LastBlockHeight() > 0 {
		votes = c.votes(t)
		proposer = votes[0].Validator.Address
	}
	if setup != nil {
		require.Positive(t, c.a.LastBlockHeight(), "setup needs a committed block: InitChain's state is not committed yet")
		ctx := c.a.NewNextBlockContext(cmtproto.Header{ChainID: c.id, Height: h, Time: tm})
		setup(ctx.WithConsensusParams(c.a.GetConsensusParams(ctx)).WithEventManager(sdk.NewEventManager()))
	}
	hash := sha256.Sum256([]byte(fmt.Sprintf("%s block %d", c.id, h)))
	res, err := c.a.FinalizeBlock(&abci.RequestFinalizeBlock{
		Height: h, Time: tm, Hash: hash[:], ProposerAddress: proposer,
		DecidedLastCommit: abci.CommitInfo{Votes: votes},
	})
	require.NoError(t, err)
	_, err = c.a.Commit()
	require.NoError(t, err)
	c.height, c.time, c.hashes[h] = h, tm, hash[:]
	return res
}

// blocks runs n empty blocks dt apart.
func (c *chain) blocks(t *testing.T, n int, dt time.Duration) {
	t.Helper()
	for range n {
		c.block(t, dt, nil)
	}
}

func (c *chain) epoch(t *testing.T, ctx sdk.Context) epochstypes.EpochInfo {
	t.Helper()
	e, err := c.a.EpochsKeeper.GetEpochInfo(ctx, poctypes.DefaultEpochIdentifier)
	require.NoError(t, err)
	return e
}

func (c *chain) epochRewards(t *testing.T, epoch int64) rewardstypes.EpochRewards {
	t.Helper()
	er, err := c.a.RewardsKeeper.EpochRewards.Get(c.ctx(), epoch)
	require.NoError(t, err, "epoch %d settled", epoch)
	return er
}

func (c *chain) balance(ctx sdk.Context, addr string) sdkmath.Int {
	return c.a.BankKeeper.GetBalance(ctx, sdk.MustAccAddressFromBech32(addr), params.BondDenom).Amount
}

// state is every module's genesis at ctx.
func (c *chain) state(t *testing.T, ctx sdk.Context) map[string]json.RawMessage {
	t.Helper()
	gs, err := c.a.ExportModuleGenesis(ctx, nil)
	require.NoError(t, err)
	return gs
}

func (c *chain) export(t *testing.T, forZeroHeight bool, jailAllowed ...string) servertypes.ExportedApp {
	t.Helper()
	exp, err := c.a.ExportAppStateAndValidators(forZeroHeight, jailAllowed, nil)
	require.NoError(t, err)
	return exp
}

// decode unmarshals a module's genesis.
func decode[T any, PT interface {
	*T
	proto.Message
}](t *testing.T, c *chain, gs map[string]json.RawMessage, module string) PT {
	t.Helper()
	var v T
	require.NoError(t, c.a.AppCodec().UnmarshalJSON(gs[module], PT(&v)), module)
	return &v
}

func (c *chain) json(t *testing.T, m proto.Message) string {
	t.Helper()
	bz, err := c.a.AppCodec().MarshalJSON(m)
	require.NoError(t, err)
	return string(bz)
}

// --- PoC reports ------------------------------------------------------------

func hotspotPub(name string) []byte { return []byte(hotspotKey(name).Public().(ed25519.PublicKey)) }

// signedBeacon is hotspot name's beacon over the entropy block (height,
// hash), stamped ts.
func signedBeacon(name string, height int64, hash []byte, ts time.Time, local byte) *verify.Beacon {
	plan := hotspottypes.DefaultRegionPlans()[0]
	le := []byte{local, 2, 3, 4}
	payload := verify.BeaconPayload(hash, hotspotPub(name), le, 51)
	b := &verify.Beacon{
		Pubkey: hotspotPub(name), EntropyHeight: height, EntropyHash: hash, LocalEntropy: le, Payload: payload,
		FrequencyHz: plan.ChannelFrequenciesHz[verify.BeaconChannel(payload, len(plan.ChannelFrequenciesHz))],
		DataRate:    plan.DataRate, TxPowerDBm: 27, TimestampNs: ts.UnixNano(),
	}
	b.Signature = ed25519.Sign(hotspotKey(name), b.SignBytes())
	return b
}

func signedWitness(name string, b *verify.Beacon, ts time.Time) verify.Witness {
	w := verify.Witness{Pubkey: hotspotPub(name), Payload: b.Payload, RSSIDdbm: -900, SNRDdb: 60,
		FrequencyHz: b.FrequencyHz, DataRate: b.DataRate, TimestampNs: ts.UnixNano()}
	w.Signature = ed25519.Sign(hotspotKey(name), w.SignBytes())
	return w
}

// relayPoc submits a PoC as the registered relayer and returns its beacon id.
func relayPoc(t *testing.T, a *app.App, ctx sdk.Context, relayer string, b *verify.Beacon, ws ...verify.Witness) []byte {
	t.Helper()
	m := &poctypes.MsgSubmitPoc{Relayer: relayer, Beacon: poctypes.BeaconFromVerify(b)}
	for _, w := range ws {
		m.Witnesses = append(m.Witnesses, poctypes.WitnessFromVerify(w))
	}
	deliverMsg(t, a, ctx, m)
	id := b.ID()
	return id[:]
}

func mustValAddr(t *testing.T, addr string) sdk.ValAddress {
	t.Helper()
	v, err := sdk.ValAddressFromBech32(addr)
	require.NoError(t, err)
	return v
}

func cell(t *testing.T, lat, lng float64) string {
	t.Helper()
	c, err := h3.LatLngToCell(h3.NewLatLng(lat, lng), 12)
	require.NoError(t, err)
	return c.String()
}

// --- the chain that is exported ---------------------------------------------

var (
	exportGenesisTime = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	blockTime         = 5 * time.Second
)

const (
	oldChainID = "pocd-old"
	newChainID = "pocd-new"
	bones      = int64(1_000_000_000_000) // 10,000 HNT
)

// oldChain is a chain with two validators (one from genesis, one created by
// a transaction), a delegator with an unbonding delegation and a
// redelegation, a relayer, three hotspots, judged PoCs, an open PoC, epoch
// 1 settled and paid and epoch 2 settled and part paid (payout cursor
// midway), validator rewards and commission accrued.
type oldChain struct {
	*chain
	val1, val2             string // operator addresses
	op1, op2, del, relayer string // accounts
	owners                 map[string]string
	hotspots               []string // a, b, c
	openPoc                []byte
	shares                 map[string][2]uint64 // hotspot -> beacon, witness shares (every epoch)
	undelegatedAt          int64                // height of the unbonding delegation and redelegation
	epoch2EndedAt          int64                // height at which epoch 2 ended (epoch 3 started)
}

func consKey(name string) *sdked25519.PrivKey { return sdked25519.GenPrivKeyFromSecret([]byte(name)) }

// oldGenesis is the default genesis with val1 (unbonded: InitGenesis bonds
// it, so x/slashing has its signing info), funded accounts, no hotspot
// fees and one hotspot paid per block.
func oldGenesis(t *testing.T, o *oldChain) json.RawMessage {
	t.Helper()
	a := newApp(t)
	cdc := a.AppCodec()
	gen := a.DefaultGenesis()

	accs := []authtypes.GenesisAccount{}
	var balances []banktypes.Balance
	supply := sdkmath.ZeroInt()
	for _, addr := range []string{o.op1, o.op2, o.del} {
		accs = append(accs, authtypes.NewBaseAccountWithAddress(sdk.MustAccAddressFromBech32(addr)))
		balances = append(balances, banktypes.Balance{Address: addr, Coins: sdk.NewCoins(sdk.NewInt64Coin(params.BondDenom, bones))})
		supply = supply.AddRaw(bones)
	}
	selfBond := sdkmath.NewInt(bones)
	balances = append(balances, banktypes.Balance{Address: authtypes.NewModuleAddress(stakingtypes.NotBondedPoolName).String(),
		Coins: sdk.NewCoins(sdk.NewCoin(params.BondDenom, selfBond))})
	supply = supply.Add(selfBond)
	gen[authtypes.ModuleName] = cdc.MustMarshalJSON(authtypes.NewGenesisState(authtypes.DefaultParams(), accs))

	var bank banktypes.GenesisState
	cdc.MustUnmarshalJSON(gen[banktypes.ModuleName], &bank)
	bank.Balances = balances
	bank.Supply = sdk.NewCoins(sdk.NewCoin(params.BondDenom, supply))
	gen[banktypes.ModuleName] = cdc.MustMarshalJSON(&bank)

	pk, err := codectypes.NewAnyWithValue(consKey("val1").PubKey())
	require.NoError(t, err)
	var staking stakingtypes.GenesisState
	cdc.MustUnmarshalJSON(gen[stakingtypes.ModuleName], &staking)
	staking.Validators = []stakingtypes.Validator{{
		OperatorAddress: o.val1, ConsensusPubkey: pk, Status: stakingtypes.Unbonded,
		Tokens: selfBond, DelegatorShares: sdkmath.LegacyNewDecFromInt(selfBond),
		Description: stakingtypes.Description{Moniker: "val1"}, UnbondingTime: time.Unix(0, 0).UTC(),
		Commission: stakingtypes.NewCommission(sdkmath.LegacyNewDecWithPrec(1, 1), sdkmath.LegacyNewDecWithPrec(2, 1),
			sdkmath.LegacyNewDecWithPrec(1, 2)),
		MinSelfDelegation: sdkmath.OneInt(),
	}}
	staking.Delegations = []stakingtypes.Delegation{stakingtypes.NewDelegation(o.op1, o.val1, sdkmath.LegacyNewDecFromInt(selfBond))}
	gen[stakingtypes.ModuleName] = cdc.MustMarshalJSON(&staking)

	var hotspot hotspottypes.GenesisState
	cdc.MustUnmarshalJSON(gen[hotspottypes.ModuleName], &hotspot)
	hotspot.Params.OnboardingFee, hotspot.Params.LocationFee = sdk.NewCoins(), sdk.NewCoins()
	gen[hotspottypes.ModuleName] = cdc.MustMarshalJSON(&hotspot)

	var rewards rewardstypes.GenesisState
	cdc.MustUnmarshalJSON(gen[rewardstypes.ModuleName], &rewards)
	rewards.Params.PayoutBatchSize = 1
	gen[rewardstypes.ModuleName] = cdc.MustMarshalJSON(&rewards)

	require.NoError(t, a.BasicModuleManager.ValidateGenesis(cdc, a.TxConfig(), gen))
	bz, err := json.Marshal(gen)
	require.NoError(t, err)
	return bz
}

// oldChainAccounts is an oldChain's operators, validators, delegator and
// relayer, before any chain is started.
func oldChainAccounts() *oldChain {
	params.SetSDKConfig()
	valoper := func(name string) string { return sdk.ValAddress([]byte(name + "____________________")[:20]).String() }
	return &oldChain{
		val1: valoper("op1"), val2: valoper("op2"),
		op1: acct("op1"), op2: acct("op2"), del: acct("delegator"), relayer: acct("relayer"),
		owners: map[string]string{},
		shares: map[string][2]uint64{},
	}
}

func newOldChain(t *testing.T) *oldChain {
	t.Helper()
	o := oldChainAccounts()
	cp := cmttypes.DefaultConsensusParams().ToProto()
	o.chain = startChain(t, oldChainID, exportGenesisTime, 1, oldGenesis(t, o), nil, &cp)
	c := o.chain
	coin := func(n int64) sdk.Coin { return sdk.NewInt64Coin(params.BondDenom, n) }

	c.block(t, blockTime, nil) // 1: the PoC epoch starts
	require.Equal(t, int64(1), c.epoch(t, c.ctx()).CurrentEpoch)

	// 2: val2 is created (bonded in this block's EndBlock), the delegator
	// bonds to val1, val1 registers its relayer, hotspots are onboarded.
	res := c.block(t, blockTime, func(ctx sdk.Context) {
		pk := consKey("val2").PubKey()
		msg, err := stakingtypes.NewMsgCreateValidator(o.val2, pk, coin(bones/2), stakingtypes.Description{Moniker: "val2"},
			stakingtypes.NewCommissionRates(sdkmath.LegacyNewDecWithPrec(5, 2), sdkmath.LegacyNewDecWithPrec(2, 1), sdkmath.LegacyNewDecWithPrec(1, 2)),
			sdkmath.OneInt())
		require.NoError(t, err)
		deliverMsg(t, c.a, ctx, msg)
		deliverMsg(t, c.a, ctx, stakingtypes.NewMsgDelegate(o.del, o.val1, coin(bones*4/10)))
		deliverMsg(t, c.a, ctx, &poctypes.MsgRegisterRelayer{Operator: o.op1, Relayer: o.relayer})
		for i, n := range []string{"a", "b", "c"} {
			owner := acct("owner " + n)
			h := onboard(t, c.a, ctx, "hotspot "+n, owner)
			o.owners[h] = owner
			o.hotspots = append(o.hotspots, h)
			o.shares[h] = [2]uint64{uint64(1000 * (i + 1)), uint64(3000 - 500*i)}
		}
		// a and b are asserted 2 km apart; c never is.
		deliverMsg(t, c.a, ctx, &hotspottypes.MsgAssertLocation{Owner: o.owners[o.hotspots[0]], Hotspot: o.hotspots[0],
			Location: cell(t, 37.7749, -122.4194), Gain: 12, Region: "US915"})
		deliverMsg(t, c.a, ctx, &hotspottypes.MsgAssertLocation{Owner: o.owners[o.hotspots[1]], Hotspot: o.hotspots[1],
			Location: cell(t, 37.7929, -122.4194), Gain: 12, Region: "US915"})
	})
	require.Len(t, res.ValidatorUpdates, 2, "val2 joins the set, val1 gains the delegation")

	// 3: an unbonding delegation and a redelegation; epoch 1's shares.
	o.undelegatedAt = c.height + 1
	c.block(t, blockTime, func(ctx sdk.Context) {
		deliverMsg(t, c.a, ctx, stakingtypes.NewMsgUndelegate(o.del, o.val1, coin(bones/10)))
		deliverMsg(t, c.a, ctx, stakingtypes.NewMsgBeginRedelegate(o.del, o.val1, o.val2, coin(bones/10)))
		for _, h := range o.hotspots {
			addShares(t, c.a, ctx, 1, h, o.shares[h][0], o.shares[h][1])
		}
	})

	// 4-6: a PoC relayed over block 4's entropy, judged when it closes.
	c.block(t, blockTime, nil)
	eh, et := c.height, c.time
	var first []byte
	c.block(t, 2*blockTime, func(ctx sdk.Context) {
		b := signedBeacon("hotspot a", eh, c.hashes[eh], et.Add(time.Second), 1)
		first = relayPoc(t, c.a, ctx, o.relayer, b, signedWitness("hotspot b", b, et.Add(1500*time.Millisecond)))
	})
	c.block(t, 40*time.Second, nil)
	rec, err := c.a.PocKeeper.Pocs.Get(c.ctx(), first)
	require.NoError(t, err, "the PoC is judged")
	require.Equal(t, c.height, rec.Height)

	// 7: a day on, epoch 1 ends and is settled; 8-10 pay it, one hotspot a block.
	c.block(t, exportGenesisTime.Add(24*time.Hour+10*time.Second).Sub(c.time), nil)
	require.Equal(t, int64(1), c.epochRewards(t, 1).Epoch)
	for i := 0; i < 5 && !c.epochRewards(t, 1).PaidOut; i++ {
		c.block(t, blockTime, nil)
	}
	require.True(t, c.epochRewards(t, 1).PaidOut, "epoch 1 is paid")

	// 11: epoch 2's shares; 12: epoch 2 ends, is settled and its first hotspot paid.
	c.block(t, blockTime, func(ctx sdk.Context) {
		require.Equal(t, int64(2), c.epoch(t, ctx).CurrentEpoch)
		for _, h := range o.hotspots {
			addShares(t, c.a, ctx, 2, h, o.shares[h][0], o.shares[h][1])
		}
	})
	c.block(t, exportGenesisTime.Add(48*time.Hour+10*time.Second).Sub(c.time), nil)
	require.False(t, c.epochRewards(t, 2).PaidOut)
	o.epoch2EndedAt = c.height
	require.Equal(t, c.height, c.epoch(t, c.ctx()).CurrentEpochStartHeight)

	// 13: a PoC over block 12's entropy opens (it closes 30 s later) and the
	// second hotspot of epoch 2 is paid.
	eh, et = c.height, c.time
	c.block(t, 10*time.Second, func(ctx sdk.Context) {
		b := signedBeacon("hotspot b", eh, c.hashes[eh], et.Add(time.Second), 2)
		o.openPoc = relayPoc(t, c.a, ctx, o.relayer, b, signedWitness("hotspot a", b, et.Add(1500*time.Millisecond)))
	})
	open, err := c.a.PocKeeper.OpenPocs.Get(c.ctx(), o.openPoc)
	require.NoError(t, err)
	require.Equal(t, c.height, open.OpenedHeight)
	cur, err := c.a.RewardsKeeper.Payouts.Get(c.ctx(), 2)
	require.NoError(t, err)
	require.NotEmpty(t, cur.After, "epoch 2's payout is midway")
	return o
}

// withdrawals is what a zero-height export must pay out of x/distribution
// to each account: every validator's commission and every delegation's
// rewards, truncated to whole bones (the fractions go to the community
// pool, which stays in the distribution module account).
func withdrawals(t *testing.T, c *chain, ctx sdk.Context) map[string]sdkmath.Int {
	t.Helper()
	q := distrkeeper.NewQuerier(c.a.DistrKeeper)
	out := map[string]sdkmath.Int{}
	add := func(addr string, coins sdk.DecCoins) {
		whole, _ := coins.TruncateDecimal()
		if _, ok := out[addr]; !ok {
			out[addr] = sdkmath.ZeroInt()
		}
		out[addr] = out[addr].Add(whole.AmountOf(params.BondDenom))
	}
	vals, err := c.a.StakingKeeper.GetAllValidators(ctx)
	require.NoError(t, err)
	for _, v := range vals {
		res, err := q.ValidatorCommission(ctx, &distrtypes.QueryValidatorCommissionRequest{ValidatorAddress: v.OperatorAddress})
		require.NoError(t, err)
		valBz, err := sdk.ValAddressFromBech32(v.OperatorAddress)
		require.NoError(t, err)
		add(sdk.AccAddress(valBz).String(), res.Commission.Commission)
	}
	dels, err := c.a.StakingKeeper.GetAllDelegations(ctx)
	require.NoError(t, err)
	for _, d := range dels {
		res, err := q.DelegationRewards(ctx, &distrtypes.QueryDelegationRewardsRequest{DelegatorAddress: d.DelegatorAddress, ValidatorAddress: d.ValidatorAddress})
		require.NoError(t, err)
		add(d.DelegatorAddress, res.Rewards)
	}
	return out
}

func balances(c *chain, ctx sdk.Context) map[string]sdkmath.Int {
	out := map[string]sdkmath.Int{}
	for _, b := range c.a.BankKeeper.GetAccountsBalances(ctx) {
		out[b.Address] = b.Coins.AmountOf(params.BondDenom)
	}
	return out
}

// rawStore is a module store's every key and value, except under the
// given prefixes.
func rawStore(c *chain, ctx sdk.Context, module string, except ...[]byte) map[string]string {
	out := map[string]string{}
	it := ctx.KVStore(c.a.GetKey(module)).Iterator(nil, nil)
	defer it.Close()
next:
	for ; it.Valid(); it.Next() {
		for _, p := range except {
			if bytes.HasPrefix(it.Key(), p) {
				continue next
			}
		}
		out[fmt.Sprintf("%x", it.Key())] = fmt.Sprintf("%x", it.Value())
	}
	return out
}

// requireRoundTrip asserts that to, just initialised from a zero-height
// export of from, holds from's state as the zero-height preparation leaves
// it: the same hotspots, reward history and PoC records, balances with the
// distribution rewards withdrawn, supply, staking with creation heights
// reset, and no block entropy of the old chain.
func requireRoundTrip(t *testing.T, from, to *chain, fromCtx sdk.Context, withdrawn map[string]sdkmath.Int) {
	t.Helper()
	toCtx := to.genesisCtx()
	before, after := from.state(t, fromCtx), to.state(t, toCtx)

	// pocd's stores, key by key, indexes included (so nothing a module's
	// genesis leaves out goes unnoticed): the same but for x/poc's entropy,
	// open PoCs and records' pruning index (compared below).
	for _, m := range []string{hotspottypes.ModuleName, rewardstypes.ModuleName, poctypes.ModuleName} {
		except := [][]byte{poctypes.EntropyKey, poctypes.OpenPocsKey, poctypes.PocsByHeightKey}
		if m != poctypes.ModuleName {
			except = nil
		}
		want, got := rawStore(from, fromCtx, m, except...), rawStore(to, toCtx, m, except...)
		require.NotEmpty(t, want, m)
		require.Equal(t, want, got, "store of %s", m)
	}
	// Every record is indexed for pruning, its retention counted from the
	// new chain's start (InitChain of a chain that starts at height 1 runs
	// at height 0): the old chain's heights lie ahead of it.
	var wantIndex, gotIndex []collections.Pair[int64, []byte]
	require.NoError(t, from.a.PocKeeper.Pocs.Walk(fromCtx, nil, func(id []byte, rec poctypes.PocRecord) (bool, error) {
		require.Positive(t, rec.Height)
		wantIndex = append(wantIndex, collections.Join(int64(0), id))
		return false, nil
	}))
	require.NoError(t, to.a.PocKeeper.PocsByHeight.Walk(toCtx, nil, func(k collections.Pair[int64, []byte]) (bool, error) {
		gotIndex = append(gotIndex, k)
		return false, nil
	}))
	require.NotEmpty(t, wantIndex)
	require.Equal(t, wantIndex, gotIndex)

	// Unchanged by the preparation: compared whole.
	for _, m := range []string{hotspottypes.ModuleName, rewardstypes.ModuleName, authtypes.ModuleName, "gov"} {
		require.JSONEq(t, string(before[m]), string(after[m]), "module %s", m)
	}
	hs := decode[hotspottypes.GenesisState](t, to, after, hotspottypes.ModuleName)
	require.Len(t, hs.Hotspots, 3)

	// x/poc: everything but the dropped entropy and the open PoCs' opening height.
	pb := decode[poctypes.GenesisState](t, from, before, poctypes.ModuleName)
	pa := decode[poctypes.GenesisState](t, to, after, poctypes.ModuleName)
	require.Empty(t, pa.Entropy, "the old chain's block entropy is dropped")
	require.NotEmpty(t, pb.Pocs)
	for i := range pb.OpenPocs {
		require.Zero(t, pa.OpenPocs[i].OpenedHeight, "an open PoC's opening height is reset")
		pb.OpenPocs[i].OpenedHeight = 0
	}
	pb.Entropy = nil
	require.Equal(t, from.json(t, pb), to.json(t, pa))

	// x/epochs: the epoch start height is reset, numbers and times kept.
	eb := decode[epochstypes.GenesisState](t, from, before, epochstypes.ModuleName)
	ea := decode[epochstypes.GenesisState](t, to, after, epochstypes.ModuleName)
	for i := range eb.Epochs {
		require.Zero(t, ea.Epochs[i].CurrentEpochStartHeight, eb.Epochs[i].Identifier)
		eb.Epochs[i].CurrentEpochStartHeight = 0
	}
	require.Equal(t, from.json(t, eb), to.json(t, ea))

	// x/staking: creation and unbonding heights reset.
	sb := decode[stakingtypes.GenesisState](t, from, before, stakingtypes.ModuleName)
	sa := decode[stakingtypes.GenesisState](t, to, after, stakingtypes.ModuleName)
	for i := range sb.UnbondingDelegations {
		for j := range sb.UnbondingDelegations[i].Entries {
			sb.UnbondingDelegations[i].Entries[j].CreationHeight = 0
		}
	}
	for i := range sb.Redelegations {
		for j := range sb.Redelegations[i].Entries {
			sb.Redelegations[i].Entries[j].CreationHeight = 0
		}
	}
	for i := range sb.Validators {
		sb.Validators[i].UnbondingHeight = 0
	}
	require.Equal(t, from.json(t, sb), to.json(t, sa))

	// x/slashing: signing infos start at height 0.
	lb := decode[slashingtypes.GenesisState](t, from, before, slashingtypes.ModuleName)
	la := decode[slashingtypes.GenesisState](t, to, after, slashingtypes.ModuleName)
	for i := range lb.SigningInfos {
		lb.SigningInfos[i].ValidatorSigningInfo.StartHeight = 0
	}
	require.Equal(t, from.json(t, lb), to.json(t, la))

	// x/bank: rewards and commission withdrawn to their owners, out of the
	// distribution module account; the supply is unchanged.
	distrAddr := authtypes.NewModuleAddress(distrtypes.ModuleName).String()
	bb, ba := balances(from, fromCtx), balances(to, toCtx)
	total := sdkmath.ZeroInt()
	for addr, w := range withdrawn {
		require.True(t, w.IsPositive(), "%s earned rewards or commission", addr)
		total = total.Add(w)
	}
	for addr, amt := range bb {
		want := amt
		if w, ok := withdrawn[addr]; ok {
			want = want.Add(w)
		}
		if addr == distrAddr {
			want = want.Sub(total)
		}
		require.Equal(t, want.String(), ba[addr].String(), "balance of %s", addr)
	}
	for addr := range ba {
		_, ok := bb[addr]
		require.True(t, ok, "new account %s", addr)
	}
	require.Equal(t, from.a.BankKeeper.GetSupply(fromCtx, params.BondDenom).String(), to.a.BankKeeper.GetSupply(toCtx, params.BondDenom).String())

	// x/distribution: nothing outstanding is owed to anyone any more.
	q := distrkeeper.NewQuerier(to.a.DistrKeeper)
	for _, v := range sa.Validators {
		res, err := q.ValidatorOutstandingRewards(toCtx, &distrtypes.QueryValidatorOutstandingRewardsRequest{ValidatorAddress: v.OperatorAddress})
		require.NoError(t, err)
		require.True(t, res.Rewards.Rewards.IsZero(), "outstanding rewards of %s", v.OperatorAddress)
	}
}

// TestZeroHeightExportRoundTrip exports a chain with validators, delegations,
// hotspots, PoCs and paid epochs at zero height, starts a new chain from it
// at height 1, checks that it holds the same state, and runs it across the
// next PoC epoch, which is settled and paid; then does it again from the
// new chain.
func TestZeroHeightExportRoundTrip(t *testing.T) {
	o := newOldChain(t)
	old := o.chain
	oldCtx := old.ctx()
	withdrawn := withdrawals(t, old, oldCtx)
	require.Contains(t, withdrawn, o.op1, "val1's commission")
	require.Contains(t, withdrawn, o.del, "the delegator's rewards")
	oldEntropy, err := old.a.PocKeeper.LatestEntropy(oldCtx)
	require.NoError(t, err)
	require.Equal(t, old.height, oldEntropy.Height)
	vals, err := old.a.StakingKeeper.GetLastValidators(oldCtx)
	require.NoError(t, err)
	signing, err := old.a.SlashingKeeper.GetValidatorSigningInfo(oldCtx, sdk.ConsAddress(consKey("val2").PubKey().Address()))
	require.NoError(t, err)
	require.Equal(t, int64(2), signing.StartHeight, "val2 bonded at height 2")
	// The old chain has heights for the preparation to reset (asserted reset
	// by requireRoundTrip).
	open, err := old.a.PocKeeper.OpenPocs.Get(oldCtx, o.openPoc)
	require.NoError(t, err)
	require.Equal(t, old.height, open.OpenedHeight)
	require.Equal(t, o.epoch2EndedAt, old.epoch(t, oldCtx).CurrentEpochStartHeight)
	ubd, err := old.a.StakingKeeper.GetUnbondingDelegation(oldCtx, sdk.MustAccAddressFromBech32(o.del), mustValAddr(t, o.val1))
	require.NoError(t, err)
	require.Equal(t, o.undelegatedAt, ubd.Entries[0].CreationHeight)
	red, err := old.a.StakingKeeper.GetRedelegation(oldCtx, sdk.MustAccAddressFromBech32(o.del), mustValAddr(t, o.val1), mustValAddr(t, o.val2))
	require.NoError(t, err)
	require.Equal(t, o.undelegatedAt, red.Entries[0].CreationHeight)

	exp := old.export(t, true)
	require.Zero(t, exp.Height, "a zero-height genesis: CometBFT starts it at height 1")
	require.Len(t, exp.Validators, len(vals))

	// The genesis is valid, and a new chain starts from it.
	var gen map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(exp.AppState, &gen))
	require.NoError(t, old.a.BasicModuleManager.ValidateGenesis(old.a.AppCodec(), old.a.TxConfig(), gen))
	nc := startFromExport(t, newChainID, old.time.Add(time.Minute), exp)
	requireRoundTrip(t, old, nc, oldCtx, withdrawn)

	// Block 1 of the new chain: epoch 2's last hotspot is paid, the PoC left
	// open closes (judged at height 1, opened "before this chain"), and the
	// newest entropy is this chain's block.
	nc.block(t, blockTime, nil)
	ctx := nc.ctx()
	rec, err := nc.a.PocKeeper.Pocs.Get(ctx, o.openPoc)
	require.NoError(t, err, "the open PoC closes on the new chain")
	require.Equal(t, int64(1), rec.Height)
	require.Zero(t, rec.OpenedHeight)
	latest, err := nc.a.PocKeeper.LatestEntropy(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), latest.Height)
	require.Equal(t, nc.hashes[1], latest.Hash)
	nc.block(t, blockTime, nil)
	require.True(t, nc.epochRewards(t, 2).PaidOut, "epoch 2's payout finishes on the new chain")

	// Block 3: a beacon over the old chain's entropy finds none (its height
	// is not this chain's block), one over this chain's entropy does.
	var stale, fresh []byte
	eh, et := nc.height, nc.time
	nc.block(t, blockTime, func(ctx sdk.Context) {
		stale = relayPoc(t, nc.a, ctx, o.relayer, signedBeacon("hotspot a", oldEntropy.Height, oldEntropy.Hash, ctx.BlockTime().Add(-5*time.Second), 3))
		fresh = relayPoc(t, nc.a, ctx, o.relayer, signedBeacon("hotspot c", eh, nc.hashes[eh], et.Add(time.Second), 4))
		require.Equal(t, int64(3), nc.epoch(t, ctx).CurrentEpoch, "epoch numbers continue")
		for _, h := range o.hotspots {
			addShares(t, nc.a, ctx, 3, h, o.shares[h][0], o.shares[h][1])
		}
	})
	ctx = nc.ctx()
	op, err := nc.a.PocKeeper.OpenPocs.Get(ctx, stale)
	require.NoError(t, err)
	require.False(t, op.EntropyFound, "the old chain's entropy is not this chain's")
	op, err = nc.a.PocKeeper.OpenPocs.Get(ctx, fresh)
	require.NoError(t, err)
	require.True(t, op.EntropyFound)

	// Epoch 3 ends on the new chain: settled and paid to the owners.
	paid, ownerPaidBefore := map[string]sdkmath.Int{}, map[string]sdkmath.Int{}
	for _, h := range o.hotspots {
		paid[h] = nc.balance(ctx, o.owners[h])
		op, err := nc.a.RewardsKeeper.OwnerPaid.Get(ctx, o.owners[h])
		require.NoError(t, err, "paid on the old chain, carried over")
		require.Equal(t, paid[h].String(), op.String(), "every bone %s holds is a reward", o.owners[h])
		ownerPaidBefore[h] = op
	}
	nc.block(t, exportGenesisTime.Add(72*time.Hour+10*time.Second).Sub(nc.time), nil)
	require.Equal(t, nc.height, nc.epoch(t, nc.ctx()).CurrentEpochStartHeight)
	er := nc.epochRewards(t, 3)
	for i := 0; i < 5 && !nc.epochRewards(t, 3).PaidOut; i++ {
		nc.block(t, blockTime, nil)
	}
	require.True(t, nc.epochRewards(t, 3).PaidOut, "epoch 3 is paid on the new chain")
	ctx = nc.ctx()
	for _, h := range o.hotspots {
		// from the store: a PoC judged in epoch 3 may have added shares
		sh, err := nc.a.PocKeeper.Shares.Get(ctx, collections.Join(int64(3), h))
		require.NoError(t, err)
		want := er.BeaconRate.MulInt64(int64(sh.BeaconShares)).TruncateInt().
			Add(er.WitnessRate.MulInt64(int64(sh.WitnessShares)).TruncateInt())
		require.True(t, want.IsPositive())
		require.Equal(t, paid[h].Add(want).String(), nc.balance(ctx, o.owners[h]).String(), "owner of %s", h)
		hr, err := nc.a.RewardsKeeper.HotspotRewards.Get(ctx, collections.Join(h, int64(3)))
		require.NoError(t, err)
		require.Equal(t, o.owners[h], hr.Owner)
		require.Equal(t, want.String(), hr.BeaconAmount.Add(hr.WitnessAmount).String())
		ownerPaid, err := nc.a.RewardsKeeper.OwnerPaid.Get(ctx, o.owners[h])
		require.NoError(t, err)
		require.Equal(t, ownerPaidBefore[h].Add(want).String(), ownerPaid.String(), "lifetime total of %s", o.owners[h])
	}
	last, err := nc.a.RewardsKeeper.LastSettled.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(3), last)
	minted, err := nc.a.RewardsKeeper.Minted.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, nc.epochRewards(t, 1).Emission.Add(nc.epochRewards(t, 2).Emission).Add(er.Emission).String(), minted.String())
	require.NoError(t, nc.a.RewardsKeeper.CheckInvariants(ctx,
		nc.balance(ctx, authtypes.NewModuleAddress(rewardstypes.ModuleName).String())))

	// And again: the new chain exported at zero height starts a third.
	withdrawn = withdrawals(t, nc, ctx)
	third := startFromExport(t, newChainID+"-2", nc.time.Add(time.Minute), nc.export(t, true))
	requireRoundTrip(t, nc, third, ctx, withdrawn)
	third.blocks(t, 2, blockTime)
}

// Validators missing from --jail-allowed-addrs are jailed by a zero-height
// export and leave the exported validator set; a bad address is refused.
func TestZeroHeightExportJailsValidatorsNotAllowed(t *testing.T) {
	o := newOldChain(t)
	// The operator may type the address in upper case (valid bech32).
	exp := o.export(t, true, strings.ToUpper(o.val1))
	require.Len(t, exp.Validators, 1)
	require.Equal(t, consKey("val1").PubKey().Bytes(), exp.Validators[0].PubKey.Bytes())
	var gen map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(exp.AppState, &gen))
	sg := decode[stakingtypes.GenesisState](t, o.chain, gen, stakingtypes.ModuleName)
	for _, v := range sg.Validators {
		require.Equal(t, v.OperatorAddress == o.val2, v.Jailed, v.OperatorAddress)
		require.Zero(t, v.UnbondingHeight)
	}
	nc := startFromExport(t, newChainID, o.time.Add(time.Minute), exp)
	nc.blocks(t, 2, blockTime)
	// Kept out: its jail term does not end, so it cannot unjail itself on
	// the new chain (the export has no block time: an ordinary term would
	// be over at block 1).
	val2, err := sdk.ValAddressFromBech32(o.val2)
	require.NoError(t, err)
	ctx := nc.ctx()
	err = nc.a.SlashingKeeper.Unjail(ctx, val2)
	require.ErrorIs(t, err, slashingtypes.ErrValidatorJailed)

	_, err = o.a.ExportAppStateAndValidators(true, []string{"not-an-address"}, nil)
	require.ErrorContains(t, err, "jail allowed address")
}

// A normal export is the state as it is, for a chain continuing at the next
// height; a zero-height export before it changes nothing in the node's
// state.
func TestExportAtCurrentHeightKeepsState(t *testing.T) {
	o := newOldChain(t)
	c := o.chain
	before := c.export(t, false)
	require.Equal(t, c.height+1, before.Height)
	require.Len(t, before.Validators, 2)

	var gen map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(before.AppState, &gen))
	pg := decode[poctypes.GenesisState](t, c, gen, poctypes.ModuleName)
	require.NotEmpty(t, pg.Entropy, "entropy kept")
	require.Len(t, pg.OpenPocs, 1)
	require.Equal(t, c.height, pg.OpenPocs[0].OpenedHeight)
	eg := decode[epochstypes.GenesisState](t, c, gen, epochstypes.ModuleName)
	for _, e := range eg.Epochs {
		if e.Identifier == poctypes.DefaultEpochIdentifier {
			require.Equal(t, o.epoch2EndedAt, e.CurrentEpochStartHeight)
		}
	}
	sg := decode[stakingtypes.GenesisState](t, c, gen, stakingtypes.ModuleName)
	require.Equal(t, o.undelegatedAt, sg.UnbondingDelegations[0].Entries[0].CreationHeight)
	require.Equal(t, o.undelegatedAt, sg.Redelegations[0].Entries[0].CreationHeight)
	dg := decode[distrtypes.GenesisState](t, c, gen, distrtypes.ModuleName)
	owed := false
	for _, r := range dg.OutstandingRewards {
		owed = owed || !r.OutstandingRewards.IsZero()
	}
	require.True(t, owed, "rewards are not withdrawn")

	_ = c.export(t, true)
	after := c.export(t, false)
	require.Equal(t, string(before.AppState), string(after.AppState), "the zero-height export left the state alone")

	// A chain continues from it at the next height, its entropy included.
	nc := startFromExport(t, newChainID, c.time.Add(blockTime), before)
	nc.block(t, blockTime, nil)
	require.Equal(t, before.Height, nc.height)
	ctx := nc.ctx()
	prev, err := nc.a.PocKeeper.Entropy.Get(ctx, c.height)
	require.NoError(t, err)
	require.Equal(t, c.hashes[c.height], prev.Hash)
	rg := decode[rewardstypes.GenesisState](t, c, gen, rewardstypes.ModuleName)
	require.Equal(t, int64(2), rg.LastSettledEpoch)
}
