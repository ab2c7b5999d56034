package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// Only a bonded validator's registered relay account may relay PoCs:
// otherwise any funded account could open a PoC first with hand-picked
// witnesses (docs/security.md, attack 1).

// relayerValidator returns the validator an account relays for, and
// whether that validator is bonded now. Registrations are removed when a
// validator starts unbonding (StakingHooks); the bonded check also covers a
// validator that left the set while hooks were not wired (genesis imports).
func (k *Keeper) relayerValidator(ctx context.Context, account string) (string, bool, error) {
	val, err := k.Relayers.Indexes.Account.MatchExact(ctx, account)
	if isNotFound(err) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	bonded, err := k.validatorBonded(ctx, val)
	return val, bonded, err
}

func (k *Keeper) validatorBonded(ctx context.Context, operator string) (bool, error) {
	va, err := k.valCodec.StringToBytes(operator)
	if err != nil {
		return false, nil
	}
	v, err := k.staking.GetValidator(ctx, sdk.ValAddress(va))
	if err != nil {
		return false, nil // not a validator (any more)
	}
	return v.IsBonded(), nil
}

// requireRelayer returns the validator account relays for, and fails
// unless it is the relay account of a bonded validator.
func (k *Keeper) requireRelayer(ctx context.Context, account string) (string, error) {
	val, bonded, err := k.relayerValidator(ctx, account)
	if err != nil {
		return "", err
	}
	if val == "" {
		return "", types.ErrUnauthorizedRelayer.Wrapf("%s is not registered (a validator registers it with MsgRegisterRelayer)", account)
	}
	if !bonded {
		return "", types.ErrUnauthorizedRelayer.Wrapf("%s relays for %s, which is not bonded", account, val)
	}
	return val, nil
}

// removeRelayer ends a validator's registration, if any.
func (k *Keeper) removeRelayer(ctx context.Context, operator, reason string) error {
	reg, err := k.Relayers.Get(ctx, operator)
	if isNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if err := k.Relayers.Remove(ctx, operator); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRelayerRemoved{
		Validator: operator, Relayer: reg.Relayer, Reason: reason, IngestPeer: reg.IngestPeer,
	})
}
