package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/pocnet/pocd/x/rewards/keeper"
	"github.com/pocnet/pocd/x/rewards/types"
)

// UpdateParams stores the new parameters, answers with a response (the
// SDK's router marshals it) and the Params query serves them.
func TestUpdateParamsStoresThemAndTheQueryServesThem(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 7
	res, err := keeper.NewMsgServerImpl(f.k).UpdateParams(f.ctx, &types.MsgUpdateParams{
		Authority: authtypes.NewModuleAddress("gov").String(), Params: p,
	})
	require.NoError(t, err)
	require.NotNil(t, res)
	stored, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, p, stored)
	q, err := f.query.Params(f.ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, p, q.Params)
}

// CheckInvariants reports each of its rules broken: minted against the
// epochs' emissions, the module balance against what is unpaid, an epoch's
// pools against its emission.
func TestCheckInvariantsReportsEachBrokenRule(t *testing.T) {
	f := setup(t)
	f.share(1, "a", addr("alice"), 1000, 1000)
	f.endEpoch(t, 1) // checks they hold
	balance := f.bank.get(types.ModuleName)
	require.True(t, balance.IsPositive(), "the epoch is settled, not paid")

	require.ErrorIs(t, f.k.CheckInvariants(f.ctx, balance.AddRaw(1)), types.ErrInvariant, "module balance")

	minted, err := f.k.Minted.Get(f.ctx)
	require.NoError(t, err)
	require.NoError(t, f.k.Minted.Set(f.ctx, minted.AddRaw(1)))
	require.ErrorIs(t, f.k.CheckInvariants(f.ctx, balance), types.ErrInvariant, "minted")
	require.NoError(t, f.k.Minted.Set(f.ctx, minted))

	er := mustEpoch(t, f, 1)
	er.CommunityPool = er.CommunityPool.AddRaw(1)
	require.NoError(t, f.k.EpochRewards.Set(f.ctx, 1, er))
	require.ErrorIs(t, f.k.CheckInvariants(f.ctx, balance), types.ErrInvariant, "pools")
}

// A genesis with several epochs queued for payout imports every one of them.
func TestGenesisKeepsEveryQueuedPayout(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 1
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	for e := int64(1); e <= 3; e++ {
		f.share(e, "a", addr("alice"), 1000, 0)
		f.share(e, "b", addr("bob"), 1000, 0)
		f.endEpoch(t, e)
	}
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Len(t, gs.Payouts, 3)

	g := setup(t)
	require.NoError(t, g.k.InitGenesis(g.ctx, *gs))
	again, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	require.Equal(t, gs.Payouts, again.Payouts)
}

// An epoch paid out emits EventEpochPaidOut, and what is left of the
// block's budget goes on to the next queued epoch in the same block.
func TestPaidOutEpochIsAnnouncedAndTheBudgetMovesOn(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 10
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	f.share(1, "a", addr("alice"), 1000, 0)
	f.endEpoch(t, 1)
	f.share(2, "a", addr("alice"), 1000, 0)
	f.endEpoch(t, 2)

	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	require.NoError(t, f.k.EndBlock(f.ctx))
	require.True(t, mustEpoch(t, f, 1).PaidOut)
	require.True(t, mustEpoch(t, f, 2).PaidOut, "one block pays both")
	var paidOut []int64
	for _, e := range typedEvents[*types.EventEpochPaidOut](t, f.ctx) {
		paidOut = append(paidOut, e.Epoch)
	}
	require.Equal(t, []int64{1, 2}, paidOut)
	f.invariants(t)
}

// A hotspot that only witnessed is paid to its owner at settlement when it
// is transferred during the payout, as one that beaconed is.
func TestTransferDuringPayoutPaysAWitnessOnlyHotspotToItsOldOwner(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.PayoutBatchSize = 1
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	f.share(1, "a", addr("alice"), 1000, 0)
	f.share(1, "w", addr("bob"), 0, 1000)
	f.endEpoch(t, 1)
	require.NoError(t, f.k.EndBlock(f.ctx)) // pays "a"

	require.NoError(t, f.k.BeforeHotspotTransfer(f.ctx, "w"))
	require.True(t, f.bank.get(addr("bob")).IsPositive(), "bob, the owner at settlement, is paid at the transfer")
	f.hotspots.owner["w"] = addr("carol")
	f.payUntilPaidOut(t, 1, 3)
	require.True(t, f.bank.get(addr("carol")).IsZero())
}

// A settled epoch is announced with its pools.
func TestSettlementIsAnnounced(t *testing.T) {
	f := setup(t)
	f.share(1, "a", addr("alice"), 1000, 1000)
	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	f.endEpoch(t, 1)
	er := mustEpoch(t, f, 1)
	settled := typedEvents[*types.EventEpochSettled](t, f.ctx)
	require.Len(t, settled, 1)
	require.Equal(t, int64(1), settled[0].Epoch)
	require.Equal(t, er.Emission.String(), settled[0].Emission)
	require.Equal(t, er.BeaconPool.String(), settled[0].BeaconPool)
	require.Equal(t, er.WitnessPool.String(), settled[0].WitnessPool)
}
