package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/gwmp"
)

// TestRunConfigFile: run's flags can be set in HOME/config.toml (or
// --config) under their names; the command line wins; unknown keys and a
// missing explicit file are errors, a missing default file is not.
func TestRunConfigFile(t *testing.T) {
	home := t.TempDir()
	parse := func(args ...string) (*runFlags, error) {
		cmd := runCmd()
		cmd.Flags().String(flagHome, home, "")
		require.NoError(t, cmd.Flags().Parse(args))
		if err := applyConfigFile(cmd); err != nil {
			return nil, err
		}
		f := cmd.Flags()
		r := &runFlags{}
		r.forwarder, _ = f.GetString(flagForwarder)
		r.eui, _ = f.GetString(flagForwarderEUI)
		r.metrics, _ = f.GetString(flagMetrics)
		r.validators, _ = f.GetStringSlice(flagValidators)
		r.power, _ = f.GetInt32(flagMaxTxPower)
		r.grpc, _ = f.GetString(flagGRPC)
		return r, nil
	}
	r, err := parse()
	require.NoError(t, err, "no config file")
	require.Equal(t, "", r.forwarder)
	require.Equal(t, "127.0.0.1:1690", r.metrics)

	require.NoError(t, os.WriteFile(filepath.Join(home, "config.toml"), []byte(`
grpc = "10.0.0.5:9090"
validator = ["/ip4/10.0.0.5/tcp/26670/p2p/A", "/ip4/10.0.0.6/tcp/26670/p2p/B"]
forwarder = "0.0.0.0:1680"
forwarder-eui = "AA555A0000000001"
max-tx-power = 20
`), 0o600))
	r, err = parse("--forwarder", "127.0.0.1:1700")
	require.NoError(t, err)
	require.Equal(t, &runFlags{forwarder: "127.0.0.1:1700", eui: "AA555A0000000001", metrics: "127.0.0.1:1690",
		validators: []string{"/ip4/10.0.0.5/tcp/26670/p2p/A", "/ip4/10.0.0.6/tcp/26670/p2p/B"}, power: 20, grpc: "10.0.0.5:9090"}, r)

	other := filepath.Join(t.TempDir(), "other.toml")
	require.NoError(t, os.WriteFile(other, []byte(`forwardr = "0.0.0.0:1680"`), 0o600))
	_, err = parse("--config", other)
	require.ErrorContains(t, err, `unknown key "forwardr"`)
	_, err = parse("--config", filepath.Join(home, "missing.toml"))
	require.Error(t, err)
}

type runFlags struct {
	forwarder, eui, metrics, grpc string
	validators                    []string
	power                         int32
}

// A forwarder port reachable from the LAN must name its gateway: the first
// datagram's sender would otherwise be served.
func TestForwarderBeyondLoopbackNeedsEUI(t *testing.T) {
	eui, err := gwmp.ParseEUI("AA555A0000000001")
	require.NoError(t, err)
	require.NoError(t, checkForwarderExposure("", nil))
	require.NoError(t, checkForwarderExposure("127.0.0.1:1680", nil))
	require.NoError(t, checkForwarderExposure("[::1]:1680", nil))
	require.NoError(t, checkForwarderExposure("localhost:1680", nil))
	require.ErrorIs(t, checkForwarderExposure("0.0.0.0:1680", nil), ErrForwarderUnpinned)
	require.ErrorIs(t, checkForwarderExposure(":1680", nil), ErrForwarderUnpinned)
	require.ErrorIs(t, checkForwarderExposure("192.168.1.10:1680", nil), ErrForwarderUnpinned)
	require.NoError(t, checkForwarderExposure("0.0.0.0:1680", &eui))
}
