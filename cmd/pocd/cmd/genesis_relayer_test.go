package cmd_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/cmd/pocd/cmd"
)

// pocd runs the CLI in process against home and returns its stdout.
func pocd(t *testing.T, home string, args ...string) (string, error) {
	t.Helper()
	root := cmd.NewRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append(args, "--home", home))
	err := svrcmd.Execute(root, "POCD", home)
	return out.String(), err
}

// `pocd genesis add-relayer` writes app_state.poc.relayers from keys or
// addresses, and refuses a second registration of a validator or account.
func TestGenesisAddRelayer(t *testing.T) {
	home := t.TempDir()
	_, err := pocd(t, home, "init", "test", "--chain-id", "pocd-test")
	require.NoError(t, err)
	addr := map[string]string{}
	for _, k := range []string{"validator", "relayer", "other"} {
		_, err := pocd(t, home, "keys", "add", k, "--keyring-backend", "test")
		require.NoError(t, err)
		out, err := pocd(t, home, "keys", "show", k, "-a", "--keyring-backend", "test")
		require.NoError(t, err)
		addr[k] = strings.TrimSpace(out)
	}
	_, err = pocd(t, home, "genesis", "add-relayer", "validator", "relayer", "--keyring-backend", "test")
	require.NoError(t, err)

	accBz, err := sdk.GetFromBech32(addr["validator"], app.Bech32Prefix)
	require.NoError(t, err)
	valoper := sdk.ValAddress(accBz).String()
	require.True(t, strings.HasPrefix(valoper, app.Bech32Prefix+"valoper1"), valoper)
	require.Equal(t, []map[string]any{{"validator": valoper, "relayer": addr["relayer"], "height": "0"}}, genesisRelayers(t, home))

	// Duplicates, by key or by address: the same pair, the validator with
	// another account, another validator with the same account.
	for _, args := range [][]string{
		{"validator", addr["relayer"]},
		{valoper, "other"},
		{addr["other"], "relayer"},
	} {
		_, err := pocd(t, home, append([]string{"genesis", "add-relayer"}, append(args, "--keyring-backend", "test")...)...)
		require.Error(t, err, "%v", args)
	}
	_, err = pocd(t, home, "genesis", "add-relayer", "nokey", "relayer", "--keyring-backend", "test")
	require.ErrorContains(t, err, "neither an address nor a key")

	// An address needs no keyring: the other account relays for itself.
	_, err = pocd(t, home, "genesis", "add-relayer", sdk.ValAddress(mustAcc(t, addr["other"])).String(), addr["other"])
	require.NoError(t, err)
	require.Len(t, genesisRelayers(t, home), 2)
	_, err = pocd(t, home, "genesis", "validate")
	require.NoError(t, err)
}

func mustAcc(t *testing.T, bech string) []byte {
	bz, err := sdk.GetFromBech32(bech, app.Bech32Prefix)
	require.NoError(t, err)
	return bz
}

func genesisRelayers(t *testing.T, home string) []map[string]any {
	bz, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	var gen struct {
		AppState struct {
			Poc struct {
				Relayers []map[string]any `json:"relayers"`
			} `json:"poc"`
		} `json:"app_state"`
	}
	require.NoError(t, json.Unmarshal(bz, &gen))
	return gen.AppState.Poc.Relayers
}
