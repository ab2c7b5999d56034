package cmd

import (
	cmtcfg "github.com/cometbft/cometbft/config"

	serverconfig "github.com/cosmos/cosmos-sdk/server/config"

	"github.com/pocnet/pocd/app"
)

// initCometBFTConfig sets pocd's config.toml defaults: Prometheus on :26660.
func initCometBFTConfig() *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.Instrumentation.Prometheus = true
	return cfg
}

// initAppConfig sets pocd's app.toml defaults: zero minimum gas price in
// bones, REST with swagger on, and SDK metrics exported for Prometheus at
// :1317/metrics?format=prometheus.
func initAppConfig() (string, any) {
	cfg := serverconfig.DefaultConfig()
	cfg.MinGasPrices = "0" + app.BondDenom
	cfg.API.Enable = true
	cfg.API.Swagger = true
	cfg.Telemetry.Enabled = true //nolint:staticcheck // the SDK's own modules still report through it
	cfg.Telemetry.PrometheusRetentionTime = 60
	cfg.Telemetry.ServiceName = app.Name
	return serverconfig.DefaultConfigTemplate, cfg
}
