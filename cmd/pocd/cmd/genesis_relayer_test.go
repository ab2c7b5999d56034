package cmd_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/app/params"
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

	accBz, err := sdk.GetFromBech32(addr["validator"], params.Bech32Prefix)
	require.NoError(t, err)
	valoper := sdk.ValAddress(accBz).String()
	require.True(t, strings.HasPrefix(valoper, params.Bech32Prefix+"valoper1"), valoper)
	require.Equal(t, []map[string]any{{"validator": valoper, "relayer": addr["relayer"], "height": "0", "ingest_peer": ""}}, genesisRelayers(t, home))

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

// `pocd genesis add-relayer --ingest-peer` registers the validator's ingest
// host (its peer ID from `pocd ingest address`, as the scripts do); a peer ID
// belongs to one validator, and an invalid one is refused.
func TestGenesisAddRelayerIngestPeer(t *testing.T) {
	home := t.TempDir()
	_, err := pocd(t, home, "init", "test", "--chain-id", "pocd-test")
	require.NoError(t, err)
	for _, k := range []string{"validator", "relayer", "other", "other-relayer"} {
		_, err := pocd(t, home, "keys", "add", k, "--keyring-backend", "test")
		require.NoError(t, err)
	}
	out, err := pocd(t, home, "ingest", "address")
	require.NoError(t, err)
	first := strings.SplitN(strings.TrimSpace(out), "\n", 2)[0]
	i := strings.LastIndex(first, "/p2p/")
	require.Positive(t, i, out)
	own := first[i+len("/p2p/"):]
	id, err := peer.Decode(own)
	require.NoError(t, err)

	kr := []string{"--keyring-backend", "test"}
	add := func(args ...string) error {
		_, err := pocd(t, home, append(append([]string{"genesis", "add-relayer"}, args...), kr...)...)
		return err
	}
	for _, bad := range []string{"not-a-peer", strings.Repeat("1", 129), peer.ToCid(id).String()} {
		require.ErrorContains(t, add("validator", "relayer", "--ingest-peer", bad), "invalid ingest peer", "%q", bad)
	}
	require.Empty(t, genesisRelayers(t, home), "nothing written on error")

	require.NoError(t, add("validator", "relayer", "--ingest-peer", own))
	rs := genesisRelayers(t, home)
	require.Len(t, rs, 1)
	require.Equal(t, own, rs[0]["ingest_peer"])
	// Another validator cannot register the same peer ID.
	require.ErrorContains(t, add("other", "other-relayer", "--ingest-peer", own), "already registered")
	require.Len(t, genesisRelayers(t, home), 1)
	// Its own ID, or none, is fine.
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	require.NoError(t, err)
	otherID, err := peer.IDFromPrivateKey(priv)
	require.NoError(t, err)
	require.NoError(t, add("other", "other-relayer", "--ingest-peer", otherID.String()))
	rs = genesisRelayers(t, home)
	require.Len(t, rs, 2)
	require.Equal(t, otherID.String(), rs[1]["ingest_peer"])
	_, err = pocd(t, home, "genesis", "validate")
	require.NoError(t, err)
}

// `pocd tx poc register-relayer` takes the ingest peer as --ingest-peer
// (autocli) and puts it in MsgRegisterRelayer.
func TestRegisterRelayerIngestPeerFlag(t *testing.T) {
	home := t.TempDir()
	_, err := pocd(t, home, "init", "test", "--chain-id", "pocd-test")
	require.NoError(t, err)
	_, err = pocd(t, home, "keys", "add", "validator", "--keyring-backend", "test")
	require.NoError(t, err)
	out, err := pocd(t, home, "keys", "show", "validator", "-a", "--keyring-backend", "test")
	require.NoError(t, err)
	addr := strings.TrimSpace(out)
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	require.NoError(t, err)
	id, err := peer.IDFromPrivateKey(priv)
	require.NoError(t, err)

	out, err = pocd(t, home, "tx", "poc", "register-relayer", addr, "--ingest-peer", id.String(),
		"--from", "validator", "--keyring-backend", "test", "--chain-id", "pocd-test", "--generate-only")
	require.NoError(t, err)
	var tx struct {
		Body struct {
			Messages []map[string]any `json:"messages"`
		} `json:"body"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &tx), out)
	require.Len(t, tx.Body.Messages, 1)
	require.Equal(t, "/pocd.poc.v1.MsgRegisterRelayer", tx.Body.Messages[0]["@type"])
	require.Equal(t, addr, tx.Body.Messages[0]["relayer"])
	require.Equal(t, id.String(), tx.Body.Messages[0]["ingest_peer"])
}

func mustAcc(t *testing.T, bech string) []byte {
	bz, err := sdk.GetFromBech32(bech, params.Bech32Prefix)
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
