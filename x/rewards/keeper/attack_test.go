package keeper_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

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
	"github.com/cosmos/gogoproto/proto"

	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/rewards"
	"github.com/pocnet/pocd/x/rewards/keeper"
	"github.com/pocnet/pocd/x/rewards/types"
)

func keyOf(hotspot string, epoch int64) collections.Pair[string, int64] {
	return collections.Join(hotspot, epoch)
}

// typedEvents returns the events of type T emitted so far, parsed.
func typedEvents[T proto.Message](t *testing.T, ctx sdk.Context) []T {
	t.Helper()
	var zero T
	name := proto.MessageName(zero)
	require.NotEmpty(t, name)
	var out []T
	for _, ev := range ctx.EventManager().Events().ToABCIEvents() {
		if ev.Type != name {
			continue
		}
		msg, err := sdk.ParseTypedEvent(ev)
		require.NoError(t, err)
		out = append(out, msg.(T))
	}
	return out
}

// payoutSkips returns the EventPayoutSkipped events emitted so far.
func payoutSkips(t *testing.T, ctx sdk.Context) []*types.EventPayoutSkipped {
	t.Helper()
	return typedEvents[*types.EventPayoutSkipped](t, ctx)
}

// payUntilPaidOut runs EndBlock until the epoch is paid out, checking the
// invariants after every block; it fails if that takes more than max blocks.
func (f *fixture) payUntilPaidOut(t *testing.T, epoch int64, max int) {
	t.Helper()
	for i := 0; i < max; i++ {
		require.NoError(t, f.k.EndBlock(f.ctx))
		f.invariants(t)
		if mustEpoch(t, f, epoch).PaidOut {
			return
		}
	}
	t.Fatalf("epoch %d is not paid out after %d blocks: payouts are stalled", epoch, max)
}

// Attack 8: a hotspot transferred to (or otherwise owned by) an address the
// bank refuses to send to — the fee collector here — used to fail every
// payout batch that reached it, so its epoch and every later one stalled.
// Now that owner's payment is skipped with an event, its amount goes to the
// community pool with the dust, and everyone else is paid, in later epochs
// too.
func TestAttackPayoutStoppedByTransferToModuleAccount(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 2 // the blocked owner sits in the first of several batches
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	blocked := authtypes.NewModuleAddress(authtypes.FeeCollectorName).String()
	f.bank.blocked = map[string]bool{blocked: true}
	alice, carol, dave := addr("alice"), addr("carol"), addr("dave")
	for _, e := range []int64{1, 2} {
		f.share(e, "a", alice, 1000, 1000)
		f.share(e, "b", blocked, 1000, 1000)
		f.share(e, "c", carol, 1000, 1000)
		f.share(e, "d", dave, 1000, 1000)
	}

	f.endEpoch(t, 1)
	require.NoError(t, f.k.EndBlock(f.ctx)) // pays "a", skips "b"
	f.invariants(t)
	require.True(t, f.bank.get(alice).IsPositive())
	one := f.bank.get(alice) // every hotspot earns the same
	skips := payoutSkips(t, f.ctx)
	require.Len(t, skips, 1)
	require.Equal(t, int64(1), skips[0].Epoch)
	require.Equal(t, "b", skips[0].Hotspot)
	require.Equal(t, blocked, skips[0].Owner)
	require.Equal(t, one.String(), skips[0].Amount)
	require.Contains(t, skips[0].Reason, "not allowed to receive funds")
	// the skip is recorded: "b" is not owed to anyone and never paid for epoch 1
	rec, err := f.k.HotspotRewards.Get(f.ctx, keyOf("b", 1))
	require.NoError(t, err)
	require.NotEmpty(t, rec.Skipped)
	require.True(t, rec.BeaconAmount.IsZero() && rec.WitnessAmount.IsZero())
	or, err := f.query.OwnerRewards(f.ctx, &types.QueryOwnerRewardsRequest{Owner: blocked})
	require.NoError(t, err)
	require.True(t, or.Owed.IsZero())
	require.True(t, or.Paid.IsZero())

	f.payUntilPaidOut(t, 1, 3)
	r := mustEpoch(t, f, 1)
	require.Equal(t, one, f.bank.get(carol))
	require.Equal(t, one, f.bank.get(dave))
	require.True(t, f.bank.get(blocked).IsZero())
	require.Equal(t, one.MulRaw(3), r.Paid)
	require.True(t, r.Dust.GTE(one), "the skipped amount is part of the dust")
	require.Equal(t, r.BeaconPool.Add(r.WitnessPool).Sub(r.Paid), r.Dust)
	require.Equal(t, r.CommunityPool.Add(r.Dust), f.bank.get("community"), "dust, skipped amount included, to the community pool")
	require.True(t, f.bank.get(types.ModuleName).IsZero())

	// Later epochs keep paying.
	f.endEpoch(t, 2)
	f.payUntilPaidOut(t, 2, 3)
	require.True(t, f.bank.get(carol).GT(one))
	require.True(t, f.bank.get(dave).GT(one))
	require.Len(t, payoutSkips(t, f.ctx), 2)
	require.True(t, f.bank.get(blocked).IsZero())
}

// Any error from the bank's send to one owner (here a send restriction that
// wrote to the store before refusing) skips that owner only, and the send's
// cache context leaves nothing of it behind.
func TestAttackPayoutStoppedByTransferSendErrorLeavesNoState(t *testing.T) {
	f := setup(t)
	alice, bob := addr("alice"), addr("bob")
	f.share(1, "a", alice, 1000, 0)
	f.share(1, "b", bob, 1000, 0)
	f.bank.onSend = func(ctx context.Context, to sdk.AccAddress) error {
		if to.String() != bob {
			return nil
		}
		if err := f.k.OwnerPaid.Set(ctx, "partial-write", sdkmath.OneInt()); err != nil {
			return err
		}
		return errors.New("send restricted")
	}
	f.endEpoch(t, 1)
	f.payUntilPaidOut(t, 1, 1)
	has, err := f.k.OwnerPaid.Has(f.ctx, "partial-write")
	require.NoError(t, err)
	require.False(t, has, "the refused send left state behind")
	require.True(t, f.bank.get(alice).IsPositive())
	require.True(t, f.bank.get(bob).IsZero())
	skips := payoutSkips(t, f.ctx)
	require.Len(t, skips, 1)
	require.Equal(t, "send restricted", skips[0].Reason)
	paid, err := f.k.OwnerPaid.Has(f.ctx, bob)
	require.NoError(t, err)
	require.False(t, paid, "a skipped owner's lifetime total is not credited")
}

// A shortage in the module account is not one owner's problem: nobody could
// be paid, so the batch still fails and is retried (not skipped to the dust).
func TestPayoutShortfallIsRetriedNotSkipped(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 1 // a batch that is not the epoch's last
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	f.share(1, "a", addr("alice"), 1000, 0)
	f.share(1, "b", addr("bob"), 1000, 0)
	f.endEpoch(t, 1)
	stolen := f.bank.get(types.ModuleName)
	f.bank.bal[types.ModuleName] = sdkmath.ZeroInt()
	require.NoError(t, f.k.EndBlock(f.ctx))
	require.Empty(t, payoutSkips(t, f.ctx))
	has, err := f.k.HotspotRewards.Has(f.ctx, keyOf("a", 1))
	require.NoError(t, err)
	require.False(t, has)
	f.bank.bal[types.ModuleName] = stolen
	f.payUntilPaidOut(t, 1, 3)
	require.True(t, f.bank.get(addr("alice")).IsPositive())
	require.True(t, f.bank.get(addr("bob")).IsPositive())
}

// Attack 8, second half: with history_epochs below the payout horizon, a
// transfer while two epochs E and E+history_epochs are both being paid paid
// the hotspot for both early, and paying it for E+history_epochs deleted its
// record for E, so E's batch paid it again (to the new owner). Parameters
// now refuse such a history; and should a chain hold one anyway (set before
// this rule, or x/poc's retention raised later), the keeper never prunes a
// record of an epoch still queued for payout.
func TestAttackHistoryBelowPayoutHorizonPaysTwice(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 1
	p.HistoryEpochs = 1 // stored directly, as on a chain from before the rule: Validate refuses it
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	alice, bob, carol := addr("alice"), addr("bob"), addr("carol")
	for _, e := range []int64{1, 2} {
		f.share(e, "a", alice, 1000, 0)
		f.share(e, "b", bob, 1000, 0)
	}
	f.endEpoch(t, 1)
	f.endEpoch(t, 2) // both epochs queued: payouts are behind
	require.NoError(t, f.k.BeforeHotspotTransfer(f.ctx, "b"))
	f.invariants(t)
	f.hotspots.owner["b"] = carol
	owed := f.bank.get(bob)
	require.True(t, owed.IsPositive())
	f.payUntilPaidOut(t, 1, 4)
	f.payUntilPaidOut(t, 2, 4)
	require.Equal(t, owed, f.bank.get(bob))
	require.True(t, f.bank.get(carol).IsZero(), "epoch 1 paid hotspot b a second time")
	require.Equal(t, f.bank.get(alice), owed)
}

// history_epochs below the payout horizon is refused by governance too.
func TestAttackHistoryBelowPayoutHorizonRefusedByUpdateParams(t *testing.T) {
	f := setup(t)
	msgs := keeper.NewMsgServerImpl(f.k)
	gov := authtypes.NewModuleAddress("gov").String()
	p := types.DefaultParams()
	p.HistoryEpochs = types.MinHistoryEpochs - 1
	_, err := msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: gov, Params: p})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.ErrorContains(t, err, "payout horizon")
	stored, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, types.DefaultParams().HistoryEpochs, stored.HistoryEpochs)
	p.HistoryEpochs = types.MinHistoryEpochs
	_, err = msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: gov, Params: p})
	require.NoError(t, err)
}

// The same attack against the real auth and bank keepers: the bank's own
// BlockedAddr refusal is skipped, everyone else is paid, and the bank's
// shortage error (ErrInsufficientFunds) is the one error that still fails
// the batch.
func TestAttackPayoutStoppedByTransferRealBank(t *testing.T) {
	keys := storetypes.NewKVStoreKeys(authtypes.StoreKey, banktypes.StoreKey, types.StoreKey)
	ctx := testutil.DefaultContextWithKeys(keys, nil, nil).WithBlockHeight(10).WithEventManager(sdk.NewEventManager())
	enc := moduletestutil.MakeTestEncodingConfig(auth.AppModule{}, bank.AppModule{}, rewards.AppModule{})
	ac := authcodec.NewBech32Codec(sdk.GetConfig().GetBech32AccountAddrPrefix())
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	ak := authkeeper.NewAccountKeeper(enc.Codec, runtime.NewKVStoreService(keys[authtypes.StoreKey]), authtypes.ProtoBaseAccount,
		map[string][]string{authtypes.FeeCollectorName: nil, types.ModuleName: {authtypes.Minter}, "bonded_tokens_pool": nil},
		ac, sdk.GetConfig().GetBech32AccountAddrPrefix(), gov)
	bondedPool := authtypes.NewModuleAddress("bonded_tokens_pool")
	bk := bankkeeper.NewBaseKeeper(enc.Codec, runtime.NewKVStoreService(keys[banktypes.StoreKey]), ak,
		map[string]bool{bondedPool.String(): true}, gov, log.NewNopLogger())
	poc := &fakePoc{shares: map[int64]map[string]poctypes.RewardShares{}}
	hs := &fakeHotspots{owner: map[string]string{}}
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(keys[types.StoreKey]), ac, moduleAddr, denom,
		authtypes.FeeCollectorName, ak, bk, bankPool{bk}, poc, hs, fakeEpochs{d: 10 * time.Second}, gov)
	require.NoError(t, k.InitGenesis(ctx, *types.DefaultGenesis()))
	f := &fixture{ctx: ctx, k: k, poc: poc, hotspots: hs}
	alice, carol := addr("alice"), addr("carol")
	for _, e := range []int64{1, 2} {
		f.share(e, "a", alice, 1000, 1000)
		f.share(e, "b", bondedPool.String(), 1000, 1000)
		f.share(e, "c", carol, 1000, 1000)
	}
	balance := func(a string) sdkmath.Int {
		acc, err := ac.StringToBytes(a)
		require.NoError(t, err)
		return bk.GetBalance(ctx, acc, denom).Amount
	}
	check := func() {
		t.Helper()
		require.NoError(t, k.CheckInvariants(ctx, bk.GetBalance(ctx, moduleAddr, denom).Amount))
	}

	require.NoError(t, k.Hooks().AfterEpochEnd(ctx, "poc", 1))
	check()
	// The module account is short (its coins are elsewhere): nobody can be
	// paid, nothing is skipped, the batch is retried.
	module := bk.GetBalance(ctx, moduleAddr, denom)
	parked := sdk.AccAddress([]byte("parked______________"))
	require.NoError(t, bk.SendCoinsFromModuleToAccount(ctx, types.ModuleName, parked, sdk.NewCoins(module)))
	require.NoError(t, k.EndBlock(ctx))
	require.Empty(t, payoutSkips(t, ctx))
	require.False(t, mustEpochOf(t, k, ctx, 1).PaidOut)
	require.NoError(t, bk.SendCoinsFromAccountToModule(ctx, parked, types.ModuleName, sdk.NewCoins(module)))

	require.NoError(t, k.EndBlock(ctx))
	check()
	r := mustEpochOf(t, k, ctx, 1)
	require.True(t, r.PaidOut, "the blocked owner no longer stops the epoch")
	one := balance(alice)
	require.True(t, one.IsPositive())
	require.Equal(t, one, balance(carol))
	require.True(t, bk.GetBalance(ctx, bondedPool, denom).IsZero())
	require.Equal(t, one.MulRaw(2), r.Paid)
	require.True(t, r.Dust.GTE(one))
	skips := payoutSkips(t, ctx)
	require.Len(t, skips, 1)
	require.Equal(t, one.String(), skips[0].Amount)
	require.Contains(t, skips[0].Reason, "is not allowed to receive funds")
	require.True(t, bk.GetBalance(ctx, moduleAddr, denom).IsZero())

	require.NoError(t, k.Hooks().AfterEpochEnd(ctx, "poc", 2))
	require.NoError(t, k.EndBlock(ctx))
	check()
	require.True(t, mustEpochOf(t, k, ctx, 2).PaidOut)
	require.True(t, balance(alice).GT(one))
}

func mustEpochOf(t *testing.T, k *keeper.Keeper, ctx sdk.Context, e int64) types.EpochRewards {
	t.Helper()
	r, err := k.EpochRewards.Get(ctx, e)
	require.NoError(t, err)
	return r
}
