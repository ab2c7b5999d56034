package app_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/app/params"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	rewardstypes "github.com/pocnet/pocd/x/rewards/types"
)

const wiringChainID = "pocd-wiring"

// wired is the real app, initialised from its default genesis, with a
// context over its store: every keeper and hook is the one app.New wires.
type wired struct {
	a   *app.App
	ctx sdk.Context
}

func newWired(t *testing.T) *wired {
	t.Helper()
	a := newApp(t)
	ctx := sdk.NewContext(a.CommitMultiStore().CacheMultiStore(),
		cmtproto.Header{ChainID: wiringChainID, Height: 2, Time: time.Unix(1_700_000_000, 0)}, false, log.NewNopLogger()).
		WithEventManager(sdk.NewEventManager())
	// Every module is initialised before the manager checks the validator
	// set, which the default genesis leaves empty (no gentx): that error,
	// and only it, is expected here.
	_, err := a.ModuleManager.InitGenesis(ctx, a.AppCodec(), a.DefaultGenesis())
	require.ErrorContains(t, err, "validator set is empty after InitGenesis")
	hp, err := a.HotspotKeeper.Params.Get(ctx)
	require.NoError(t, err)
	hp.OnboardingFee, hp.LocationFee = sdk.NewCoins(), sdk.NewCoins()
	require.NoError(t, a.HotspotKeeper.Params.Set(ctx, hp))
	return &wired{a: a, ctx: ctx}
}

func acct(name string) string {
	return sdk.AccAddress([]byte(name + "____________________")[:20]).String()
}

// deliver runs msg through the app's message router, as a transaction would.
func (w *wired) deliver(t *testing.T, msg sdk.Msg) { deliverMsg(t, w.a, w.ctx, msg) }

// deliverMsg runs msg through a's message router at ctx, as a transaction would.
func deliverMsg(t *testing.T, a *app.App, ctx sdk.Context, msg sdk.Msg) {
	t.Helper()
	h := a.MsgServiceRouter().Handler(msg)
	require.NotNil(t, h, "no route for %T", msg)
	_, err := h(ctx, msg)
	require.NoError(t, err)
}

// hotspotKey is the test hotspot's ed25519 key, derived from its name.
func hotspotKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// addHotspot onboards a hotspot owned by owner through the real x/hotspot.
func (w *wired) addHotspot(t *testing.T, name, owner string) string {
	return onboard(t, w.a, w.ctx, name, owner)
}

// onboard onboards a hotspot owned by owner through the real x/hotspot at
// ctx (whose chain id the hotspot signs).
func onboard(t *testing.T, a *app.App, ctx sdk.Context, name, owner string) string {
	t.Helper()
	key := hotspotKey(name)
	pub := []byte(key.Public().(ed25519.PublicKey))
	deliverMsg(t, a, ctx, &hotspottypes.MsgAddHotspot{
		Owner: owner, HotspotPubkey: pub, Mode: hotspottypes.HOTSPOT_MODE_FULL,
		HotspotSignature: ed25519.Sign(key, hotspottypes.AddHotspotSignBytes(ctx.ChainID(), owner, pub, hotspottypes.HOTSPOT_MODE_FULL)),
	})
	addr, err := hotspottypes.HotspotAddress(pub)
	require.NoError(t, err)
	h, err := a.HotspotKeeper.GetHotspot(ctx, addr)
	require.NoError(t, err)
	require.Equal(t, owner, h.Owner)
	return addr
}

// share records a hotspot's reward shares in x/poc's store, as its PoC
// effects do (per hotspot and the epoch total).
func (w *wired) share(t *testing.T, epoch int64, hotspot string, beacon, witness uint64) {
	addShares(t, w.a, w.ctx, epoch, hotspot, beacon, witness)
}

func addShares(t *testing.T, a *app.App, ctx sdk.Context, epoch int64, hotspot string, beacon, witness uint64) {
	t.Helper()
	pk := a.PocKeeper
	require.NoError(t, pk.Shares.Set(ctx, collections.Join(epoch, hotspot),
		poctypes.RewardShares{Hotspot: hotspot, Epoch: epoch, BeaconShares: beacon, WitnessShares: witness}))
	tot, err := pk.EpochShareTotals(ctx, epoch)
	require.NoError(t, err)
	tot.BeaconShares += beacon
	tot.WitnessShares += witness
	require.NoError(t, pk.EpochTotals.Set(ctx, epoch, tot))
}

func (w *wired) balance(addr string) sdkmath.Int {
	a, err := sdk.AccAddressFromBech32(addr)
	if err != nil {
		panic(err)
	}
	return w.a.BankKeeper.GetBalance(w.ctx, a, params.BondDenom).Amount
}

func (w *wired) setBatch(t *testing.T, n uint32) {
	t.Helper()
	p, err := w.a.RewardsKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	p.PayoutBatchSize = n
	require.NoError(t, w.a.RewardsKeeper.Params.Set(w.ctx, p))
}

// settle ends the PoC epoch through x/epochs' hooks as the app wires them.
func (w *wired) settle(t *testing.T, epoch int64) rewardstypes.EpochRewards {
	t.Helper()
	require.NoError(t, w.a.EpochsKeeper.Hooks().AfterEpochEnd(w.ctx, poctypes.DefaultEpochIdentifier, epoch))
	er, err := w.a.RewardsKeeper.EpochRewards.Get(w.ctx, epoch)
	require.NoError(t, err, "epoch %d settled", epoch)
	return er
}

// worth is what shares are paid from a settled epoch: pool x shares /
// total shares, truncated per pool, computed here with integer arithmetic.
func worth(er rewardstypes.EpochRewards, beacon, witness uint64) sdkmath.Int {
	b := sdkmath.ZeroInt()
	if er.TotalBeaconShares > 0 {
		b = er.BeaconPool.MulRaw(int64(beacon)).QuoRaw(int64(er.TotalBeaconShares))
	}
	wv := sdkmath.ZeroInt()
	if er.TotalWitnessShares > 0 {
		wv = er.WitnessPool.MulRaw(int64(witness)).QuoRaw(int64(er.TotalWitnessShares))
	}
	return b.Add(wv)
}

// A transfer of a hotspot with settled, unpaid rewards pays its old owner
// at the transfer (x/rewards' BeforeHotspotTransfer, installed by app.New
// with SetTransferHooks); the new owner gets nothing for that epoch.
func TestTransferPaysTheOldOwnerThroughTheApp(t *testing.T) {
	w := newWired(t)
	w.setBatch(t, 1)
	alice, bob, carol := acct("alice"), acct("bob"), acct("carol")
	ha := w.addHotspot(t, "hotspot a", alice)
	hb := w.addHotspot(t, "hotspot b", bob)
	w.share(t, 1, ha, 1000, 3000)
	w.share(t, 1, hb, 3000, 1000)
	er := w.settle(t, 1)
	require.True(t, er.BeaconPool.IsPositive() && er.WitnessPool.IsPositive())
	require.True(t, w.balance(alice).IsZero() && w.balance(bob).IsZero(), "nothing paid before a payout block")

	// Transfer bob's hotspot before any payout block reaches it.
	w.deliver(t, &hotspottypes.MsgTransferHotspot{Owner: bob, Hotspot: hb, NewOwner: carol})
	owed := worth(er, 3000, 1000)
	require.True(t, owed.IsPositive())
	require.Equal(t, owed.String(), w.balance(bob).String(), "the owner at settlement is paid at the transfer")
	require.True(t, w.balance(carol).IsZero())

	// The payout blocks then pay alice and skip hb, already paid.
	for i := 0; i < 3; i++ {
		require.NoError(t, w.a.RewardsKeeper.EndBlock(w.ctx))
	}
	final, err := w.a.RewardsKeeper.EpochRewards.Get(w.ctx, 1)
	require.NoError(t, err)
	require.True(t, final.PaidOut)
	require.Equal(t, worth(er, 1000, 3000).String(), w.balance(alice).String())
	require.Equal(t, owed.String(), w.balance(bob).String(), "paid once")
	require.True(t, w.balance(carol).IsZero(), "the new owner is not paid for an epoch settled before the transfer")
}

// Payouts page through x/poc's real share store: with more hotspots than a
// batch, each block pays the next batch in address order and every hotspot
// is paid exactly once.
func TestPayoutPagesThroughTheRealShareStore(t *testing.T) {
	w := newWired(t)
	w.setBatch(t, 2)
	owners := map[string]string{} // hotspot -> owner
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		o := acct("owner " + n)
		h := w.addHotspot(t, "hotspot "+n, o)
		owners[h] = o
		w.share(t, 1, h, 1000, 2000)
	}
	hs := make([]string, 0, len(owners))
	for h := range owners {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	er := w.settle(t, 1)
	each := worth(er, 1000, 2000)
	require.True(t, each.IsPositive())

	paid := func() []string {
		var out []string
		for _, h := range hs {
			if w.balance(owners[h]).IsPositive() {
				out = append(out, h)
			}
		}
		return out
	}
	require.NoError(t, w.a.RewardsKeeper.EndBlock(w.ctx))
	require.Equal(t, hs[:2], paid(), "the first batch: the first two hotspots in address order")
	require.NoError(t, w.a.RewardsKeeper.EndBlock(w.ctx))
	require.Equal(t, hs[:4], paid(), "the second batch continues after the first")
	cur, err := w.a.RewardsKeeper.Payouts.Get(w.ctx, 1)
	require.NoError(t, err)
	require.Equal(t, hs[3], cur.After, "the cursor is the last hotspot paid")
	require.NoError(t, w.a.RewardsKeeper.EndBlock(w.ctx))
	require.Equal(t, hs, paid())
	final, err := w.a.RewardsKeeper.EpochRewards.Get(w.ctx, 1)
	require.NoError(t, err)
	require.True(t, final.PaidOut)
	for _, h := range hs {
		require.Equal(t, each.String(), w.balance(owners[h]).String(), "paid exactly once: %s", h)
	}
	require.Equal(t, each.MulRaw(int64(len(hs))).String(), final.Paid.String())
}

// With two epochs waiting, the oldest is paid first.
func TestPayoutPaysTheOldestEpochFirst(t *testing.T) {
	w := newWired(t)
	w.setBatch(t, 1)
	o1, o2 := acct("epoch one"), acct("epoch two")
	h1 := w.addHotspot(t, "hotspot 1", o1)
	h2 := w.addHotspot(t, "hotspot 2", o2)
	w.share(t, 1, h1, 1000, 1000)
	w.share(t, 2, h2, 1000, 1000)
	// both settle before any payout block (a missed epoch end settles both)
	require.NoError(t, w.a.EpochsKeeper.Hooks().AfterEpochEnd(w.ctx, poctypes.DefaultEpochIdentifier, 2))
	_, err := w.a.RewardsKeeper.Payouts.Get(w.ctx, 1)
	require.NoError(t, err)
	_, err = w.a.RewardsKeeper.Payouts.Get(w.ctx, 2)
	require.NoError(t, err)

	require.NoError(t, w.a.RewardsKeeper.EndBlock(w.ctx))
	require.True(t, w.balance(o1).IsPositive(), "epoch 1's hotspot is paid first")
	require.True(t, w.balance(o2).IsZero(), "epoch 2 waits")
	require.NoError(t, w.a.RewardsKeeper.EndBlock(w.ctx)) // epoch 1: nothing left, done
	require.NoError(t, w.a.RewardsKeeper.EndBlock(w.ctx))
	require.True(t, w.balance(o2).IsPositive())
}

// After a long halt the epochs module ends an overdue epoch per block, so
// x/poc's share retention can pass while x/rewards still pays an epoch a
// batch per block. The shares of an epoch queued for payout are kept until
// it is paid out in full: every hotspot of it is paid.
func TestSharesOfAnEpochQueuedForPayoutOutliveTheirRetention(t *testing.T) {
	w := newWired(t)
	w.setBatch(t, 1)
	p, err := w.a.PocKeeper.Params.Get(w.ctx)
	require.NoError(t, err)
	p.RetentionEpochs = 1
	require.NoError(t, w.a.PocKeeper.Params.Set(w.ctx, p))
	owners := []string{acct("halted a"), acct("halted b"), acct("halted c")}
	for i, o := range owners {
		h := w.addHotspot(t, "halted "+string(rune('a'+i)), o)
		w.share(t, 1, h, 1000, 1000)
	}
	// Epochs 1, 2 and 3 end in three blocks; epoch 3's end puts epoch 1's
	// shares past retention_epochs (1).
	for e := int64(1); e <= 3; e++ {
		require.NoError(t, w.a.EpochsKeeper.Hooks().AfterEpochEnd(w.ctx, poctypes.DefaultEpochIdentifier, e))
		require.NoError(t, w.a.PocKeeper.RunMaintenance(w.ctx))
		require.NoError(t, w.a.RewardsKeeper.EndBlock(w.ctx))
	}
	for range 5 {
		require.NoError(t, w.a.PocKeeper.RunMaintenance(w.ctx))
		require.NoError(t, w.a.RewardsKeeper.EndBlock(w.ctx))
	}
	for _, o := range owners {
		require.True(t, w.balance(o).IsPositive(), "%s paid", o)
	}
	_, queued, err := w.a.RewardsKeeper.OldestQueuedPayout(w.ctx)
	require.NoError(t, err)
	require.False(t, queued, "epoch 1 paid out")
	require.NoError(t, w.a.PocKeeper.RunMaintenance(w.ctx))
	tot, err := w.a.PocKeeper.EpochShareTotals(w.ctx, 1)
	require.NoError(t, err)
	require.Zero(t, tot.BeaconShares, "pruned once paid")
}
