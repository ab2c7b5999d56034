package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/pocnet/pocd/x/rewards/types"
)

func isNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// CheckInvariants verifies that no bone is created or lost:
//   - minted = sum of the settled epochs' emissions;
//   - every epoch's emission = beacon + witness + validator + community pools;
//   - every paid-out epoch: paid + dust = beacon pool + witness pool;
//   - the module account holds exactly the unpaid part of the pools being paid.
//
// Tests run it after every step; operators can run it with `pocd query rewards`
// data, and CI's e2e test checks the balances it implies.
func (k *Keeper) CheckInvariants(ctx context.Context, moduleBalance sdkmath.Int) error {
	minted, err := k.Minted.Get(ctx)
	if err != nil {
		return err
	}
	sum, unpaid := sdkmath.ZeroInt(), sdkmath.ZeroInt()
	err = k.EpochRewards.Walk(ctx, nil, func(e int64, er types.EpochRewards) (bool, error) {
		sum = sum.Add(er.Emission)
		pools := er.BeaconPool.Add(er.WitnessPool)
		if !pools.Add(er.ValidatorPool).Add(er.CommunityPool).Equal(er.Emission) {
			return true, types.ErrInvariant.Wrapf("epoch %d: pools do not add up to the emission %s", e, er.Emission)
		}
		if er.PaidOut {
			if !er.Paid.Add(er.Dust).Equal(pools) {
				return true, types.ErrInvariant.Wrapf("epoch %d: paid %s + dust %s != pools %s", e, er.Paid, er.Dust, pools)
			}
		} else {
			unpaid = unpaid.Add(pools.Sub(er.Paid))
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	if !sum.Equal(minted) {
		return types.ErrInvariant.Wrapf("minted %s != sum of epoch emissions %s", minted, sum)
	}
	if !unpaid.Equal(moduleBalance) {
		return types.ErrInvariant.Wrapf("module account holds %s, unpaid pools are %s", moduleBalance, unpaid)
	}
	return nil
}
