package keeper

import (
	"context"

	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
)

// StakingHooks drop a validator's relayer registration when it leaves the
// active set: relaying is a privilege of bonded validators.
type StakingHooks struct{ k *Keeper }

var _ stakingtypes.StakingHooks = StakingHooks{}

// StakingHooks returns the x/staking hooks.
func (k *Keeper) StakingHooks() StakingHooks { return StakingHooks{k} }

// AfterValidatorBeginUnbonding removes the validator's relay account.
func (h StakingHooks) AfterValidatorBeginUnbonding(ctx context.Context, _ sdk.ConsAddress, val sdk.ValAddress) error {
	op, err := h.k.valCodec.BytesToString(val)
	if err != nil {
		return err
	}
	return h.k.removeRelayer(ctx, op, "validator left the active set")
}

// AfterValidatorRemoved removes the validator's relay account.
func (h StakingHooks) AfterValidatorRemoved(ctx context.Context, _ sdk.ConsAddress, val sdk.ValAddress) error {
	op, err := h.k.valCodec.BytesToString(val)
	if err != nil {
		return err
	}
	return h.k.removeRelayer(ctx, op, "validator removed")
}

func (StakingHooks) AfterValidatorCreated(context.Context, sdk.ValAddress) error   { return nil }
func (StakingHooks) BeforeValidatorModified(context.Context, sdk.ValAddress) error { return nil }
func (StakingHooks) AfterValidatorConsKeyUpdated(context.Context, sdk.ConsAddress, sdk.ConsAddress, sdk.ValAddress) error {
	return nil
}
func (StakingHooks) AfterValidatorBonded(context.Context, sdk.ConsAddress, sdk.ValAddress) error {
	return nil
}
func (StakingHooks) BeforeDelegationCreated(context.Context, sdk.AccAddress, sdk.ValAddress) error {
	return nil
}
func (StakingHooks) BeforeDelegationSharesModified(context.Context, sdk.AccAddress, sdk.ValAddress) error {
	return nil
}
func (StakingHooks) BeforeDelegationRemoved(context.Context, sdk.AccAddress, sdk.ValAddress) error {
	return nil
}
func (StakingHooks) AfterDelegationModified(context.Context, sdk.AccAddress, sdk.ValAddress) error {
	return nil
}
func (StakingHooks) BeforeValidatorSlashed(context.Context, sdk.ValAddress, math.LegacyDec) error {
	return nil
}
func (StakingHooks) AfterUnbondingInitiated(context.Context, uint64) error { return nil }
