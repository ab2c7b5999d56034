package app

import (
	"encoding/json"
	"errors"
	"fmt"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	evidencetypes "github.com/cosmos/cosmos-sdk/x/evidence/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	"github.com/cosmos/cosmos-sdk/x/staking"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// ExportAppStateAndValidators exports the state at the last committed height,
// so a new chain can start from it (`pocd export`). With forZeroHeight the
// state is first prepared for a chain that starts again at height 1
// (prepForZeroHeightGenesis), on a branch of the state that is thrown away:
// the export never changes the node's own state.
func (app *App) ExportAppStateAndValidators(forZeroHeight bool, jailAllowedAddrs []string, modulesToExport []string) (servertypes.ExportedApp, error) {
	// as if they could withdraw from the start of the next block
	ctx := app.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})

	// We export at last height + 1, because that's the height at which
	// CometBFT will start InitChain.
	height := app.LastBlockHeight() + 1
	if forZeroHeight {
		height = 0
		ctx, _ = ctx.CacheContext()
		if err := app.prepForZeroHeightGenesis(ctx, jailAllowedAddrs); err != nil {
			return servertypes.ExportedApp{}, fmt.Errorf("preparing the zero-height export: %w", err)
		}
	}
	genState, err := app.ExportModuleGenesis(ctx, modulesToExport)
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	appState, err := json.MarshalIndent(genState, "", "  ")
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	validators, err := staking.WriteValidators(ctx, app.StakingKeeper)
	return servertypes.ExportedApp{
		AppState:        appState,
		Validators:      validators,
		Height:          height,
		ConsensusParams: app.GetConsensusParams(ctx),
	}, err
}

// ExportModuleGenesis exports the modules' genesis states at ctx (all of
// them when modules is empty).
//
// The module manager exports the modules in parallel on the one context,
// and a branched multistore opens each store on first use by writing a
// shared map: concurrent first uses race, and a concurrent map write aborts
// the process. Opening every store first leaves the goroutines only reading
// it.
func (app *App) ExportModuleGenesis(ctx sdk.Context, modules []string) (map[string]json.RawMessage, error) {
	for _, key := range app.keys {
		ctx.MultiStore().GetKVStore(key)
	}
	return app.ModuleManager.ExportGenesisForModules(ctx, app.appCodec, modules)
}

// prepForZeroHeightGenesis prepares the state for a chain that restarts at
// height 1 (`pocd export --for-zero-height`), as the SDK's simapp does for
// the SDK modules, plus the height-dependent state of pocd's own modules
// and x/epochs (prepPocdForZeroHeight).
//
// Unlike simapp it returns errors instead of ignoring them (a broken export
// must not be written as a genesis), and it jails the validators missing
// from jailAllowedAddrs with the staking keeper's Jail, which also removes
// them from the power index (setting Jailed on a bonded validator alone
// makes ApplyAndReturnValidatorSetUpdates fail).
func (app *App) prepForZeroHeightGenesis(ctx sdk.Context, jailAllowedAddrs []string) error {
	// Keyed by the canonical (lower-case) address, which GetOperator returns.
	allowed := make(map[string]bool, len(jailAllowedAddrs))
	for _, addr := range jailAllowedAddrs {
		bz, err := sdk.ValAddressFromBech32(addr)
		if err != nil {
			return fmt.Errorf("jail allowed address %q: %w", addr, err)
		}
		allowed[bz.String()] = true
	}

	/* Handle fee distribution state. */

	validators, err := app.StakingKeeper.GetAllValidators(ctx)
	if err != nil {
		return err
	}
	valAddr := func(v stakingtypes.Validator) (sdk.ValAddress, error) {
		bz, err := app.StakingKeeper.ValidatorAddressCodec().StringToBytes(v.GetOperator())
		return sdk.ValAddress(bz), err
	}

	// withdraw all validator commission
	for _, v := range validators {
		addr, err := valAddr(v)
		if err != nil {
			return err
		}
		if _, err := app.DistrKeeper.WithdrawValidatorCommission(ctx, addr); err != nil && !errors.Is(err, distrtypes.ErrNoValidatorCommission) {
			return fmt.Errorf("withdrawing the commission of %s: %w", v.GetOperator(), err)
		}
	}

	// withdraw all delegator rewards
	dels, err := app.StakingKeeper.GetAllDelegations(ctx)
	if err != nil {
		return err
	}
	for _, d := range dels {
		valAddr, err := sdk.ValAddressFromBech32(d.ValidatorAddress)
		if err != nil {
			return err
		}
		delAddr, err := sdk.AccAddressFromBech32(d.DelegatorAddress)
		if err != nil {
			return err
		}
		if _, err := app.DistrKeeper.WithdrawDelegationRewards(ctx, delAddr, valAddr); err != nil {
			return fmt.Errorf("withdrawing the rewards of %s from %s: %w", d.DelegatorAddress, d.ValidatorAddress, err)
		}
	}

	// clear validator slash events
	app.DistrKeeper.DeleteAllValidatorSlashEvents(ctx)

	// clear validator historical rewards
	app.DistrKeeper.DeleteAllValidatorHistoricalRewards(ctx)

	// set context height to zero
	height := ctx.BlockHeight()
	ctx = ctx.WithBlockHeight(0)

	// reinitialize all validators
	for _, v := range validators {
		addr, err := valAddr(v)
		if err != nil {
			return err
		}
		// donate any unwithdrawn outstanding reward fraction tokens to the community pool
		scraps, err := app.DistrKeeper.GetValidatorOutstandingRewardsCoins(ctx, addr)
		if err != nil {
			return err
		}
		feePool, err := app.DistrKeeper.FeePool.Get(ctx)
		if err != nil {
			return err
		}
		feePool.CommunityPool = feePool.CommunityPool.Add(scraps...)
		if err := app.DistrKeeper.FeePool.Set(ctx, feePool); err != nil {
			return err
		}
		if err := app.DistrKeeper.Hooks().AfterValidatorCreated(ctx, addr); err != nil {
			return err
		}
	}

	// reinitialize all delegations
	for _, d := range dels {
		valAddr, err := sdk.ValAddressFromBech32(d.ValidatorAddress)
		if err != nil {
			return err
		}
		delAddr, err := sdk.AccAddressFromBech32(d.DelegatorAddress)
		if err != nil {
			return err
		}
		if err := app.DistrKeeper.Hooks().BeforeDelegationCreated(ctx, delAddr, valAddr); err != nil {
			return fmt.Errorf("error while incrementing period: %w", err)
		}
		if err := app.DistrKeeper.Hooks().AfterDelegationModified(ctx, delAddr, valAddr); err != nil {
			return fmt.Errorf("error while creating a new delegation period record: %w", err)
		}
	}

	// reset context height
	ctx = ctx.WithBlockHeight(height)

	/* Handle staking state. */

	// Jail the validators not allowed (none when the list is empty), and
	// apply the validator set changes (jailing unbonds) before the heights
	// below are reset, so that the unbonding heights jailing records are
	// reset too.
	if len(allowed) > 0 {
		for _, v := range validators {
			if v.Jailed || allowed[v.GetOperator()] {
				continue
			}
			consAddr, err := v.GetConsAddr()
			if err != nil {
				return err
			}
			if err := app.StakingKeeper.Jail(ctx, consAddr); err != nil {
				return fmt.Errorf("jailing %s: %w", v.GetOperator(), err)
			}
			// For good: the export has no block time, so an ordinary jail
			// term (counted from time zero) would be over at the new
			// chain's first block and MsgUnjail would let it straight back.
			if err := app.SlashingKeeper.JailUntil(ctx, consAddr, evidencetypes.DoubleSignJailEndTime); err != nil {
				return fmt.Errorf("jailing %s until the end of time: %w", v.GetOperator(), err)
			}
		}
	}
	if _, err := app.StakingKeeper.ApplyAndReturnValidatorSetUpdates(ctx); err != nil {
		return err
	}
	// Pending consensus key rotations apply at 1 + ConsensusUpdateDelay on
	// the new chain. (After ApplyAndReturnValidatorSetUpdates, which would
	// apply the rewritten entries at the old height.)
	if err := app.StakingKeeper.PrepareConsKeyRotationsForZeroHeightExport(ctx); err != nil {
		return err
	}

	// reset creation heights of redelegations (collected first: no writes
	// while iterating)
	var reds []stakingtypes.Redelegation
	if err := app.StakingKeeper.IterateRedelegations(ctx, func(_ int64, red stakingtypes.Redelegation) (stop bool) {
		reds = append(reds, red)
		return false
	}); err != nil {
		return err
	}
	for _, red := range reds {
		for i := range red.Entries {
			red.Entries[i].CreationHeight = 0
		}
		if err := app.StakingKeeper.SetRedelegation(ctx, red); err != nil {
			return err
		}
	}

	// reset creation heights of unbonding delegations
	var ubds []stakingtypes.UnbondingDelegation
	if err := app.StakingKeeper.IterateUnbondingDelegations(ctx, func(_ int64, ubd stakingtypes.UnbondingDelegation) (stop bool) {
		ubds = append(ubds, ubd)
		return false
	}); err != nil {
		return err
	}
	for _, ubd := range ubds {
		for i := range ubd.Entries {
			ubd.Entries[i].CreationHeight = 0
		}
		if err := app.StakingKeeper.SetUnbondingDelegation(ctx, ubd); err != nil {
			return err
		}
	}

	// reset validators' unbonding heights
	validators, err = app.StakingKeeper.GetAllValidators(ctx)
	if err != nil {
		return err
	}
	for _, v := range validators {
		v.UnbondingHeight = 0
		if err := app.StakingKeeper.SetValidator(ctx, v); err != nil {
			return err
		}
	}

	/* Handle slashing state. */

	// reset start height on signing infos
	type signingInfo struct {
		addr sdk.ConsAddress
		info slashingtypes.ValidatorSigningInfo
	}
	var infos []signingInfo
	if err := app.SlashingKeeper.IterateValidatorSigningInfos(ctx, func(addr sdk.ConsAddress, info slashingtypes.ValidatorSigningInfo) (stop bool) {
		infos = append(infos, signingInfo{addr, info})
		return false
	}); err != nil {
		return err
	}
	for _, s := range infos {
		s.info.StartHeight = 0
		if err := app.SlashingKeeper.SetValidatorSigningInfo(ctx, s.addr, s.info); err != nil {
			return err
		}
	}

	return app.prepPocdForZeroHeight(ctx)
}

// prepPocdForZeroHeight handles the block heights stored by x/epochs and
// pocd's modules. Heights restart at 1, so a height of the old chain must
// not be looked up, compared with or mixed into the new chain's heights:
//
//   - x/poc entropy (BlockEntropy, keyed by height): dropped. A beacon names
//     its entropy block by height and hash; the new chain's blocks reuse the
//     old heights, LatestEntropy would return the old chain's highest
//     height until the new chain overtook it (hotspots would beacon with an
//     old hash), and BeginBlock's pruning, which walks heights upwards and
//     stops at the first fresh entry, would never remove the old entries.
//     Beacons signed over the old chain's entropy are then refused (entropy
//     not found), as they would be after the restart's downtime anyway.
//   - x/poc open PoCs: kept (they close by block time, and their beacon
//     checks, entropy included, ran when they opened); opened_height reset
//     to 0, "before this chain", so that the record judged on the new chain
//     never has an opened_height of the old chain above its closing height.
//     The beacon's entropy_height is signed by the hotspot and is kept.
//   - x/epochs current_epoch_start_height: reset to 0 (x/epochs' InitGenesis
//     keeps it: the InitChain context's height is 0). Epoch numbers and times are kept, so
//     PoC epochs, shares and reward settlement continue where they were.
//   - Kept as they are, as facts about the old chain that nothing compares
//     with the current height: PoC and witness records' heights (x/poc's
//     InitGenesis counts a record's retention from the genesis height when
//     that is lower), hotspots'
//     added_height and asserted_height (0 there means "never asserted"),
//     relayer registrations' height, epoch rewards' settled_height and
//     hotspot rewards' paid_height. Everything else in x/poc, x/rewards and
//     x/hotspot is keyed by epoch, address or block time, not height.
func (app *App) prepPocdForZeroHeight(ctx sdk.Context) error {
	if err := app.PocKeeper.Entropy.Clear(ctx, nil); err != nil {
		return err
	}
	var open []poctypes.OpenPoc
	if err := app.PocKeeper.OpenPocs.Walk(ctx, nil, func(_ []byte, o poctypes.OpenPoc) (bool, error) {
		open = append(open, o)
		return false, nil
	}); err != nil {
		return err
	}
	for _, o := range open {
		o.OpenedHeight = 0
		if err := app.PocKeeper.OpenPocs.Set(ctx, o.BeaconId, o); err != nil {
			return err
		}
	}
	epochs, err := app.EpochsKeeper.AllEpochInfos(ctx)
	if err != nil {
		return err
	}
	for _, e := range epochs {
		e.CurrentEpochStartHeight = 0
		if err := app.EpochsKeeper.EpochInfo.Set(ctx, e.Identifier, e); err != nil {
			return err
		}
	}
	return nil
}
