package e2e

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/pocnet/pocd/x/hotspot/keyfile"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// editGenesis passes the genesis app_state through edit and writes it back.
func (n *node) editGenesis(edit func(appState map[string]any)) {
	n.t.Helper()
	n.editGenesisDoc(func(gen map[string]any) { edit(gen["app_state"].(map[string]any)) })
}

// editGenesisDoc passes the whole genesis document (consensus params and
// all) through edit and writes it back.
func (n *node) editGenesisDoc(edit func(gen map[string]any)) {
	n.t.Helper()
	path := filepath.Join(n.home, "config", "genesis.json")
	bz, err := os.ReadFile(path)
	require.NoError(n.t, err)
	var gen map[string]any
	require.NoError(n.t, json.Unmarshal(bz, &gen))
	edit(gen)
	bz, err = json.MarshalIndent(gen, "", " ")
	require.NoError(n.t, err)
	require.NoError(n.t, os.WriteFile(path, bz, 0o600))
}

// setEpochDuration shortens an x/epochs identifier in the genesis file.
func (n *node) setEpochDuration(identifier, duration string) {
	n.t.Helper()
	found := false
	n.editGenesis(func(state map[string]any) {
		for _, e := range state["epochs"].(map[string]any)["epochs"].([]any) {
			if m := e.(map[string]any); m["identifier"] == identifier {
				m["duration"] = duration
				found = true
			}
		}
	})
	require.True(n.t, found, "epoch %s in genesis", identifier)
}

// setPocParam sets one x/poc param in genesis.
func (n *node) setPocParam(key string, value any) {
	n.t.Helper()
	n.editGenesis(func(state map[string]any) {
		state["poc"].(map[string]any)["params"].(map[string]any)[key] = value
	})
}

type onboarded struct {
	key     keyfile.Key
	address string
}

// onboard creates, adds and asserts a hotspot through the CLI.
func (n *node) onboard(owner, ownerAddr, cell string) onboarded {
	n.t.Helper()
	path := filepath.Join(n.home, fmt.Sprintf("hs-%s.key", cell))
	n.mustRun("hotspot-key", "generate", path)
	var signed struct {
		PubKey    string `json:"pubkey_hex"`
		Signature string `json:"signature_hex"`
		Mode      string `json:"mode"`
		Address   string `json:"address"`
	}
	require.NoError(n.t, json.Unmarshal([]byte(n.mustRun("hotspot-key", "sign-add", path, ownerAddr, "--chain-id", n.chainID)), &signed))
	res := n.tx("tx", "hotspot", "add-hotspot", signed.PubKey, signed.Mode, signed.Signature, "--from", owner)
	require.EqualValues(n.t, 0, res["code"], "add: %v", res["raw_log"])
	res = n.tx("tx", "hotspot", "assert-location", signed.Address, cell, "12", "5", "US915", "--from", owner)
	require.EqualValues(n.t, 0, res["code"], "assert: %v", res["raw_log"])
	k, err := keyfile.Load(path)
	require.NoError(n.t, err)
	return onboarded{key: k, address: signed.Address}
}

// TestPocOnChain registers hotspots at real San Francisco locations, relays
// signed PoCs with honest and dishonest witnesses through the CLI from the
// validator's registered relayer, and reads the verdicts back over gRPC and
// REST once each PoC has closed. While a PoC is open, a relay of it by an
// account that is not a registered relayer is refused in CheckTx, and the
// registered relayer's second copy adds the witness report the first
// lacked; once judged, a relay of it is refused in CheckTx. The epoch
// boundary recomputes the hex scales.
func TestPocOnChain(t *testing.T) {
	n := newNode(t, "pocd-e2e-poc")
	addrs := n.initChain("alice", "relayer")
	n.setEpochDuration(types.DefaultEpochIdentifier, "20s")
	// Long enough for a second relay through the CLI while the PoC is open.
	n.setPocParam("close_grace_ms", "10000")
	// Beacons stay relayable for twice this (40 s instead of 6 min), so a
	// judged PoC's record can be pruned within the test.
	n.setPocParam("entropy_lifespan_ms", "20000")
	// Full records kept 30 blocks instead of an hour, and never less than
	// those 40 s.
	n.setPocParam("record_retention_blocks", "30")
	n.start()
	n.waitHeight(2, 90*time.Second)

	a := n.onboard("alice", addrs["alice"], "8c283082800b3ff")    // SF Civic Center
	b := n.onboard("alice", addrs["alice"], "8c283080d0a95ff")    // 5 km north
	liar := n.onboard("alice", addrs["alice"], "8c2830da57029ff") // 63 km east

	conn := dialGRPC(t, n.grpc)
	qc := types.NewQueryClient(conn)
	reg := codectypes.NewInterfaceRegistry()
	types.RegisterInterfaces(reg)
	cdc := codec.NewProtoCodec(reg)

	// newBeacon signs a beacon with the newest entropy and returns once the
	// chain's block time has passed its witness window: the chain refuses a
	// relay before that (ErrRelayTooEarly).
	newBeacon := func(beaconer onboarded, local byte) *verify.Beacon {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		e, err := qc.Entropy(ctx, &types.QueryEntropyRequest{})
		require.NoError(t, err)
		plan := types.DefaultParams() // only for the payload size and witness lag
		payload := verify.BeaconPayload(e.Entropy.Hash, beaconer.key.PubKey(), []byte{local, 0, 0, 1}, int(plan.PayloadSize))
		channels := []uint64{903_900_000, 904_100_000, 904_300_000, 904_500_000, 904_700_000, 904_900_000, 905_100_000, 905_300_000}
		beacon := &verify.Beacon{
			Pubkey: beaconer.key.PubKey(), EntropyHeight: e.Entropy.Height, EntropyHash: e.Entropy.Hash,
			LocalEntropy: []byte{local, 0, 0, 1}, Payload: payload, FrequencyHz: channels[verify.BeaconChannel(payload, 8)],
			DataRate: "SF9BW125", TxPowerDBm: 27, TimestampNs: (e.Entropy.TimeMs + 500) * 1e6,
		}
		beacon.Signature = ed25519.Sign(beaconer.key.Private, beacon.SignBytes())
		windowEnd := beacon.TimestampNs/1e6 + plan.WitnessLagMs
		require.Eventually(t, func() bool {
			e, err := qc.Entropy(ctx, &types.QueryEntropyRequest{})
			return err == nil && e.Entropy.TimeMs >= windowEnd
		}, 30*time.Second, 200*time.Millisecond, "block time past the beacon's witness window")
		return beacon
	}
	// pocFile writes the beacon with some witness reports as submit-poc
	// reads it (MsgSubmitPoc without the relayer).
	pocFile := func(name string, beacon *verify.Beacon, witnesses ...func(*verify.Beacon) verify.Witness) string {
		msg := types.MsgSubmitPoc{Beacon: types.BeaconFromVerify(beacon)}
		for _, w := range witnesses {
			msg.Witnesses = append(msg.Witnesses, types.WitnessFromVerify(w(beacon)))
		}
		bz, err := cdc.MarshalJSON(&msg)
		require.NoError(t, err)
		file := filepath.Join(n.home, name)
		require.NoError(t, os.WriteFile(file, bz, 0o600))
		return file
	}
	// relayFile submits a PoC file from the registered relayer and waits
	// for its block.
	relayFile := func(file string) {
		res := n.tx("tx", "poc", "submit-poc", file, "--from", "relayer")
		require.EqualValues(t, 0, res["code"], "submit-poc: %v", res["raw_log"])
	}
	relay := func(beaconer onboarded, local byte, witnesses ...func(*verify.Beacon) verify.Witness) []byte {
		beacon := newBeacon(beaconer, local)
		relayFile(pocFile(fmt.Sprintf("poc-%d.json", local), beacon, witnesses...))
		id := beacon.ID()
		return id[:]
	}
	// refusedInCheckTx submits a PoC file from a key and returns the
	// CheckTx result, which must be a refusal.
	refusedInCheckTx := func(file, from string) map[string]any {
		out, err := n.run(append([]string{"tx", "poc", "submit-poc", file, "--from", from,
			"--keyring-backend", "test", "--chain-id", n.chainID, "--node", n.nodeFlag(), "-y", "-o", "json"}, feeFlags(500_000)...)...)
		require.NoError(t, err)
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(lastJSON(out)), &res))
		require.NotEqualValues(t, 0, res["code"], "CheckTx accepted %s's relay: %s", from, out)
		return res
	}
	// verdict waits for a PoC to close and returns it with its witness verdicts.
	verdict := func(id []byte) *types.QueryPocResponse {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var res *types.QueryPocResponse
		var err error
		require.Eventually(t, func() bool {
			res, err = qc.Poc(ctx, &types.QueryPocRequest{BeaconId: hex.EncodeToString(id)})
			return err == nil && !res.Open
		}, 60*time.Second, 250*time.Millisecond, "PoC %x judged: %v %v", id, res, err)
		return res
	}
	witness := func(who onboarded, rssi int32) func(*verify.Beacon) verify.Witness {
		return func(b *verify.Beacon) verify.Witness {
			w := verify.Witness{Pubkey: who.key.PubKey(), Payload: b.Payload, RSSIDdbm: rssi, SNRDdb: 70,
				FrequencyHz: b.FrequencyHz, DataRate: b.DataRate, TimestampNs: b.TimestampNs + 300e6}
			w.Signature = ed25519.Sign(who.key.Private, w.SignBytes())
			return w
		}
	}

	// Round 1: new hotspots bootstrap reciprocity (A has never witnessed).
	id1 := relay(a, 1, witness(b, -950), witness(liar, -600))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p1 := verdict(id1)
	require.Equal(t, types.REASON_GATEWAY_NO_VALID_WITNESSES, p1.Poc.Reason)
	require.Equal(t, a.address, p1.Poc.Beaconer)

	// Round 2: B beacons; A witnesses honestly, the liar claims -60 dBm at
	// 63 km. The first relay carries A's report only and opens the PoC.
	beacon2 := newBeacon(b, 2)
	id2 := beacon2.ID()
	relayFile(pocFile("poc-2a.json", beacon2, witness(a, -950)))
	allOf2 := pocFile("poc-2.json", beacon2, witness(a, -950), witness(liar, -600))
	open, err := qc.Poc(ctx, &types.QueryPocRequest{BeaconId: hex.EncodeToString(id2[:])})
	require.NoError(t, err)
	require.True(t, open.Open, "open until its close grace has passed")
	require.Positive(t, open.CloseAtMs)
	require.Equal(t, types.REASON_UNSPECIFIED, open.Poc.Reason)
	require.EqualValues(t, 1, open.Poc.WitnessReports)
	require.Equal(t, addrs["relayer"], open.Poc.Relayer)
	require.Empty(t, open.Witnesses, "no verdicts while open")
	// An account that is not a registered relayer is refused in CheckTx.
	unauthorized := refusedInCheckTx(allOf2, "alice")
	require.Equal(t, "poc", unauthorized["codespace"], unauthorized)
	require.EqualValues(t, types.ErrUnauthorizedRelayer.ABCICode(), unauthorized["code"], unauthorized)
	// The registered relayer's second copy, while open, adds the liar's
	// report (A's, already held, is skipped).
	relayFile(allOf2)
	open, err = qc.Poc(ctx, &types.QueryPocRequest{BeaconId: hex.EncodeToString(id2[:])})
	require.NoError(t, err)
	require.True(t, open.Open, "the second relay landed before the close")
	require.EqualValues(t, 2, open.Poc.WitnessReports)

	p2 := verdict(id2[:])
	require.Equal(t, types.REASON_VALID, p2.Poc.Reason, "round 2 beacon")
	require.EqualValues(t, 2, p2.Poc.WitnessReports)
	require.Equal(t, addrs["relayer"], p2.Poc.Relayer)
	require.Less(t, p2.Poc.OpenedHeight, p2.Poc.Height, "judged in a later block than it opened")
	require.Len(t, p2.Poc.SelectionSeed, 32)
	verdicts := map[string]types.WitnessRecord{}
	for _, w := range p2.Witnesses {
		verdicts[w.Witness] = w
	}
	require.Equal(t, types.REASON_VALID, verdicts[a.address].Reason)
	require.True(t, verdicts[a.address].Selected)
	require.InDelta(t, 5000, float64(verdicts[a.address].DistanceM), 60)
	require.Equal(t, types.REASON_BAD_RSSI, verdicts[liar.address].Reason)
	require.Equal(t, types.SIDE_WITNESS, verdicts[liar.address].Side)

	// Shares accrue for x/rewards: default scale 0.2 x units (n = 1: beacon
	// 0.25, witness 1.0), in 10^-8.
	sh, err := qc.RewardShares(ctx, &types.QueryRewardSharesRequest{Hotspot: b.address, Epoch: p2.Poc.Epoch})
	require.NoError(t, err)
	require.Equal(t, uint64(2000*2500), sh.Shares.BeaconShares)
	sh, err = qc.RewardShares(ctx, &types.QueryRewardSharesRequest{Hotspot: a.address, Epoch: p2.Poc.Epoch})
	require.NoError(t, err)
	require.Equal(t, uint64(2000*10000), sh.Shares.WitnessShares)

	// REST: who witnessed B, and whom A witnessed.
	rest := fmt.Sprintf("http://127.0.0.1:%d", n.api)
	var ws struct {
		Witnesses []struct{ Witness, Reason string } `json:"witnesses"`
	}
	requireJSON(t, string(n.waitHTTP(rest+"/pocd/poc/v1/hotspots/"+b.address+"/witnesses", 10*time.Second)), &ws)
	require.Len(t, ws.Witnesses, 2)
	var wd struct {
		Witnessed []struct{ Beaconer, Reason string } `json:"witnessed"`
	}
	requireJSON(t, string(n.waitHTTP(rest+"/pocd/poc/v1/hotspots/"+a.address+"/witnessed", 10*time.Second)), &wd)
	require.Len(t, wd.Witnessed, 1)
	require.Equal(t, "REASON_VALID", wd.Witnessed[0].Reason)

	// Once judged, even the registered relayer's copy is refused in CheckTx.
	dup := refusedInCheckTx(allOf2, "relayer")
	require.Equal(t, "poc", dup["codespace"], dup)
	require.EqualValues(t, types.ErrDuplicateBeacon.ABCICode(), dup["code"], dup)

	// The next PoC epoch end computes the hex scale: B (valid witnessed
	// beacon) is active and alone, scale 1.0.
	var hs *types.QueryHexScaleResponse
	require.Eventually(t, func() bool {
		hs, err = qc.HexScale(ctx, &types.QueryHexScaleRequest{Cell: "8c283080d0a95ff"})
		return err == nil && hs.ComputedEpoch >= 1 && hs.Scale == 10000
	}, 60*time.Second, 500*time.Millisecond, "hex scale after an epoch: %v %v", hs, err)

	// x/rewards settles the epochs and pays the owner; the ledger adds up to
	// the bone (genesis: 10^14 bones each for alice, the relayer and the
	// validator).
	checkRewardsLedger(t, n, conn, addrs["alice"], 3, n.feesOf("alice"), n.totalFeesPaid(),
		sdkmath.NewInt(100_000_000_000_000), sdkmath.NewInt(300_000_000_000_000))

	// The offline checker is the same rules as a binary.
	var chk struct {
		Witnesses []struct{ Reason string } `json:"witnesses"`
	}
	requireJSON(t, n.mustRun("poc", "check", "--unsigned", "../../x/poc/client/offline/testdata/scenario.json"), &chk)
	require.Equal(t, "valid", chk.Witnesses[0].Reason)
	require.Equal(t, "bad_rssi", chk.Witnesses[1].Reason)

	// Full records are the short history: round 2's go record_retention_blocks
	// after the block that judged it, and never while its beacon can still
	// be relayed. Its reward shares stay
	// for retention_epochs, and a relay of it is then refused as stale in
	// CheckTx, not judged and paid a second time (docs/security.md, attack 22).
	pruneCtx, cancelPrune := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancelPrune()
	var pruneErr error
	require.Eventually(t, func() bool {
		_, pruneErr = qc.Poc(pruneCtx, &types.QueryPocRequest{BeaconId: hex.EncodeToString(id2[:])})
		return status.Code(pruneErr) == codes.NotFound
	}, 140*time.Second, 500*time.Millisecond, "round 2's record pruned: %v", pruneErr)
	sh, err = qc.RewardShares(pruneCtx, &types.QueryRewardSharesRequest{Hotspot: b.address, Epoch: p2.Poc.Epoch})
	require.NoError(t, err, "shares outlive the record")
	require.Equal(t, uint64(2000*2500), sh.Shares.BeaconShares)
	wd.Witnessed = nil
	requireJSON(t, string(n.waitHTTP(rest+"/pocd/poc/v1/hotspots/"+a.address+"/witnessed", 10*time.Second)), &wd)
	require.Empty(t, wd.Witnessed, "A's witness record went with the PoC")
	stale := refusedInCheckTx(allOf2, "relayer")
	require.Equal(t, "poc", stale["codespace"], stale)
	require.EqualValues(t, types.ErrStaleRelay.ABCICode(), stale["code"], stale)
}
