package keeper_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// ingestPeerID is a deterministic ed25519 libp2p peer ID (12D3KooW...).
func ingestPeerID(t testing.TB, name string) string {
	t.Helper()
	seed := sha256.Sum256([]byte("ingest " + name))
	priv, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed[:]))
	require.NoError(t, err)
	id, err := peer.IDFromPrivateKey(priv)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(id.String(), "12D3KooW"), id.String())
	return id.String()
}

// register bonds operator's validator and registers relayer and ingestPeer.
func (f *fixture) register(t testing.TB, operator, relayer, ingestPeer string) error {
	t.Helper()
	op, err := sdkAccBytes(operator)
	require.NoError(t, err)
	f.staking.bonded[valBech(op)] = true
	_, err = f.msgs.RegisterRelayer(f.ctx, &types.MsgRegisterRelayer{Operator: operator, Relayer: relayer, IngestPeer: ingestPeer})
	return err
}

// ingestPeers is the registrations' ingest peers, by validator, from the
// Relayers query; ingestIndex the same from the uniqueness index.
func (f *fixture) ingestPeers(t testing.TB) map[string]string {
	t.Helper()
	rs, err := f.query.Relayers(f.ctx, &types.QueryRelayersRequest{})
	require.NoError(t, err)
	out := map[string]string{}
	for _, r := range rs.Relayers {
		if r.IngestPeer != "" {
			out[r.Validator] = r.IngestPeer
		}
	}
	return out
}

func (f *fixture) ingestIndex(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, f.k.Relayers.Indexes.IngestPeer.Walk(f.ctx, func(id, val string) (bool, error) {
		out[val] = id
		return false, nil
	}))
	return out
}

func valOf(t testing.TB, operator string) string {
	t.Helper()
	op, err := sdkAccBytes(operator)
	require.NoError(t, err)
	return valBech(op)
}

// The ingest peer registry: a validator registers its ingest host's peer ID
// with its relay account; a peer ID belongs to one validator at a time.
func TestRelayerIngestPeerRegistry(t *testing.T) {
	f := setup(t)
	op1, op2 := f.operator, bech([]byte("operator2___________"))
	val1, val2 := valOf(t, op1), valOf(t, op2)
	rel2 := bech([]byte("relayer2____________"))
	a, b, c := ingestPeerID(t, "a"), ingestPeerID(t, "b"), ingestPeerID(t, "c")
	require.Empty(t, f.ingestPeers(t), "setup registers without an ingest peer")

	// Registered, shown by the query, and in the event.
	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	require.NoError(t, f.register(t, op1, f.relayer, a))
	require.Equal(t, map[string]string{val1: a}, f.ingestPeers(t))
	var ev *types.EventRelayerRegistered
	for _, e := range f.ctx.EventManager().Events().ToABCIEvents() {
		if e.Type == "pocd.poc.v1.EventRelayerRegistered" {
			msg, err := sdk.ParseTypedEvent(e)
			require.NoError(t, err)
			ev = msg.(*types.EventRelayerRegistered)
		}
	}
	require.NotNil(t, ev)
	require.Equal(t, types.EventRelayerRegistered{Validator: val1, Relayer: f.relayer, Replaced: f.relayer, IngestPeer: a}, *ev)

	// Another validator cannot take it.
	err := f.register(t, op2, rel2, a)
	require.ErrorIs(t, err, types.ErrInvalidIngestPeer)
	has, err := f.k.Relayers.Has(f.ctx, val2)
	require.NoError(t, err)
	require.False(t, has, "the refused registration is not stored")
	require.NoError(t, f.register(t, op2, rel2, b))
	require.Equal(t, map[string]string{val1: a, val2: b}, f.ingestPeers(t))

	// The same validator re-registers: its own ID again, then a new one
	// that replaces it and frees the old one.
	require.NoError(t, f.register(t, op1, f.relayer, a))
	require.NoError(t, f.register(t, op1, f.relayer, c))
	require.Equal(t, map[string]string{val1: c, val2: b}, f.ingestPeers(t))
	require.Equal(t, f.ingestPeers(t), f.ingestIndex(t))
	require.ErrorIs(t, f.register(t, op2, rel2, c), types.ErrInvalidIngestPeer)
	require.NoError(t, f.register(t, op2, rel2, a), "a is free again")
	require.Equal(t, map[string]string{val1: c, val2: a}, f.ingestIndex(t))

	// Invalid IDs are refused and change nothing.
	long := strings.Repeat("1", types.MaxIngestPeerLen+1)
	cidForm := peer.ToCid(peer.ID(mustDecode(t, b))).String() // b, spelled as a CID
	for _, bad := range []string{"not-a-peer", "12D3KooW", long, cidForm, " " + b, "/p2p/" + b} {
		require.ErrorIs(t, f.register(t, op1, f.relayer, bad), types.ErrInvalidIngestPeer, "%q", bad)
	}
	require.Equal(t, map[string]string{val1: c, val2: a}, f.ingestPeers(t))

	// Re-registering without one withdraws it.
	require.NoError(t, f.register(t, op1, f.relayer, ""))
	require.Equal(t, map[string]string{val2: a}, f.ingestPeers(t))
	require.Equal(t, map[string]string{val2: a}, f.ingestIndex(t))
	require.NoError(t, f.register(t, op1, f.relayer, c))

	// Unregistering, or leaving the active set, frees the ID for another
	// validator.
	_, err = f.msgs.UnregisterRelayer(f.ctx, &types.MsgUnregisterRelayer{Operator: op1})
	require.NoError(t, err)
	require.Equal(t, map[string]string{val2: a}, f.ingestIndex(t))
	op3 := bech([]byte("operator3___________"))
	require.NoError(t, f.register(t, op3, bech([]byte("relayer3____________")), c))
	op2bz, err := sdkAccBytes(op2)
	require.NoError(t, err)
	require.NoError(t, f.k.StakingHooks().AfterValidatorBeginUnbonding(f.ctx, nil, sdk.ValAddress(op2bz)))
	require.Equal(t, map[string]string{valOf(t, op3): c}, f.ingestIndex(t))
	require.NoError(t, f.register(t, op1, f.relayer, a), "a is free after val2 left the active set")
	require.Equal(t, map[string]string{val1: a, valOf(t, op3): c}, f.ingestPeers(t))
	require.Equal(t, f.ingestPeers(t), f.ingestIndex(t))
}

func mustDecode(t testing.TB, s string) peer.ID {
	t.Helper()
	id, err := peer.Decode(s)
	require.NoError(t, err)
	return id
}

func TestValidateIngestPeer(t *testing.T) {
	require.NoError(t, types.ValidateIngestPeer(""))
	require.NoError(t, types.ValidateIngestPeer(ingestPeerID(t, "x")))
	// An RSA-style (sha256 multihash) peer ID is canonical too.
	require.NoError(t, types.ValidateIngestPeer("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"))
	require.ErrorIs(t, types.ValidateIngestPeer("hnt1abc"), types.ErrInvalidIngestPeer)
	require.ErrorIs(t, types.ValidateIngestPeer(strings.Repeat("Q", 200)), types.ErrInvalidIngestPeer)
}

// Genesis carries the ingest peers, refuses an ID two validators claim,
// and the import rebuilds the uniqueness index.
func TestGenesisIngestPeers(t *testing.T) {
	f := setup(t)
	op2 := bech([]byte("operator2___________"))
	a, b := ingestPeerID(t, "a"), ingestPeerID(t, "b")
	require.NoError(t, f.register(t, f.operator, f.relayer, a))
	require.NoError(t, f.register(t, op2, bech([]byte("relayer2____________")), b))
	require.NoError(t, f.register(t, bech([]byte("operator3___________")), bech([]byte("relayer3____________")), ""))

	gs, g, again := reimport(t, f)
	require.Len(t, gs.Relayers, 3)
	require.Equal(t, gs.Relayers, again.Relayers)
	require.Equal(t, f.ingestPeers(t), g.ingestPeers(t))
	require.Equal(t, f.ingestIndex(t), g.ingestIndex(t), "index rebuilt on import")
	require.ErrorIs(t, g.register(t, bech([]byte("operator4___________")), bech([]byte("relayer4____________")), a),
		types.ErrInvalidIngestPeer, "the imported ID is taken")

	// Validation: one validator per ID, and valid IDs only.
	dup := *gs
	dup.Relayers = append([]types.RelayerRegistration(nil), gs.Relayers...)
	dup.Relayers[1].IngestPeer = a
	require.ErrorIs(t, dup.Validate(), types.ErrInvalidGenesis)
	require.ErrorContains(t, dup.Validate(), "two validators")
	bad := *gs
	bad.Relayers = append([]types.RelayerRegistration(nil), gs.Relayers...)
	bad.Relayers[0].IngestPeer = "not-a-peer"
	require.ErrorIs(t, bad.Validate(), types.ErrInvalidGenesis)
	h := setup(t)
	require.ErrorIs(t, h.k.InitGenesis(h.ctx, bad), types.ErrInvalidGenesis)
}

// A validator moving its relays to a new account keeps its ingest host (and
// so the peer ID hotspots dial); unregistering then announces what ended.
func TestRelayerChangesAccountKeepingItsIngestPeer(t *testing.T) {
	f := setup(t)
	a := ingestPeerID(t, "a")
	require.NoError(t, f.register(t, f.operator, f.relayer, a))
	moved := bech([]byte("relayer-moved_______"))
	require.NoError(t, f.register(t, f.operator, moved, a))
	val := valOf(t, f.operator)
	reg, err := f.k.Relayers.Get(f.ctx, val)
	require.NoError(t, err)
	require.Equal(t, moved, reg.Relayer)
	require.Equal(t, a, reg.IngestPeer)

	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	_, err = f.msgs.UnregisterRelayer(f.ctx, &types.MsgUnregisterRelayer{Operator: f.operator})
	require.NoError(t, err)
	require.Equal(t, []*types.EventRelayerRemoved{{Validator: val, Relayer: moved, Reason: "unregistered", IngestPeer: a}},
		typedEvents[*types.EventRelayerRemoved](t, f.ctx))
	require.Empty(t, f.ingestIndex(t))
}
