// Package app wires the pocd application by hand: keepers in dependency
// order, the module manager, block ordering, ante handler and API routes.
// Read it top to bottom; there is no dependency injection.
package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/spf13/cast"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
	reflectionv1 "cosmossdk.io/api/cosmos/reflection/v1"
	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/core/appmodule"
	corestore "cosmossdk.io/core/store"
	"cosmossdk.io/log/v2"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	nodeservice "github.com/cosmos/cosmos-sdk/client/grpc/node"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	runtimeservices "github.com/cosmos/cosmos-sdk/runtime/services"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/server/api"
	"github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/std"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/version"
	"github.com/cosmos/cosmos-sdk/x/auth"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authcodec "github.com/cosmos/cosmos-sdk/x/auth/codec"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authsims "github.com/cosmos/cosmos-sdk/x/auth/simulation"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/bank"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/consensus"
	consensuskeeper "github.com/cosmos/cosmos-sdk/x/consensus/keeper"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	distr "github.com/cosmos/cosmos-sdk/x/distribution"
	distrkeeper "github.com/cosmos/cosmos-sdk/x/distribution/keeper"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	"github.com/cosmos/cosmos-sdk/x/epochs"
	epochskeeper "github.com/cosmos/cosmos-sdk/x/epochs/keeper"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"
	"github.com/cosmos/cosmos-sdk/x/evidence"
	evidencekeeper "github.com/cosmos/cosmos-sdk/x/evidence/keeper"
	evidencetypes "github.com/cosmos/cosmos-sdk/x/evidence/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/cosmos/cosmos-sdk/x/gov"
	govclient "github.com/cosmos/cosmos-sdk/x/gov/client"
	govkeeper "github.com/cosmos/cosmos-sdk/x/gov/keeper"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	"github.com/cosmos/cosmos-sdk/x/slashing"
	slashingkeeper "github.com/cosmos/cosmos-sdk/x/slashing/keeper"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	"github.com/cosmos/cosmos-sdk/x/staking"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	"github.com/cosmos/cosmos-sdk/x/upgrade"
	upgradekeeper "github.com/cosmos/cosmos-sdk/x/upgrade/keeper"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/app/upgrades"
	v2 "github.com/pocnet/pocd/app/upgrades/v2"
	v3 "github.com/pocnet/pocd/app/upgrades/v3"
	"github.com/pocnet/pocd/docs/openapi"
	"github.com/pocnet/pocd/explorer"
	"github.com/pocnet/pocd/x/hotspot"
	hotspotkeeper "github.com/pocnet/pocd/x/hotspot/keeper"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc"
	pockeeper "github.com/pocnet/pocd/x/poc/keeper"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/rewards"
	rewardskeeper "github.com/pocnet/pocd/x/rewards/keeper"
	rewardstypes "github.com/pocnet/pocd/x/rewards/types"
)

// DefaultNodeHome is ~/.pocd unless $POCD_HOME says otherwise.
var DefaultNodeHome = func() string {
	if h := os.Getenv("POCD_HOME"); h != "" {
		return h
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".pocd"
	}
	return filepath.Join(home, ".pocd")
}()

// maccPerms are the module accounts and what they may do with coins.
var maccPerms = map[string][]string{
	authtypes.FeeCollectorName:          nil,
	distrtypes.ModuleName:               nil,
	stakingtypes.BondedPoolName:         {authtypes.Burner, authtypes.Staking},
	stakingtypes.NotBondedPoolName:      {authtypes.Burner, authtypes.Staking},
	stakingtypes.KeyRotationFeePoolName: {authtypes.Burner}, // required since v0.55: staking panics without it
	govtypes.ModuleName:                 {authtypes.Burner},
	rewardstypes.ModuleName:             {authtypes.Minter}, // the only minter: HNT emission
}

var (
	_ runtime.AppI            = (*App)(nil)
	_ servertypes.Application = (*App)(nil)
)

// App is the pocd application.
type App struct {
	*baseapp.BaseApp

	legacyAmino       *codec.LegacyAmino
	appCodec          codec.Codec
	txConfig          client.TxConfig
	interfaceRegistry codectypes.InterfaceRegistry
	keys              map[string]*storetypes.KVStoreKey

	AccountKeeper   authkeeper.AccountKeeper
	BankKeeper      bankkeeper.BaseKeeper
	StakingKeeper   *stakingkeeper.Keeper
	DistrKeeper     distrkeeper.Keeper
	SlashingKeeper  slashingkeeper.Keeper
	GovKeeper       *govkeeper.Keeper
	ConsensusKeeper consensuskeeper.Keeper
	UpgradeKeeper   *upgradekeeper.Keeper
	EvidenceKeeper  *evidencekeeper.Keeper
	EpochsKeeper    *epochskeeper.Keeper
	HotspotKeeper   *hotspotkeeper.Keeper
	PocKeeper       *pockeeper.Keeper
	RewardsKeeper   *rewardskeeper.Keeper

	ModuleManager      *module.Manager
	BasicModuleManager module.BasicManager
	configurator       module.Configurator

	// explorer is app.toml's [explorer]: whether the API server serves the
	// coverage explorer.
	explorer explorer.Config

	closeOnce sync.Once
	closeErr  error
}

// New builds the application. loadLatest is false only for export at a past height.
func New(logger log.Logger, db dbm.DB, loadLatest bool, appOpts servertypes.AppOptions, baseAppOptions ...func(*baseapp.BaseApp)) *App {
	params.SetSDKConfig()

	// --- codecs -------------------------------------------------------------
	interfaceRegistry := params.NewInterfaceRegistry()
	appCodec := codec.NewProtoCodec(interfaceRegistry)
	legacyAmino := codec.NewLegacyAmino()
	txConfig := authtx.NewTxConfig(appCodec, authtx.DefaultSignModes)
	std.RegisterLegacyAminoCodec(legacyAmino)
	std.RegisterInterfaces(interfaceRegistry)

	bApp := baseapp.NewBaseApp(params.AppName, logger, db, txConfig.TxDecoder(), baseAppOptions...)
	bApp.SetVersion(version.Version)
	bApp.SetInterfaceRegistry(interfaceRegistry)
	bApp.SetTxEncoder(txConfig.TxEncoder())

	keys := storetypes.NewKVStoreKeys(
		authtypes.StoreKey, banktypes.StoreKey, stakingtypes.StoreKey, distrtypes.StoreKey,
		slashingtypes.StoreKey, govtypes.StoreKey, consensustypes.StoreKey, upgradetypes.StoreKey,
		evidencetypes.StoreKey, epochstypes.StoreKey, hotspottypes.StoreKey, poctypes.StoreKey,
		rewardstypes.StoreKey,
	)
	if err := bApp.RegisterStreamingServices(appOpts, keys); err != nil {
		panic(err)
	}

	app := &App{
		BaseApp:           bApp,
		legacyAmino:       legacyAmino,
		appCodec:          appCodec,
		txConfig:          txConfig,
		interfaceRegistry: interfaceRegistry,
		keys:              keys,
		explorer:          explorer.ConfigFromAppOptions(appOpts),
	}
	govAuthority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	addrCodec := authcodec.NewBech32Codec(sdk.GetConfig().GetBech32AccountAddrPrefix())
	store := func(key string) corestore.KVStoreService { return runtime.NewKVStoreService(keys[key]) }

	// --- keepers, in dependency order ----------------------------------------
	app.ConsensusKeeper = consensuskeeper.NewKeeper(appCodec, store(consensustypes.StoreKey), govAuthority, runtime.EventService{})
	bApp.SetParamStore(app.ConsensusKeeper.ParamsStore)

	app.AccountKeeper = authkeeper.NewAccountKeeper(appCodec, store(authtypes.StoreKey), authtypes.ProtoBaseAccount,
		maccPerms, addrCodec, sdk.GetConfig().GetBech32AccountAddrPrefix(), govAuthority)
	app.BankKeeper = bankkeeper.NewBaseKeeper(appCodec, store(banktypes.StoreKey), app.AccountKeeper,
		BlockedAddresses(), govAuthority, logger)
	app.StakingKeeper = stakingkeeper.NewKeeper(appCodec, store(stakingtypes.StoreKey), app.AccountKeeper, app.BankKeeper,
		govAuthority,
		authcodec.NewBech32Codec(sdk.GetConfig().GetBech32ValidatorAddrPrefix()),
		authcodec.NewBech32Codec(sdk.GetConfig().GetBech32ConsensusAddrPrefix()))
	app.DistrKeeper = distrkeeper.NewKeeper(appCodec, store(distrtypes.StoreKey), app.AccountKeeper, app.BankKeeper,
		app.StakingKeeper, authtypes.FeeCollectorName, govAuthority)
	app.SlashingKeeper = slashingkeeper.NewKeeper(appCodec, legacyAmino, store(slashingtypes.StoreKey), app.StakingKeeper, govAuthority)

	skipUpgradeHeights := map[int64]bool{}
	for _, h := range cast.ToIntSlice(appOpts.Get(server.FlagUnsafeSkipUpgrades)) {
		skipUpgradeHeights[int64(h)] = true
	}
	homePath := cast.ToString(appOpts.Get(flags.FlagHome))
	app.UpgradeKeeper = upgradekeeper.NewKeeper(skipUpgradeHeights, store(upgradetypes.StoreKey), appCodec, homePath, app.BaseApp, govAuthority)

	app.GovKeeper = govkeeper.NewKeeper(appCodec, store(govtypes.StoreKey), app.AccountKeeper, app.BankKeeper,
		app.DistrKeeper, app.MsgServiceRouter(), govtypes.DefaultConfig(), govAuthority,
		govkeeper.NewDefaultCalculateVoteResultsAndVotingPower(app.StakingKeeper))

	app.EvidenceKeeper = evidencekeeper.NewKeeper(appCodec, store(evidencetypes.StoreKey), app.StakingKeeper,
		app.SlashingKeeper, addrCodec, runtime.ProvideCometInfoService())

	epochsKeeper := epochskeeper.NewKeeper(store(epochstypes.StoreKey), appCodec)
	app.EpochsKeeper = &epochsKeeper

	app.HotspotKeeper = hotspotkeeper.NewKeeper(appCodec, store(hotspottypes.StoreKey), addrCodec, app.DistrKeeper, govAuthority).
		WithBlockedAddrs(app.BankKeeper) // no hotspot owner the bank refuses to pay (module accounts)
	app.PocKeeper = pockeeper.NewKeeper(appCodec, store(poctypes.StoreKey), addrCodec,
		authcodec.NewBech32Codec(sdk.GetConfig().GetBech32ValidatorAddrPrefix()),
		app.HotspotKeeper, app.EpochsKeeper, app.StakingKeeper, govAuthority)
	// x/staking accepts hooks once: x/poc drops the relayer of a validator
	// that leaves the active set.
	app.StakingKeeper.SetHooks(stakingtypes.NewMultiStakingHooks(app.DistrKeeper.Hooks(), app.SlashingKeeper.Hooks(),
		app.PocKeeper.StakingHooks()))
	app.RewardsKeeper = rewardskeeper.NewKeeper(appCodec, store(rewardstypes.StoreKey), addrCodec,
		authtypes.NewModuleAddress(rewardstypes.ModuleName), params.BondDenom, authtypes.FeeCollectorName, app.AccountKeeper,
		app.BankKeeper, app.DistrKeeper, app.PocKeeper, app.HotspotKeeper, app.EpochsKeeper, govAuthority)
	app.HotspotKeeper.SetTransferHooks(app.RewardsKeeper)
	app.PocKeeper.SetPayoutQueue(app.RewardsKeeper)
	// x/epochs accepts hooks once: every module's epoch work is listed here.
	// Rewards settle an epoch before x/poc prunes and rebuilds for the next.
	app.EpochsKeeper.SetHooks(epochstypes.NewMultiEpochHooks(app.RewardsKeeper.Hooks(), app.PocKeeper.Hooks()))

	// --- modules ------------------------------------------------------------
	app.ModuleManager = module.NewManager(
		genutil.NewAppModule(app.AccountKeeper, app.StakingKeeper, app, txConfig),
		auth.NewAppModule(appCodec, app.AccountKeeper, authsims.RandomGenesisAccounts),
		bank.NewAppModule(appCodec, app.BankKeeper, app.AccountKeeper),
		staking.NewAppModule(appCodec, app.StakingKeeper, app.AccountKeeper, app.BankKeeper),
		distr.NewAppModule(appCodec, app.DistrKeeper, app.AccountKeeper, app.BankKeeper, app.StakingKeeper),
		slashing.NewAppModule(appCodec, app.SlashingKeeper, app.AccountKeeper, app.BankKeeper, app.StakingKeeper, interfaceRegistry),
		gov.NewAppModule(appCodec, app.GovKeeper, app.AccountKeeper, app.BankKeeper),
		consensus.NewAppModule(appCodec, app.ConsensusKeeper),
		upgrade.NewAppModule(app.UpgradeKeeper, addrCodec),
		evidence.NewAppModule(*app.EvidenceKeeper),
		epochs.NewAppModule(app.EpochsKeeper),
		hotspot.NewAppModule(app.HotspotKeeper),
		poc.NewAppModule(app.PocKeeper),
		rewards.NewAppModule(app.RewardsKeeper),
	)
	app.BasicModuleManager = module.NewBasicManagerFromManager(app.ModuleManager, map[string]module.AppModuleBasic{
		genutiltypes.ModuleName: genutil.NewAppModuleBasic(genutiltypes.DefaultMessageValidator),
		govtypes.ModuleName:     gov.NewAppModuleBasic([]govclient.ProposalHandler{}),
		banktypes.ModuleName:    bankBasic{},
		epochstypes.ModuleName:  epochsBasic{epochs.NewAppModule(app.EpochsKeeper)},
	})
	app.BasicModuleManager.RegisterLegacyAminoCodec(legacyAmino)
	app.BasicModuleManager.RegisterInterfaces(interfaceRegistry)

	app.ModuleManager.SetOrderPreBlockers(PreBlockers...)
	app.ModuleManager.SetOrderBeginBlockers(BeginBlockers...)
	app.ModuleManager.SetOrderEndBlockers(EndBlockers...)
	app.ModuleManager.SetOrderInitGenesis(InitGenesisOrder...)
	app.ModuleManager.SetOrderExportGenesis(ExportGenesisOrder...)

	app.configurator = module.NewConfigurator(appCodec, app.MsgServiceRouter(), app.GRPCQueryRouter())
	if err := app.ModuleManager.RegisterServices(app.configurator); err != nil {
		panic(err)
	}
	// Registered by runtime.App under depinject; a hand-wired app must do it.
	autocliv1.RegisterQueryServer(app.GRPCQueryRouter(), runtimeservices.NewAutoCLIQueryService(app.ModuleManager.Modules))
	reflectionSvc, err := runtimeservices.NewReflectionService()
	if err != nil {
		panic(err)
	}
	reflectionv1.RegisterReflectionServiceServer(app.GRPCQueryRouter(), reflectionSvc)

	app.registerUpgrades()

	// --- baseapp ------------------------------------------------------------
	app.MountKVStores(keys)
	app.SetInitChainer(app.InitChainer)
	app.SetPreBlocker(app.PreBlocker)
	app.SetBeginBlocker(app.BeginBlocker)
	app.SetEndBlocker(app.EndBlocker)
	anteHandler, err := ante.NewAnteHandler(ante.HandlerOptions{
		AccountKeeper:   app.AccountKeeper,
		BankKeeper:      app.BankKeeper,
		SignModeHandler: txConfig.SignModeHandler(),
		SigGasConsumer:  ante.DefaultSigVerificationGasConsumer,
	})
	if err != nil {
		panic(err)
	}
	// x/poc refuses relays the chain would refuse (unregistered relayer,
	// forged beacon, judged or closed beacon, window still open) in CheckTx
	// as well, so they never reach a block. It runs after the SDK's checks
	// (fees deducted, signatures verified): a relay that pays nothing costs
	// the node nothing beyond the standard checks.
	app.SetAnteHandler(func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
		newCtx, err := anteHandler(ctx, tx, simulate)
		if err != nil {
			return newCtx, err
		}
		return newCtx, app.PocKeeper.CheckRelays(newCtx, tx)
	})

	if loadLatest {
		if err := app.LoadLatestVersion(); err != nil {
			panic(fmt.Errorf("loading latest version: %w", err))
		}
	}
	return app
}

// Upgrades lists the upgrades this binary knows, oldest first. A binary that
// lacks the handler of a scheduled plan halts at its height, which is what
// lets cosmovisor swap in the binary that has it (docs/operator-guide.md).
var Upgrades = []upgrades.Upgrade{v2.Upgrade, v3.Upgrade}

// registerUpgrades installs every known upgrade handler and the store
// loader: the upgrade's, if the node is restarting into one, and in every
// case one that then drops what a crashed commit left (storeloader.go).
func (app *App) registerUpgrades() {
	for _, u := range Upgrades {
		handler := upgrades.RunMigrations
		if u.Handler != nil {
			handler = u.Handler
		}
		app.UpgradeKeeper.SetUpgradeHandler(u.Name, handler(app.ModuleManager, app.configurator))
	}
	info, err := app.UpgradeKeeper.ReadUpgradeInfoFromDisk()
	if err != nil {
		panic(fmt.Errorf("reading upgrade-info.json: %w", err))
	}
	load := baseapp.DefaultStoreLoader
	if info.Name != "" && !app.UpgradeKeeper.IsSkipHeight(info.Height) {
		for _, u := range Upgrades {
			if u.Name == info.Name {
				load = upgradetypes.UpgradeStoreLoader(info.Height, &u.StoreUpgrades)
			}
		}
	}
	app.SetStoreLoader(dropUncommittedVersions(load))
}

// Name returns the app name.
func (app *App) Name() string { return app.BaseApp.Name() }

// Close closes the app's databases once. The SDK's start command calls it
// twice on SIGTERM (after stopping CometBFT, then in its own cleanup), and
// pebble, the application database `pocd init` chooses, panics on a second
// Close: every graceful stop exited with a panic and status 2.
func (app *App) Close() error {
	app.closeOnce.Do(func() { app.closeErr = app.BaseApp.Close() })
	return app.closeErr
}

// LegacyAmino returns the amino codec (genutil and ledger still need it).
func (app *App) LegacyAmino() *codec.LegacyAmino { return app.legacyAmino }

// AppCodec returns the proto codec.
func (app *App) AppCodec() codec.Codec { return app.appCodec }

// InterfaceRegistry returns the interface registry.
func (app *App) InterfaceRegistry() codectypes.InterfaceRegistry { return app.interfaceRegistry }

// TxConfig returns the tx config.
func (app *App) TxConfig() client.TxConfig { return app.txConfig }

// GetKey returns a store key (tests and export only).
func (app *App) GetKey(name string) *storetypes.KVStoreKey { return app.keys[name] }

// PreBlocker runs upgrade (and auth) before the block's transactions.
func (app *App) PreBlocker(ctx sdk.Context, _ *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
	return app.ModuleManager.PreBlock(ctx)
}

// BeginBlocker runs the modules' begin blockers in BeginBlockers order.
func (app *App) BeginBlocker(ctx sdk.Context) (sdk.BeginBlock, error) {
	return app.ModuleManager.BeginBlock(ctx)
}

// EndBlocker runs the modules' end blockers in EndBlockers order.
func (app *App) EndBlocker(ctx sdk.Context) (sdk.EndBlock, error) {
	return app.ModuleManager.EndBlock(ctx)
}

// InitChainer initialises every module from genesis and records module versions
// so that the first upgrade knows what to migrate.
func (app *App) InitChainer(ctx sdk.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	var genesisState map[string]json.RawMessage
	if err := json.Unmarshal(req.AppStateBytes, &genesisState); err != nil {
		return nil, fmt.Errorf("decoding app state: %w", err)
	}
	if err := app.UpgradeKeeper.SetModuleVersionMap(ctx, app.ModuleManager.GetVersionMap()); err != nil {
		return nil, err
	}
	return app.ModuleManager.InitGenesis(ctx, app.appCodec, genesisState)
}

// LoadHeight loads a past version (export at height).
func (app *App) LoadHeight(height int64) error { return app.LoadVersion(height) }

// DefaultGenesis is every module's default genesis with pocd's denoms.
func (app *App) DefaultGenesis() map[string]json.RawMessage {
	return app.BasicModuleManager.DefaultGenesis(app.appCodec)
}

// SimulationManager is not used: pocd tests its modules with keeper tests and
// a real chain instead of randomized simulation.
func (app *App) SimulationManager() *module.SimulationManager { return nil }

// AutoCliOpts gives the CLI every module's query and tx commands.
func (app *App) AutoCliOpts() autocli.AppOptions {
	modules := make(map[string]appmodule.AppModule)
	for name, m := range app.ModuleManager.Modules {
		if am, ok := m.(appmodule.AppModule); ok {
			modules[name] = am
		}
	}
	return autocli.AppOptions{
		Modules:               modules,
		ModuleOptions:         runtimeservices.ExtractAutoCLIOptions(app.ModuleManager.Modules),
		AddressCodec:          authcodec.NewBech32Codec(sdk.GetConfig().GetBech32AccountAddrPrefix()),
		ValidatorAddressCodec: authcodec.NewBech32Codec(sdk.GetConfig().GetBech32ValidatorAddrPrefix()),
		ConsensusAddressCodec: authcodec.NewBech32Codec(sdk.GetConfig().GetBech32ConsensusAddrPrefix()),
	}
}

// RegisterAPIRoutes mounts the REST gateway routes, the SDK swagger UI, our
// own OpenAPI document at /openapi/pocd.json and, unless [explorer] enable =
// false, the coverage explorer at /explorer/.
func (app *App) RegisterAPIRoutes(apiSvr *api.Server, apiConfig config.APIConfig) {
	clientCtx := apiSvr.ClientCtx
	authtx.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	cmtservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	nodeservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	app.BasicModuleManager.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	apiSvr.Router.Handle(openapi.Path, openapi.Handler())
	if err := server.RegisterSwaggerAPI(clientCtx, apiSvr.Router, apiConfig.Swagger); err != nil {
		panic(err)
	}
	explorer.Mount(apiSvr.Router, app.explorer)
}

// RegisterTxService serves cosmos.tx.v1beta1 over gRPC.
func (app *App) RegisterTxService(clientCtx client.Context) {
	authtx.RegisterTxService(app.GRPCQueryRouter(), clientCtx, app.Simulate, app.interfaceRegistry)
}

// RegisterTendermintService serves cosmos.base.tendermint.v1beta1 over gRPC.
func (app *App) RegisterTendermintService(clientCtx client.Context) {
	cmtApp := server.NewCometABCIWrapper(app)
	cmtservice.RegisterTendermintService(clientCtx, app.GRPCQueryRouter(), app.interfaceRegistry, cmtApp.Query)
}

// RegisterNodeService serves cosmos.base.node.v1beta1 over gRPC.
func (app *App) RegisterNodeService(clientCtx client.Context, cfg config.Config) {
	nodeservice.RegisterNodeService(clientCtx, app.GRPCQueryRouter(), cfg, func() int64 {
		return app.CommitMultiStore().EarliestVersion()
	})
}

// BlockedAddresses are module accounts that may not receive coins by MsgSend.
func BlockedAddresses() map[string]bool {
	blocked := make(map[string]bool)
	for acc := range maccPerms {
		blocked[authtypes.NewModuleAddress(acc).String()] = true
	}
	delete(blocked, authtypes.NewModuleAddress(govtypes.ModuleName).String())
	return blocked
}
