package ingest

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/pocnet/pocd/chainclient"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// stepChain is a chain the test scripts block by block: submitted
// transactions pass CheckTx (unless refuse says otherwise) and wait in a
// mempool until the test includes or drops them.
type stepChain struct {
	height   int64
	recorded map[[32]byte]string // beacon -> relayer
	mempool  [][]*poctypes.MsgSubmitPoc
	submits  []int // beacons per submitted transaction
	refuse   func(msgs []*poctypes.MsgSubmitPoc) (chainclient.Result, bool)
	queries  int
}

func newStepChain() *stepChain { return &stepChain{height: 100, recorded: map[[32]byte]string{}} }

func (c *stepChain) Hotspot(context.Context, string) (HotspotStatus, error) {
	return HotspotAsserted, nil
}
func (c *stepChain) Entropy(context.Context, int64) (Entropy, error) { return Entropy{}, ErrNoEntropy }
func (c *stepChain) MaxWitnesses(context.Context) (int, error)       { return 64, nil }
func (c *stepChain) RelayerAddress() string                          { return "hnt1me" }

func (c *stepChain) Recorded(_ context.Context, ids [][32]byte) (int64, map[[32]byte]string, error) {
	c.queries++
	out := map[[32]byte]string{}
	for _, id := range ids {
		if r, ok := c.recorded[id]; ok {
			out[id] = r
		}
	}
	return c.height, out, nil
}

func (c *stepChain) Submit(_ context.Context, msgs []*poctypes.MsgSubmitPoc) (chainclient.Result, error) {
	c.submits = append(c.submits, len(msgs))
	if c.refuse != nil {
		if res, refused := c.refuse(msgs); refused {
			return res, nil
		}
	}
	c.mempool = append(c.mempool, msgs)
	return chainclient.Result{TxHash: "tx"}, nil
}

// block commits a block with the mempool's transactions (include) or
// without them (they are dropped).
func (c *stepChain) block(include bool) {
	c.height++
	if include {
		for _, tx := range c.mempool {
			for _, m := range tx {
				c.recorded[m.Beacon.ToVerify().ID()] = m.Relayer
			}
		}
	}
	c.mempool = nil
}

type relayFixture struct {
	r     *Relayer
	chain *stepChain
	store *Store
	now   time.Time
}

func newRelayFixture(t *testing.T) *relayFixture {
	store, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	f := &relayFixture{chain: newStepChain(), store: store, now: time.UnixMilli(1_700_000_000_000)}
	cfg := DefaultConfig()
	cfg.WitnessWindow, cfg.MaxPocsPerTx = time.Second, 20
	f.r = &Relayer{cfg: cfg, chain: f.chain, store: store, m: NewMetrics(), logger: log.NewNopLogger(),
		now: func() time.Time { return f.now }, self: []byte("me"), resubmitAfter: 10}
	return f
}

// queue stores a signed beacon that arrived now and returns its id.
func (f *relayFixture) queue(t *testing.T, local byte) [32]byte {
	pub, priv, _ := ed25519.GenerateKey(nil)
	b := &verify.Beacon{Pubkey: pub, EntropyHeight: 90, EntropyHash: make([]byte, 32), LocalEntropy: []byte{local, 0, 0, 0},
		Payload: make([]byte, 51), FrequencyHz: 904_300_000, DataRate: "SF9BW125", TxPowerDBm: 27, TimestampNs: f.now.UnixNano()}
	b.Signature = ed25519.Sign(priv, b.SignBytes())
	rep := poctypes.BeaconFromVerify(b)
	raw, err := rep.Marshal()
	require.NoError(t, err)
	ok, err := f.store.PutBeacon(BeaconEntry{ID: b.ID(), PayloadHash: payloadHash(b.Payload), ArrivedMs: f.now.UnixMilli(), Raw: raw})
	require.NoError(t, err)
	require.True(t, ok)
	return b.ID()
}

func (f *relayFixture) step(t *testing.T) {
	t.Helper()
	require.NoError(t, f.r.Step(context.Background()))
}

func (f *relayFixture) queued(t *testing.T) map[[32]byte]BeaconEntry {
	bs, err := f.store.Beacons()
	require.NoError(t, err)
	out := map[[32]byte]BeaconEntry{}
	for _, b := range bs {
		out[b.ID] = b
	}
	return out
}

// Beacons wait for their window, go out together in one transaction, and
// leave the queue counted as included once a block records them; the
// relayer asks the chain once per round.
func TestRelayStepBatchesAndConfirms(t *testing.T) {
	f := newRelayFixture(t)
	a := f.queue(t, 1)
	f.queue(t, 2)
	f.step(t)
	require.Empty(t, f.chain.submits, "nothing is submitted inside the witness window")

	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Equal(t, []int{2}, f.chain.submits, "both beacons in one transaction")
	q := f.queued(t)
	require.Equal(t, StateSubmitted, q[a].State)
	require.Equal(t, int64(100), q[a].SubmittedAt)

	f.step(t) // no block yet: nothing changes, nothing is resubmitted
	require.Equal(t, []int{2}, f.chain.submits)
	require.Len(t, f.queued(t), 2)

	f.chain.block(true)
	queries := f.chain.queries
	f.step(t)
	require.Equal(t, queries+1, f.chain.queries, "one chain query per round")
	require.Empty(t, f.queued(t))
	require.Equal(t, 2.0, testutil.ToFloat64(f.r.m.Included))
	require.Equal(t, 2.0, testutil.ToFloat64(f.r.m.Relayed))
}

// A transaction that passed CheckTx but never reached a block is sent
// again after resubmitAfter blocks, and then counted once.
func TestRelayStepResubmitsDroppedTransaction(t *testing.T) {
	f := newRelayFixture(t)
	f.queue(t, 1)
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Len(t, f.chain.submits, 1)

	for i := 0; i < 10; i++ {
		f.chain.block(false) // the mempool lost it
		f.step(t)
	}
	require.Len(t, f.chain.submits, 1, "not resubmitted within resubmitAfter blocks")
	f.chain.block(false)
	f.step(t)
	require.Len(t, f.chain.submits, 2, "resubmitted after resubmitAfter blocks")
	f.chain.block(true)
	f.step(t)
	require.Empty(t, f.queued(t))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Included))
}

// When another validator's copy is recorded instead of ours, ours leaves
// the queue as peer_relayed, not included.
func TestRelayStepOursLostTheRace(t *testing.T) {
	f := newRelayFixture(t)
	id := f.queue(t, 1)
	f.now = f.now.Add(time.Second)
	f.step(t)
	f.chain.mempool = nil
	f.chain.recorded[id] = "hnt1other"
	f.chain.block(false)
	f.step(t)
	require.Empty(t, f.queued(t))
	require.Zero(t, testutil.ToFloat64(f.r.m.Included))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("peer_relayed")))
}

// One duplicate fails its whole batch in CheckTx; every beacon is then
// retried alone, the duplicate is dropped quietly and the rest land.
func TestRelayStepRetriesRefusedBatchOneByOne(t *testing.T) {
	f := newRelayFixture(t)
	ids := [][32]byte{f.queue(t, 1), f.queue(t, 2), f.queue(t, 3)}
	dup := chainclient.Result{Code: poctypes.ErrDuplicateBeacon.ABCICode(), Codespace: poctypes.ModuleName}
	f.chain.refuse = func(msgs []*poctypes.MsgSubmitPoc) (chainclient.Result, bool) {
		if len(msgs) > 1 {
			// Another validator's copy of one beacon landed after this
			// round's check: CheckTx refuses the whole batch.
			f.chain.recorded[ids[1]] = "hnt1other"
			return dup, true
		}
		if _, seen := f.chain.recorded[msgs[0].Beacon.ToVerify().ID()]; seen {
			return dup, true
		}
		return chainclient.Result{}, false
	}
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Equal(t, []int{3}, f.chain.submits)
	for _, b := range f.queued(t) {
		require.True(t, b.Solo, "a refused batch's beacons go alone next time")
	}
	f.step(t)
	f.chain.block(true)
	f.step(t)
	require.Empty(t, f.queued(t))
	require.Equal(t, 2.0, testutil.ToFloat64(f.r.m.Included))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("peer_relayed")))
}

// A beacon this node relayed before a restart that lost its "submitted"
// state is found on chain with this node as relayer: it leaves the queue
// as included, without a second submission.
func TestRelayStepRecognisesItsOwnEarlierRelay(t *testing.T) {
	f := newRelayFixture(t)
	id := f.queue(t, 1)
	f.chain.recorded[id] = f.chain.RelayerAddress()
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Empty(t, f.chain.submits)
	require.Empty(t, f.queued(t))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Included))
	require.Zero(t, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("peer_relayed")))
}
