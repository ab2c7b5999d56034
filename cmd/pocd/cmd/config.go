package cmd

import (
	cmtcfg "github.com/cometbft/cometbft/config"

	serverconfig "github.com/cosmos/cosmos-sdk/server/config"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/explorer"
	"github.com/pocnet/pocd/ingest"
)

// initCometBFTConfig sets pocd's config.toml defaults: Prometheus on :26660.
func initCometBFTConfig() *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.Instrumentation.Prometheus = true
	return cfg
}

// appConfig is app.toml: the SDK's sections plus [app-db], [ingest] and
// [explorer].
type appConfig struct {
	serverconfig.Config `mapstructure:",squash"`
	AppDB               appDBConfig     `mapstructure:"app-db"`
	Ingest              ingest.Config   `mapstructure:"ingest"`
	Explorer            explorer.Config `mapstructure:"explorer"`
}

// initAppConfig sets pocd's app.toml defaults: a minimum gas price of
// params.DefaultMinGasPrices (CheckTx refuses cheaper transactions, so blocks
// cannot be filled for free; docs/operator-guide.md), REST with swagger
// on, SDK metrics exported for Prometheus at
// :1317/metrics?format=prometheus, and PoC ingest on, its relayer paying
// the same gas price, and the coverage explorer served at /explorer/.
func initAppConfig() (string, any) {
	cfg := serverconfig.DefaultConfig()
	cfg.MinGasPrices = params.DefaultMinGasPrices
	cfg.API.Enable = true
	cfg.API.Swagger = true
	cfg.Telemetry.Enabled = true //nolint:staticcheck // the SDK's own modules still report through it
	cfg.Telemetry.PrometheusRetentionTime = 60
	cfg.Telemetry.ServiceName = params.AppName
	// PoC writes a few records per witness report: thousands of IAVL
	// nodes a second under load. goleveldb's compactions then take a
	// growing share of the CPU and stall fsyncs on the same disk (at
	// 2,000 reports/s the node fell behind after about a minute); pebble
	// keeps up (docs/benchmarks.md). CometBFT's own stores are unchanged.
	// pocd opens it with a block cache of [app-db] pebble-cache-mb
	// (appDBOpener).
	cfg.AppDBBackend = "pebbledb"
	setDiskDefaults(cfg)
	return serverconfig.DefaultConfigTemplate + appDBConfigTemplate + ingest.ConfigTemplate + explorer.ConfigTemplate,
		appConfig{Config: *cfg, AppDB: defaultAppDBConfig(), Ingest: ingest.DefaultConfig(), Explorer: explorer.DefaultConfig()}
}
