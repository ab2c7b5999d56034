package ingest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/ingest"
)

type appOpts map[string]any

func (o appOpts) Get(k string) any { return o[k] }

// The relayer pays the minimum gas price `pocd init` sets for the node,
// also when an older app.toml has no gas-prices key (attack 9,
// docs/security.md); a price or fee that does not parse stops ingest.
func TestRelayerPaysTheMinimumGasPriceByDefault(t *testing.T) {
	require.Equal(t, params.DefaultMinGasPrices, ingest.DefaultConfig().GasPrices)
	require.Empty(t, ingest.DefaultConfig().Fees)

	old := ingest.ConfigFromAppOptions(appOpts{"ingest.fees": ""})
	require.Equal(t, params.DefaultMinGasPrices, old.GasPrices)

	set := ingest.ConfigFromAppOptions(appOpts{"ingest.gas-prices": "0.01bones", "ingest.fees": "5000bones"})
	require.Equal(t, "0.01bones", set.GasPrices)
	require.Equal(t, "5000bones", set.Fees)
	require.NoError(t, set.Validate())

	bad := ingest.DefaultConfig()
	bad.GasPrices = "cheap"
	require.ErrorContains(t, bad.Validate(), "gas-prices")
	bad = ingest.DefaultConfig()
	bad.Fees = "-1bones"
	require.ErrorContains(t, bad.Validate(), "fees")
}

// The connection limits reach the config from app.toml, and the total
// defaults above libp2p's memory-scaled 252 (wire.ConnLimits).
func TestConnectionLimitsComeFromAppToml(t *testing.T) {
	require.Greater(t, ingest.DefaultConfig().MaxConns, 252)
	c := ingest.ConfigFromAppOptions(appOpts{"ingest.max-conns": 10000, "ingest.max-conns-per-ip": 64})
	require.Equal(t, 10000, c.MaxConns)
	require.Equal(t, 64, c.MaxConnsPerIP)
	require.NoError(t, c.Validate())
	c.MaxConns = 0
	require.ErrorContains(t, c.Validate(), "positive")
}
