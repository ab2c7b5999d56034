package keeper

import (
	"context"
	"fmt"

	"github.com/cosmos/cosmos-sdk/telemetry"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/rewards/types"
)

// Hooks settles epochs when x/epochs ends one.
type Hooks struct{ k *Keeper }

// Hooks returns the epoch hooks.
func (k *Keeper) Hooks() Hooks { return Hooks{k} }

// AfterEpochEnd settles every epoch up to and including `epoch` that is not
// settled yet. x/epochs swallows hook errors, so a failure is reported here
// (event and log), leaves the cursor where it was and is retried at the next
// epoch end; the chain never halts over a payout.
func (h Hooks) AfterEpochEnd(ctx context.Context, identifier string, epoch int64) error {
	k := h.k
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	p, err := k.Params.Get(ctx)
	if err != nil || identifier != p.EpochIdentifier {
		return err
	}
	last, err := k.LastSettled.Get(ctx)
	if err != nil {
		return err
	}
	for e := last + 1; e <= epoch; e++ {
		cacheCtx, write := sdkCtx.CacheContext()
		if err := k.settleSafely(cacheCtx, p, e); err != nil {
			sdkCtx.Logger().Error("rewards: settlement failed", "epoch", e, "err", err)
			// exported at :1317/metrics?format=prometheus as pocd_rewards_settlement_failed
			telemetry.IncrCounter(1, types.ModuleName, "settlement_failed") //nolint:staticcheck // the SDK's Prometheus sink still reads it
			_ = sdkCtx.EventManager().EmitTypedEvent(&types.EventSettlementFailed{Epoch: e, Error: err.Error()})
			return nil
		}
		write()
	}
	return nil
}

// settleSafely turns a panic (bank keepers panic on some misconfigurations)
// into an error, so a settlement problem can never halt the chain.
func (k *Keeper) settleSafely(ctx context.Context, p types.Params, epoch int64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return k.settle(ctx, p, epoch)
}

// BeforeEpochStart does nothing.
func (Hooks) BeforeEpochStart(context.Context, string, int64) error { return nil }

// settle mints an epoch's emission and splits it: validators through the fee
// collector (x/distribution pays them and their delegators), the community
// pool directly, and the two PoC pools into the module account for payout.
// A PoC pool without shares goes to the community pool.
func (k *Keeper) settle(ctx context.Context, p types.Params, epoch int64) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	secs, err := k.epochSeconds(ctx, p)
	if err != nil {
		return err
	}
	emission := p.EpochEmission(epoch, secs)
	supply := k.bank.GetSupply(ctx, k.denom).Amount
	if room := p.MaxSupply.Sub(supply); room.LT(emission) {
		emission = sdkmath.MaxInt(room, sdkmath.ZeroInt())
	}
	beacon, witness, validator, community := p.Split(emission)
	totals, err := k.poc.EpochShareTotals(ctx, epoch)
	if err != nil {
		return err
	}
	er := types.EpochRewards{
		Epoch: epoch, Emission: emission, ValidatorPool: validator,
		TotalBeaconShares: totals.BeaconShares, TotalWitnessShares: totals.WitnessShares,
		BeaconPool: beacon, WitnessPool: witness, CommunityPool: community,
		BeaconRate: sdkmath.LegacyZeroDec(), WitnessRate: sdkmath.LegacyZeroDec(),
		Paid: sdkmath.ZeroInt(), Dust: sdkmath.ZeroInt(), SettledHeight: sdkCtx.BlockHeight(),
	}
	if totals.BeaconShares == 0 {
		er.CommunityPool, er.BeaconPool = er.CommunityPool.Add(er.BeaconPool), sdkmath.ZeroInt()
	} else {
		er.BeaconRate = sdkmath.LegacyNewDecFromInt(er.BeaconPool).QuoInt64(int64(totals.BeaconShares))
	}
	if totals.WitnessShares == 0 {
		er.CommunityPool, er.WitnessPool = er.CommunityPool.Add(er.WitnessPool), sdkmath.ZeroInt()
	} else {
		er.WitnessRate = sdkmath.LegacyNewDecFromInt(er.WitnessPool).QuoInt64(int64(totals.WitnessShares))
	}
	if emission.IsPositive() {
		if err := k.bank.MintCoins(ctx, types.ModuleName, k.coins(emission)); err != nil {
			return err
		}
	}
	if er.ValidatorPool.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToModule(ctx, types.ModuleName, k.feeCollector, k.coins(er.ValidatorPool)); err != nil {
			return err
		}
	}
	if er.CommunityPool.IsPositive() {
		if err := k.pool.FundCommunityPool(ctx, k.coins(er.CommunityPool), k.moduleAddr); err != nil {
			return err
		}
	}
	minted, err := k.Minted.Get(ctx)
	if err != nil {
		return err
	}
	if err := k.Minted.Set(ctx, minted.Add(emission)); err != nil {
		return err
	}
	if err := k.LastSettled.Set(ctx, epoch); err != nil {
		return err
	}
	if er.BeaconPool.IsZero() && er.WitnessPool.IsZero() {
		er.PaidOut = true
	} else if err := k.Payouts.Set(ctx, epoch, types.PayoutCursor{Epoch: epoch}); err != nil {
		return err
	}
	if err := k.EpochRewards.Set(ctx, epoch, er); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventEpochSettled{
		Epoch: epoch, Emission: emission.String(), BeaconPool: er.BeaconPool.String(), WitnessPool: er.WitnessPool.String(),
		ValidatorPool: er.ValidatorPool.String(), CommunityPool: er.CommunityPool.String(),
	})
}
