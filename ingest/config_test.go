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

// Validate refuses each setting that would make the queue misbehave, naming
// it, and takes each at the edge of what is allowed. A disabled ingest is
// not checked at all.
func TestConfigValidateRefusesEachBrokenSetting(t *testing.T) {
	require.NoError(t, ingest.DefaultConfig().Validate())
	for _, tc := range []struct {
		name   string
		change func(*ingest.Config)
		err    string // "" if the edge is allowed
	}{
		{"no listen address", func(c *ingest.Config) { c.Listen = nil }, "ingest.listen"},
		{"zero witness window", func(c *ingest.Config) { c.WitnessWindow = 0 }, "witness-window, relay-interval and gc-interval must be positive"},
		{"zero relay interval", func(c *ingest.Config) { c.RelayInterval = 0 }, "witness-window, relay-interval and gc-interval must be positive"},
		{"zero gc interval", func(c *ingest.Config) { c.GCInterval = 0 }, "witness-window, relay-interval and gc-interval must be positive"},
		{"zero witness admission", func(c *ingest.Config) { c.WitnessAdmission = 0 }, "witness-admission"},
		{"admission as long as the window", func(c *ingest.Config) { c.WitnessAdmission = c.WitnessWindow }, "witness-admission"},
		{"admission just inside the window", func(c *ingest.Config) { c.WitnessAdmission = c.WitnessWindow - 1 }, ""},
		{"negative queue ceiling", func(c *ingest.Config) { c.MaxQueueBytes = -1 }, "max-queue-bytes"},
		{"no queue ceiling", func(c *ingest.Config) { c.MaxQueueBytes = 0 }, ""},
		{"negative relay delay", func(c *ingest.Config) { c.MaxRelayDelay = -1 }, "max-relay-delay"},
		{"no relay delay bound", func(c *ingest.Config) { c.MaxRelayDelay = 0 }, ""},
		{"ttl within window and jitter", func(c *ingest.Config) { c.ReportTTL = c.WitnessWindow + c.RelayJitter }, "report-ttl"},
		{"ttl just past window and jitter", func(c *ingest.Config) { c.ReportTTL = c.WitnessWindow + c.RelayJitter + 1 }, ""},
		{"no pocs per tx", func(c *ingest.Config) { c.MaxPocsPerTx = 0 }, "max-pocs-per-tx"},
		{"one poc per tx", func(c *ingest.Config) { c.MaxPocsPerTx = 1 }, ""},
		{"messages below the largest report", func(c *ingest.Config) { c.MaxMessageBytes = 1023 }, "max-message-bytes"},
		{"messages at the floor", func(c *ingest.Config) { c.MaxMessageBytes = 1024 }, ""},
		{"no validate queue", func(c *ingest.Config) { c.ValidateQueue = 0 }, "queue sizes"},
		{"no validate concurrency", func(c *ingest.Config) { c.ValidateConcurrency = 0 }, "queue sizes"},
		{"no peer queue", func(c *ingest.Config) { c.PeerQueue = 0 }, "queue sizes"},
		{"no connections per ip", func(c *ingest.Config) { c.MaxConnsPerIP = 0 }, "queue sizes"},
		{"queues of one", func(c *ingest.Config) {
			c.ValidateQueue, c.ValidateConcurrency, c.PeerQueue, c.MaxConnsPerIP, c.MaxConns = 1, 1, 1, 1, 1
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ingest.DefaultConfig()
			tc.change(&c)
			if tc.err == "" {
				require.NoError(t, c.Validate())
				return
			}
			require.ErrorContains(t, c.Validate(), tc.err)
			c.Enable = false
			require.NoError(t, c.Validate(), "ingest off: nothing to check")
		})
	}
}
