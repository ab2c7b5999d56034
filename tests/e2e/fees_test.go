package e2e

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/gateway"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// TestAttackFreeVerificationSpam is attack 9 (docs/security.md): anyone
// filling blocks with transactions, PoC relays above all (each witness
// report is an ed25519 verification and several state writes), for free.
// A node set up with nothing but `pocd init`'s defaults must refuse a
// transaction that pays less than the minimum gas price, in CheckTx, before
// any PoC is verified, and its genesis must cap a block's gas and bytes.
func TestAttackFreeVerificationSpam(t *testing.T) {
	n := newNode(t, "pocd-e2e-fees")
	addrs := n.initChain("alice", "bob")

	// What `pocd init` wrote: block limits in the genesis, the minimum gas
	// price in app.toml, and a relayer that pays it.
	var gen struct {
		Consensus struct {
			Params struct {
				Block struct {
					MaxBytes json.RawMessage `json:"max_bytes"`
					MaxGas   json.RawMessage `json:"max_gas"`
				} `json:"block"`
			} `json:"params"`
		} `json:"consensus"`
	}
	bz, err := os.ReadFile(filepath.Join(n.home, "config", "genesis.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, &gen))
	require.Equal(t, fmt.Sprint(app.BlockMaxGas), unquote(gen.Consensus.Params.Block.MaxGas), "genesis block.max_gas")
	require.Equal(t, fmt.Sprint(app.BlockMaxBytes), unquote(gen.Consensus.Params.Block.MaxBytes), "genesis block.max_bytes")
	appToml, err := os.ReadFile(filepath.Join(n.home, "config", "app.toml"))
	require.NoError(t, err)
	require.Contains(t, string(appToml), fmt.Sprintf("minimum-gas-prices = %q\n", params.DefaultMinGasPrices))
	require.Contains(t, string(appToml), fmt.Sprintf("gas-prices = %q\n", params.DefaultMinGasPrices), "[ingest] relayer pays the minimum")
	price, err := sdk.ParseDecCoins(params.DefaultMinGasPrices)
	require.NoError(t, err)
	require.True(t, price.IsAllPositive(), "a non-zero minimum gas price")

	n.start()
	n.waitHeight(2, 90*time.Second)

	// The running chain has the limits.
	var cp struct {
		Result struct {
			ConsensusParams struct {
				Block struct {
					MaxBytes string `json:"max_bytes"`
					MaxGas   string `json:"max_gas"`
				} `json:"block"`
			} `json:"consensus_params"`
		} `json:"result"`
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/consensus_params", n.rpc))
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&cp))
	resp.Body.Close()
	require.Equal(t, fmt.Sprint(app.BlockMaxGas), cp.Result.ConsensusParams.Block.MaxGas)
	require.Equal(t, fmt.Sprint(app.BlockMaxBytes), cp.Result.ConsensusParams.Block.MaxBytes)

	send := func(extra ...string) map[string]any {
		t.Helper()
		out, err := n.run(append([]string{"tx", "bank", "send", "alice", addrs["bob"], "1bones", "--keyring-backend", "test",
			"--chain-id", n.chainID, "--node", n.nodeFlag(), "-y", "-o", "json"}, extra...)...)
		require.NoError(t, err)
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(lastJSON(out)), &res), out)
		return res
	}
	refused := func(res map[string]any, code uint32, what string) {
		t.Helper()
		require.Equal(t, sdkerrors.RootCodespace, res["codespace"], "%s: %v", what, res)
		require.EqualValues(t, code, res["code"], "%s: %v", what, res)
	}
	const gas = 200_000
	minFee := price.AmountOf(params.BondDenom).MulInt64(gas).Ceil().TruncateInt64()

	// No fee at all, and one bone short of the minimum: refused in CheckTx.
	refused(send("--gas", fmt.Sprint(gas)), sdkerrors.ErrInsufficientFee.ABCICode(), "zero fee")
	refused(send("--gas", fmt.Sprint(gas), "--fees", fmt.Sprintf("%d%s", minFee-1, params.BondDenom)),
		sdkerrors.ErrInsufficientFee.ABCICode(), "one bone short")
	// A gas limit beyond the block's is refused whatever it pays: one
	// transaction cannot claim more than a block.
	refused(send("--gas", fmt.Sprint(app.BlockMaxGas+1), "--gas-prices", params.DefaultMinGasPrices),
		sdkerrors.ErrInvalidGasLimit.ABCICode(), "gas above block.max_gas")
	// The minimum price is enough.
	res := send("--gas", fmt.Sprint(gas), "--fees", fmt.Sprintf("%d%s", minFee, params.BondDenom))
	require.EqualValues(t, 0, res["code"], "paying the minimum: %v", res)
	delivered := n.waitTx(res["txhash"].(string))
	require.EqualValues(t, 0, delivered["code"], "paying the minimum: %v", delivered)

	// A PoC relay with 14 signed witness reports and no fee, as a spammer's
	// relayer would send it: refused with insufficient fee before x/poc
	// looks at it.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, free := n.dialSigner("alice", chainclient.Pricing{})
	plan, err := gateway.RegionPlan(ctx, conn, "US915")
	require.NoError(t, err)
	e, err := gateway.Entropy(ctx, conn)
	require.NoError(t, err)
	key := func(i byte) ed25519.PrivateKey { return ed25519.NewKeyFromSeed(append(make([]byte, 31), i)) }
	beacon := gateway.BuildBeacon(key(0), e, []byte{9, 9, 9, 9}, plan, int(poctypes.DefaultParams().PayloadSize), 27, time.Now())
	msg := &poctypes.MsgSubmitPoc{Relayer: addrs["alice"], Beacon: poctypes.BeaconFromVerify(beacon)}
	for i := byte(1); i <= 14; i++ {
		msg.Witnesses = append(msg.Witnesses, poctypes.WitnessFromVerify(gateway.BuildWitness(key(i), beacon, -1000, 50, beacon.FrequencyHz, time.Now())))
	}
	r, err := free.Broadcast(ctx, 2_000_000, msg)
	require.NoError(t, err)
	require.Equal(t, sdkerrors.RootCodespace, r.Codespace, "free relay: %+v", r)
	require.Equal(t, sdkerrors.ErrInsufficientFee.ABCICode(), r.Code, "free relay: %+v", r)
	require.True(t, strings.Contains(r.Log, "insufficient fee"), r.Log)
}

// unquote strips the quotes CometBFT's JSON may put around an int64.
func unquote(n json.RawMessage) string { return strings.Trim(string(n), `"`) }
