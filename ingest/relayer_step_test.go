package ingest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/wire"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// stepChain is a chain the test scripts block by block: submitted
// transactions pass CheckTx (unless refuse says otherwise) and wait in a
// mempool until the test includes or drops them. Like x/poc, the first
// relay of a beacon opens its PoC; a later relay while it is open adds the
// witness reports it does not hold yet, and its relayer counts among the
// PoC's relayers once its relay lands, whether or not it added a report;
// the test judges (closes) PoCs.
type stepChain struct {
	height   int64
	recorded map[[32]byte]*stepPoc
	mempool  [][]*poctypes.MsgSubmitPoc
	submits  []int      // beacons per submitted transaction
	gas      []uint64   // gas limit of each submitted transaction
	asked    [][32]byte // every beacon Recorded was asked about
	// maxWitnesses is RelayParams.MaxWitnesses (0: 64).
	maxWitnesses int
	// failRecorded, when set, may make Recorded fail.
	failRecorded func() error
	refuse       func(msgs []*poctypes.MsgSubmitPoc) (chainclient.Result, bool)
	queries      int
	earliest     time.Duration // RelayParams.EarliestRelay
	noKeys       bool          // answer like a node older than report keys
}

type stepPoc struct {
	open      bool
	relayers  []string
	witnesses map[[32]byte]bool // by poctypes.ReportKey
}

func newStepChain() *stepChain { return &stepChain{height: 100, recorded: map[[32]byte]*stepPoc{}} }

func (c *stepChain) Hotspot(context.Context, string) (HotspotInfo, error) {
	return HotspotInfo{Status: HotspotAsserted}, nil
}
func (c *stepChain) Rules(context.Context) (Rules, error)                  { return Rules{}, errors.New("unused") }
func (c *stepChain) IngestPeers(context.Context) (map[peer.ID]bool, error) { return nil, nil }
func (c *stepChain) Entropy(context.Context, int64) (Entropy, error)       { return Entropy{}, ErrNoEntropy }
func (c *stepChain) RelayParams(context.Context) (RelayParams, error) {
	maxW := 64
	if c.maxWitnesses > 0 {
		maxW = c.maxWitnesses
	}
	return RelayParams{MaxWitnesses: maxW, EarliestRelay: c.earliest}, nil
}
func (c *stepChain) RelayerAddress() string { return "hnt1me" }

func (c *stepChain) Recorded(_ context.Context, ids [][32]byte) (int64, map[[32]byte]OnChain, error) {
	c.queries++
	c.asked = append(c.asked, ids...)
	if c.failRecorded != nil {
		if err := c.failRecorded(); err != nil {
			return 0, nil, err
		}
	}
	out := map[[32]byte]OnChain{}
	for _, id := range ids {
		if p, ok := c.recorded[id]; ok {
			rec := OnChain{Open: p.open, Relayers: append([]string(nil), p.relayers...), WitnessReports: len(p.witnesses)}
			if p.open && !c.noKeys {
				rec.Held = maps.Clone(p.witnesses)
			}
			out[id] = rec
		}
	}
	return c.height, out, nil
}

// relay applies one relay as a block would: it opens the PoC, or adds its
// new witness reports to the open one; a relay of a judged PoC is refused.
func (c *stepChain) relay(m *poctypes.MsgSubmitPoc) {
	id := m.Beacon.ToVerify().ID()
	p, ok := c.recorded[id]
	if !ok {
		p = &stepPoc{open: true, witnesses: map[[32]byte]bool{}}
		c.recorded[id] = p
		p.relayers = append(p.relayers, m.Relayer)
	} else if !p.open {
		return
	}
	for _, w := range m.Witnesses {
		p.witnesses[poctypes.ReportKey(w)] = true
	}
	if !slices.Contains(p.relayers, m.Relayer) {
		p.relayers = append(p.relayers, m.Relayer)
	}
}

// judge closes a PoC.
func (c *stepChain) judge(id [32]byte) { c.recorded[id].open = false }

func (c *stepChain) Submit(_ context.Context, msgs []*poctypes.MsgSubmitPoc, gas uint64) (chainclient.Result, error) {
	c.submits = append(c.submits, len(msgs))
	c.gas = append(c.gas, gas)
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
				c.relay(m)
			}
		}
	}
	c.mempool = nil
}

type relayFixture struct {
	r       *Relayer
	chain   *stepChain
	store   *Store
	now     time.Time
	beacons map[[32]byte]*verify.Beacon
	logs    *bytes.Buffer
}

func newRelayFixture(t *testing.T) *relayFixture {
	store, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	f := &relayFixture{chain: newStepChain(), store: store, now: time.UnixMilli(1_700_000_000_000),
		beacons: map[[32]byte]*verify.Beacon{}, logs: &bytes.Buffer{}}
	cfg := DefaultConfig()
	cfg.WitnessWindow, cfg.MaxPocsPerTx = time.Second, 20
	f.r = &Relayer{cfg: cfg, chain: f.chain, store: store, m: NewMetrics(), logger: log.NewLogger(f.logs, log.ColorOption(false)),
		now: func() time.Time { return f.now }, self: []byte("me"), resubmitAfter: 10}
	return f
}

// queue stores a signed beacon that arrived now and returns its id.
func (f *relayFixture) queue(t *testing.T, local byte) [32]byte {
	return f.queueAt(t, local, f.now)
}

// queueAt stores a signed beacon stamped at that arrived now.
func (f *relayFixture) queueAt(t *testing.T, local byte, at time.Time) [32]byte {
	pub, priv, _ := ed25519.GenerateKey(nil)
	payload := make([]byte, 51)
	payload[0] = local
	b := &verify.Beacon{Pubkey: pub, EntropyHeight: 90, EntropyHash: make([]byte, 32), LocalEntropy: []byte{local, 0, 0, 0},
		Payload: payload, FrequencyHz: 904_300_000, DataRate: "SF9BW125", TxPowerDBm: 27, TimestampNs: at.UnixNano()}
	b.Signature = ed25519.Sign(priv, b.SignBytes())
	rep := poctypes.BeaconFromVerify(b)
	raw, err := rep.Marshal()
	require.NoError(t, err)
	ok, err := f.store.PutBeacon(BeaconEntry{ID: b.ID(), PayloadHash: wire.HashPayload(b.Payload), ArrivedMs: f.now.UnixMilli(), Raw: raw}, nil)
	require.NoError(t, err)
	require.True(t, ok)
	f.beacons[b.ID()] = b
	return b.ID()
}

// witness stores a signed witness report of a queued beacon.
func (f *relayFixture) witness(t *testing.T, id [32]byte) {
	b := f.beacons[id]
	_, priv, _ := ed25519.GenerateKey(nil)
	w := verify.Witness{Pubkey: priv.Public().(ed25519.PublicKey), Payload: b.Payload, RSSIDdbm: -900, SNRDdb: 50,
		FrequencyHz: b.FrequencyHz, DataRate: b.DataRate, TimestampNs: b.TimestampNs + 200e6}
	w.Signature = ed25519.Sign(priv, w.SignBytes())
	rep := poctypes.WitnessFromVerify(w)
	raw, err := rep.Marshal()
	require.NoError(t, err)
	ok, err := f.store.PutWitness(wire.HashPayload(b.Payload), WitnessEntry{ID: [32]byte(w.Pubkey), ArrivedMs: f.now.UnixMilli(), Raw: raw})
	require.NoError(t, err)
	require.True(t, ok)
}

// ourRelay is the relay this node would build for a queued beacon, signed
// as relayer: what another validator holding the same reports would send.
func (f *relayFixture) ourRelay(t *testing.T, id [32]byte, relayer string) *poctypes.MsgSubmitPoc {
	t.Helper()
	msg, err := f.r.buildMsg(f.queued(t)[id], 64, nil)
	require.NoError(t, err)
	msg.Relayer = relayer
	return msg
}

// record puts a PoC on the chain as another validator's relay left it.
func (c *stepChain) record(id [32]byte, open bool, relayers ...string) {
	c.recorded[id] = &stepPoc{open: open, relayers: relayers, witnesses: map[[32]byte]bool{}}
}

// ranked makes this node rank for the beacon among itself and one other
// validator: first (rank 0) or second (rank 1).
func (f *relayFixture) ranked(t *testing.T, id [32]byte, rank int) {
	f.r.cfg.RelayJitter = 4 * time.Second
	f.r.self, f.r.peers = []byte("me"), [][]byte{[]byte("peer")}
	if f.r.turn(id) != time.Duration(rank)*f.r.cfg.RelayJitter {
		f.r.self, f.r.peers = []byte("peer"), [][]byte{[]byte("me")}
	}
	require.Equal(t, time.Duration(rank)*f.r.cfg.RelayJitter, f.r.turn(id))
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
	f.chain.record(id, false, "hnt1other") // opened by another validator and judged
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
			f.chain.record(ids[1], false, "hnt1other")
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
	f.chain.record(id, true, "hnt1other", f.chain.RelayerAddress())
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Empty(t, f.chain.submits)
	require.Empty(t, f.queued(t))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Included))
	require.Zero(t, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("peer_relayed")))
}

// A PoC another validator opened is still open when this node's turn
// comes: this node submits its own copy (the chain adds the witness reports
// it lacks) and counts the beacon as included once its address is among
// the PoC's relayers, without waiting for the verdict.
func TestRelayStepAddsToPocOpenedByPeer(t *testing.T) {
	f := newRelayFixture(t)
	id := f.queue(t, 1)
	f.witness(t, id)
	f.ranked(t, id, 1)
	f.chain.record(id, true, "hnt1other") // the peer's relay opened it, without our witness

	f.now = f.now.Add(time.Second) // window over, but not our turn
	f.step(t)
	require.Empty(t, f.chain.submits, "rank 1 waits for its turn")

	f.now = f.now.Add(4 * time.Second)
	f.step(t)
	require.Equal(t, []int{1}, f.chain.submits, "our copy goes to the open PoC")
	require.Len(t, f.chain.mempool[0][0].Witnesses, 1)
	require.Equal(t, StateSubmitted, f.queued(t)[id].State)

	f.step(t) // not in a block yet: still open without us
	require.Len(t, f.queued(t), 1)
	require.Zero(t, testutil.ToFloat64(f.r.m.Included))

	f.chain.block(true)
	require.Equal(t, []string{"hnt1other", "hnt1me"}, f.chain.recorded[id].relayers)
	require.True(t, f.chain.recorded[id].open, "still open: judged later")
	f.step(t)
	require.Empty(t, f.queued(t))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Included))
	require.Zero(t, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("peer_relayed")))
	require.Len(t, f.chain.submits, 1)
}

// A copy sent to a PoC another validator opened is listed among its
// relayers once it lands, even if it added nothing, and counts as included;
// a copy whose transaction was dropped is sent again while the PoC is open.
func TestRelayStepCopyToOpenPocIsResentUntilItLands(t *testing.T) {
	f := newRelayFixture(t)
	id := f.queue(t, 1)
	f.witness(t, id) // a report the open PoC lacks
	f.chain.record(id, true, "hnt1other")
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Equal(t, []int{1}, f.chain.submits)
	for i := 0; i < 11; i++ { // dropped from the mempool
		f.chain.block(false)
		f.step(t)
	}
	require.Len(t, f.chain.submits, 2, "resent while the PoC is open")
	f.chain.block(true)
	f.step(t)
	require.Empty(t, f.queued(t))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Included))
	require.Zero(t, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("peer_relayed")))
}

// An unregistered relayer (x/poc code 9) changes nothing in the queue: the
// round stops after the first refusal, logs it once at error level, and
// the next round tries again; once registered, the relays go through.
func TestRelayStepUnauthorizedRelayerRetries(t *testing.T) {
	f := newRelayFixture(t)
	f.r.cfg.MaxPocsPerTx = 1 // two transactions per round, if nothing stops it
	f.queue(t, 1)
	f.queue(t, 2)
	registered := false
	f.chain.refuse = func([]*poctypes.MsgSubmitPoc) (chainclient.Result, bool) {
		return chainclient.Result{Code: poctypes.ErrUnauthorizedRelayer.ABCICode(), Codespace: poctypes.ModuleName,
			Log: "hnt1me is not registered"}, !registered
	}
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Equal(t, []int{1}, f.chain.submits, "the round stops at the first refusal")
	require.Equal(t, 1, strings.Count(f.logs.String(), "register-relayer"), "logged once: %s", f.logs)
	require.Contains(t, f.logs.String(), "ERR")
	for _, b := range f.queued(t) {
		require.Equal(t, StatePending, b.State)
		require.False(t, b.Solo, "not the beacons' fault")
	}
	f.step(t)
	require.Len(t, f.chain.submits, 2, "retried next round")
	require.Equal(t, 2, strings.Count(f.logs.String(), "register-relayer"), "once per round")

	registered = true
	f.step(t)
	require.Len(t, f.chain.submits, 4)
	f.chain.block(true)
	f.step(t)
	require.Empty(t, f.queued(t))
	require.Equal(t, 2.0, testutil.ToFloat64(f.r.m.Included))
	require.Zero(t, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("refused")))
}

// A relay refused as too early (x/poc code 11: the chain's block time has
// not passed the beacon's witness window) is retried as it was, still
// batched, once the chain has a new block; and a beacon is not submitted before its own timestamp plus the
// chain's witness lag, so one stamped in the future waits alone.
func TestRelayStepTooEarly(t *testing.T) {
	f := newRelayFixture(t)
	f.chain.earliest = 5 * time.Second
	f.queue(t, 1)
	f.queue(t, 2)
	future := f.queueAt(t, 3, f.now.Add(time.Minute))
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Empty(t, f.chain.submits, "the window has passed, but not the chain's witness lag")

	early := true
	f.chain.refuse = func([]*poctypes.MsgSubmitPoc) (chainclient.Result, bool) {
		return chainclient.Result{Code: poctypes.ErrRelayTooEarly.ABCICode(), Codespace: poctypes.ModuleName}, early
	}
	f.now = f.now.Add(4 * time.Second)
	f.step(t)
	require.Equal(t, []int{2}, f.chain.submits, "the two timely beacons, batched; not the future one")
	for _, b := range f.queued(t) {
		require.Equal(t, StatePending, b.State)
		require.False(t, b.Solo, "too early is not the batch's fault")
	}
	early = false
	f.step(t)
	require.Equal(t, []int{2}, f.chain.submits, "not again at the height that refused it: CheckTx would use the same block time")
	f.chain.block(false)
	f.step(t)
	require.Equal(t, []int{2, 2}, f.chain.submits, "retried together after the next block")
	f.chain.block(true)
	f.step(t)
	require.Equal(t, 2.0, testutil.ToFloat64(f.r.m.Included))
	require.Len(t, f.queued(t), 1)
	require.Contains(t, f.queued(t), future)

	f.now = f.now.Add(time.Minute)
	f.step(t)
	require.Equal(t, []int{2, 2, 1}, f.chain.submits, "the future-stamped beacon once its time has come")
}

// A PoC another validator opened that already holds every report this
// node holds is not sent a copy: with gossip the sets are the same, and a
// copy would cost every node a transaction for nothing.
func TestRelayStepNoCopyWhenTheOpenPocHoldsEveryReport(t *testing.T) {
	f := newRelayFixture(t)
	id := f.queue(t, 1)
	f.witness(t, id)
	f.chain.record(id, true, "hnt1other")
	f.chain.relay(f.ourRelay(t, id, "hnt1other")) // the opener relayed the report we hold
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Empty(t, f.chain.submits)
	require.Len(t, f.queued(t), 1, "waits for the verdict")
	f.chain.judge(id)
	f.chain.block(false)
	f.step(t)
	require.Empty(t, f.queued(t))
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("peer_relayed")))
}

// A copy carries only the reports the open PoC lacks, whatever their
// number: an opener that left out an honest report and padded its relay
// with as many others (say, colluders' reports kept off gossip) does not
// keep the honest one out, and the reports the PoC already has are not
// sent again.
func TestRelayStepCopyCarriesOnlyTheReportsThePocLacks(t *testing.T) {
	f := newRelayFixture(t)
	id := f.queue(t, 1)
	f.witness(t, id)
	f.witness(t, id)
	shared := f.ourRelay(t, id, "hnt1other")
	shared.Witnesses = shared.Witnesses[:1]
	f.chain.record(id, true, "hnt1other")
	f.chain.relay(shared)                              // one of ours...
	f.chain.recorded[id].witnesses[[32]byte{1}] = true // ...and two the opener's
	f.chain.recorded[id].witnesses[[32]byte{2}] = true // colluders kept off gossip
	require.Len(t, f.chain.recorded[id].witnesses, 3, "it holds more reports than we do")
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Equal(t, []int{1}, f.chain.submits, "the report it lacks goes in a copy")
	sent := f.chain.mempool[0][0].Witnesses
	require.Len(t, sent, 1, "only the missing one")
	require.NotEqual(t, poctypes.ReportKey(shared.Witnesses[0]), poctypes.ReportKey(sent[0]))
	f.chain.block(true)
	f.step(t)
	require.Empty(t, f.queued(t))
	require.Len(t, f.chain.recorded[id].witnesses, 4)
}

// Against a node that does not list report keys, the relayer falls back to
// comparing counts: no copy to an open PoC holding as many reports as this
// node, a copy (of all its reports: it cannot tell which are missing) to
// one holding fewer.
func TestRelayStepWithoutReportKeysComparesCounts(t *testing.T) {
	f := newRelayFixture(t)
	f.chain.noKeys = true
	asMany, fewer := f.queue(t, 1), f.queue(t, 2)
	for _, id := range [][32]byte{asMany, fewer} {
		f.witness(t, id)
		f.witness(t, id)
		f.chain.record(id, true, "hnt1other")
		f.chain.recorded[id].witnesses[[32]byte{1}] = true
	}
	f.chain.recorded[asMany].witnesses[[32]byte{2}] = true
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Equal(t, []int{1}, f.chain.submits, "one copy, to the PoC holding fewer")
	sent := f.chain.mempool[0][0]
	require.Equal(t, fewer, sent.Beacon.ToVerify().ID())
	require.Len(t, sent.Witnesses, 2, "all of ours")
}

// A relay's gas limit covers the open PoC it may land on, since adding to
// one reads and rewrites its whole record: nothing extra for the first try of
// a PoC not on chain with reports (it opens it); a relay's worth (the chain's
// max_witnesses_per_msg) for a retry, which another validator's copy may
// have beaten to it; and for a PoC already open, what it holds plus a relay's
// worth from each other validator, up to what an open PoC can hold. Relays of
// no reports that landed on a PoC just opened with 14 ran out of gas on the
// devnet.
func TestRelayGasCoversTheOpenPocItMayLandOn(t *testing.T) {
	const maxW = 64 // stepChain's max_witnesses_per_msg
	f := newRelayFixture(t)
	f.r.cfg.MaxPocsPerTx = 1
	first := f.queue(t, 1)
	f.witness(t, first)
	f.queue(t, 3)
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.ElementsMatch(t, []uint64{poctypes.RelayTxGas + poctypes.RelayMsgGasLimit(1, 0), poctypes.RelayTxGas + poctypes.RelayMsgGasLimit(0, maxW)},
		f.chain.gas[:2], "first try, one transaction each: it opens the PoC; unless it holds no reports, when a validator that holds them may open it first")

	// The transactions are dropped; a retry may land on another's copy.
	for range 11 {
		f.chain.block(false)
		f.step(t)
	}
	require.Len(t, f.chain.gas, 4)
	require.ElementsMatch(t, []uint64{poctypes.RelayTxGas + poctypes.RelayMsgGasLimit(1, maxW), poctypes.RelayTxGas + poctypes.RelayMsgGasLimit(0, maxW)},
		f.chain.gas[2:4], "retries")
	f.chain.block(true)
	f.step(t)

	// Another validator opened this one with three reports; ours adds a
	// fourth. Each of the two other validators may add a relay's worth
	// before it lands.
	f.r.peers = [][]byte{[]byte("other"), []byte("third")}
	// One this node does not rank first for: the first-ranked validator's
	// first try does not ask the chain.
	notFirst := func(local byte) [32]byte {
		id := f.queue(t, local)
		for f.r.turn(id) == 0 {
			require.NoError(t, f.store.Complete(f.now.UnixMilli(), f.queued(t)[id]))
			local += 10
			id = f.queue(t, local)
		}
		return id
	}
	open := notFirst(2)
	f.witness(t, open)
	f.chain.record(open, true, "hnt1other")
	for i := range 3 {
		f.chain.recorded[open].witnesses[[32]byte{byte(i)}] = true
	}
	f.now = f.now.Add(f.r.cfg.WitnessWindow + 2*f.r.cfg.RelayJitter) // past any turn
	f.step(t)
	require.Len(t, f.chain.gas, 5)
	require.Equal(t, poctypes.RelayTxGas+poctypes.RelayMsgGasLimit(1, 3+2*maxW), f.chain.gas[4], "an addition to an open PoC")

	// No more than an open PoC can hold.
	full := notFirst(4)
	f.witness(t, full)
	f.chain.record(full, true, "hnt1other")
	for i := range 4*maxW - 1 {
		f.chain.recorded[full].witnesses[[32]byte{byte(i), byte(i >> 8), 1}] = true
	}
	f.now = f.now.Add(f.r.cfg.WitnessWindow + 2*f.r.cfg.RelayJitter)
	f.step(t)
	require.Len(t, f.chain.gas, 6)
	require.Equal(t, poctypes.RelayTxGas+poctypes.RelayMsgGasLimit(1, poctypes.MaxOpenWitnessesFactor*maxW), f.chain.gas[5])
}

// A round expires what is older than report-ttl, counts the beacons as
// dropped (expired), and scans again only expireEvery after the last scan.
func TestRelayStepExpiresOldReportsEveryTenSeconds(t *testing.T) {
	f := newRelayFixture(t)
	f.r.cfg.RelayJitter, f.r.peers = 0, nil
	f.step(t) // the first round scans at once
	require.NotContains(t, f.logs.String(), "expired queued beacons", "nothing expired: nothing said")
	scanned := f.now
	old := f.queue(t, 1)
	young := f.queue(t, 2)
	f.chain.record(young, true, "hnt1other") // keeps it from being relayed and leaving
	f.chain.record(old, true, "hnt1other")
	// The old one arrived report-ttl before the next scan.
	q := f.queued(t)[old]
	q.ArrivedMs = scanned.Add(expireEvery - f.r.cfg.ReportTTL - time.Millisecond).UnixMilli()
	require.NoError(t, f.store.Update(q))

	f.now = scanned.Add(expireEvery - time.Millisecond)
	f.step(t)
	require.Contains(t, f.queued(t), old, "no scan before expireEvery has passed")
	f.now = scanned.Add(expireEvery)
	f.step(t)
	require.NotContains(t, f.queued(t), old, "expired at the scan")
	require.Contains(t, f.queued(t), young)
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("expired")))
}

// queue_oldest_seconds is the age of the oldest queued beacon.
func TestRelayStepReportsTheOldestQueuedBeacon(t *testing.T) {
	f := newRelayFixture(t)
	id := f.queue(t, 1)
	f.chain.record(id, true, "hnt1other")
	f.now = f.now.Add(3500 * time.Millisecond)
	f.queue(t, 2)
	f.step(t)
	require.Equal(t, 3.5, testutil.ToFloat64(f.r.m.OldestQueued))
}

// A round asks the chain about every beacon it submitted and every due one,
// except a due beacon this node ranks first for and has not tried: the
// others are waiting their turn, so it cannot be on chain. Alone, a node
// asks about every due beacon.
func TestRelayStepAsksTheChainOnlyWhatItCannotKnow(t *testing.T) {
	f := newRelayFixture(t)
	f.r.peers = [][]byte{[]byte("other")}
	var first, later [32]byte
	for i := byte(1); first == [32]byte{} || later == [32]byte{}; i++ {
		id := f.queue(t, i)
		if f.r.turn(id) == 0 && first == [32]byte{} {
			first = id
		} else if f.r.turn(id) > 0 && later == [32]byte{} {
			later = id
		} else {
			require.NoError(t, f.store.Complete(f.now.UnixMilli(), f.queued(t)[id]))
		}
	}
	f.now = f.now.Add(f.r.cfg.WitnessWindow + f.r.cfg.RelayJitter)
	f.step(t)
	require.ElementsMatch(t, [][32]byte{later}, f.chain.asked, "the first-ranked, untried beacon is not asked about")
	f.chain.asked = nil
	f.step(t) // both submitted now
	require.ElementsMatch(t, [][32]byte{first, later}, f.chain.asked)

	alone := newRelayFixture(t)
	id := alone.queue(t, 1)
	alone.now = alone.now.Add(alone.r.cfg.WitnessWindow)
	alone.step(t)
	require.Equal(t, [][32]byte{id}, alone.chain.asked, "alone it cannot rank anyone else first")
}

// Run logs a failed round while it runs, and not a round that failed because
// the node is stopping.
func TestRelayRunLogsFailedRoundsUntilStopped(t *testing.T) {
	run := func(fail func(cancel context.CancelFunc) error) string {
		f := newRelayFixture(t)
		f.r.cfg.RelayInterval = time.Millisecond
		f.queue(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		f.chain.failRecorded = func() error {
			calls++
			if calls == 3 {
				cancel()
			}
			return fail(cancel)
		}
		f.r.Run(ctx) // returns once cancelled
		return f.logs.String()
	}
	logs := run(func(context.CancelFunc) error { return errors.New("node unreachable") })
	require.Contains(t, logs, "relay step failed")
	require.Contains(t, logs, "node unreachable")
	logs = run(func(cancel context.CancelFunc) error {
		cancel()
		return context.Canceled
	})
	require.NotContains(t, logs, "relay step failed", "stopping is not a failure")
}

// Ready beacons go out oldest first: when a round has more than one
// transaction holds, the oldest lead (they are nearest their deadlines).
func TestRelayStepRelaysOldestFirst(t *testing.T) {
	f := newRelayFixture(t)
	f.r.cfg.MaxPocsPerTx = 1
	var ids [][32]byte
	for i := byte(1); i <= 4; i++ {
		ids = append(ids, f.queue(t, i))
		f.now = f.now.Add(time.Millisecond)
	}
	f.now = f.now.Add(f.r.cfg.WitnessWindow)
	f.step(t)
	require.Len(t, f.chain.mempool, 4)
	for i, tx := range f.chain.mempool {
		require.Equal(t, ids[i], tx[0].Beacon.ToVerify().ID(), "transaction %d", i)
	}
}

// What the chain refuses for good leaves the queue at once, counted by why;
// anything else is tried again. A beacon refused in a batch goes alone next
// time, with gas for landing on another's copy (it is no longer its first
// try).
func TestRelayStepFinalRefusalsLeaveTheQueue(t *testing.T) {
	poc := func(err interface{ ABCICode() uint32 }) chainclient.Result {
		return chainclient.Result{Code: err.ABCICode(), Codespace: poctypes.ModuleName}
	}
	for _, c := range []struct {
		name   string
		res    chainclient.Result
		reason string // "" when it stays queued
	}{
		{"malformed", poc(poctypes.ErrMalformedReport), "refused"},
		{"too many witnesses", poc(poctypes.ErrTooManyWitnesses), "refused"},
		{"bad beacon signature", poc(poctypes.ErrBadBeaconSignature), "refused"},
		{"judged or closed", poc(poctypes.ErrDuplicateBeacon), "peer_relayed"},
		{"too old", poc(poctypes.ErrStaleRelay), "expired"},
		{"tx too large", chainclient.Result{Code: sdkerrors.ErrTxTooLarge.ABCICode(), Codespace: sdkerrors.RootCodespace}, "refused"},
		{"insufficient fee", chainclient.Result{Code: sdkerrors.ErrInsufficientFee.ABCICode(), Codespace: sdkerrors.RootCodespace}, ""},
		{"another module's code 2", chainclient.Result{Code: poctypes.ErrDuplicateBeacon.ABCICode(), Codespace: "bank"}, ""},
		{"root code of tx too large in another codespace", chainclient.Result{Code: sdkerrors.ErrTxTooLarge.ABCICode(), Codespace: "bank"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newRelayFixture(t)
			id := f.queue(t, 1)
			f.witness(t, id)
			f.queue(t, 2)
			f.chain.refuse = func([]*poctypes.MsgSubmitPoc) (chainclient.Result, bool) { return c.res, true }
			f.now = f.now.Add(time.Second)
			f.step(t) // the batch of two is refused: each goes alone next
			require.Len(t, f.chain.submits, 1)
			require.Len(t, f.queued(t), 2)
			f.chain.gas = nil
			f.step(t)
			require.Len(t, f.chain.gas, 2, "one transaction each")
			require.Contains(t, f.chain.gas, uint64(poctypes.RelayTxGas)+poctypes.RelayMsgGasLimit(1, 64), "a retry may land on another's copy")
			if c.reason == "" {
				require.Contains(t, f.queued(t), id, "tried again")
				require.True(t, f.queued(t)[id].Solo)
				return
			}
			require.NotContains(t, f.queued(t), id)
			require.Equal(t, 2.0, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues(c.reason)))
		})
	}
}

// Witness reports go out in the order they arrived, up to the chain's
// max_witnesses_per_msg: a flood of later reports cannot push out the early,
// honest ones. Inclusion is timed from the beacon's own timestamp.
func TestRelayStepCarriesTheEarliestReportsAndTimesInclusion(t *testing.T) {
	f := newRelayFixture(t)
	f.chain.maxWitnesses = 2
	id := f.queue(t, 1)
	var keys [][]byte
	for range 3 {
		f.now = f.now.Add(10 * time.Millisecond)
		f.witness(t, id)
	}
	for _, w := range mustWitnesses(t, f, id) {
		keys = append(keys, w.Pubkey)
	}
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.Len(t, f.chain.mempool, 1)
	got := f.chain.mempool[0][0].Witnesses
	require.Len(t, got, 2)
	require.Equal(t, keys[0], got[0].Pubkey)
	require.Equal(t, keys[1], got[1].Pubkey)

	f.chain.block(true)
	f.now = f.now.Add(2 * time.Second)
	f.step(t)
	var m dto.Metric
	require.NoError(t, f.r.m.Latency.Write(&m))
	require.Equal(t, uint64(1), m.GetHistogram().GetSampleCount())
	require.InDelta(t, f.now.Sub(time.Unix(0, f.beacons[id].TimestampNs)).Seconds(), m.GetHistogram().GetSampleSum(), 1e-9)
}

// mustWitnesses are a queued beacon's witness reports in arrival order.
func mustWitnesses(t *testing.T, f *relayFixture, id [32]byte) []verify.Witness {
	t.Helper()
	ws, err := f.store.Witnesses(f.queued(t)[id].PayloadHash)
	require.NoError(t, err)
	sort.Slice(ws, func(i, j int) bool { return ws[i].ArrivedMs < ws[j].ArrivedMs })
	out := make([]verify.Witness, len(ws))
	for i, w := range ws {
		wr, err := wire.DecodeWitness(w.Raw)
		require.NoError(t, err)
		out[i] = wr
	}
	return out
}

// A queued beacon that no longer decodes (only disk corruption does that) is
// dropped as refused by the end of the round, and the round's other beacons
// still go out.
func TestRelayStepDropsAnUndecodableBeacon(t *testing.T) {
	f := newRelayFixture(t)
	good := f.queue(t, 1)
	bad := BeaconEntry{ID: [32]byte{9}, PayloadHash: wire.HashPayload([]byte{9}), ArrivedMs: f.now.UnixMilli(), Raw: []byte{0xff, 0x01}}
	ok, err := f.store.PutBeacon(bad, nil)
	require.NoError(t, err)
	require.True(t, ok)
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.NotContains(t, f.queued(t), bad.ID)
	require.Contains(t, f.queued(t), good)
	require.Equal(t, 1.0, testutil.ToFloat64(f.r.m.Dropped.WithLabelValues("refused")))
	require.Len(t, f.chain.mempool, 1)
	require.Contains(t, f.logs.String(), "dropping undecodable queued beacon")
}

// Shedding lasts while this node has relays due or awaiting inclusion, and
// stops once it has none (no inclusion would ever end the interval).
func TestRelayStepShedsWhileItsRelaysAwaitInclusion(t *testing.T) {
	f := newRelayFixture(t)
	f.r.overload = newOverload(time.Second)
	f.r.overload.shed.Store(true)
	f.queue(t, 1)
	f.now = f.now.Add(time.Second)
	f.step(t) // submitted
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.True(t, f.r.overload.shedding(f.now), "a relay awaits inclusion")
	f.chain.block(true)
	f.step(t) // included: the queue is empty
	f.now = f.now.Add(time.Second)
	f.step(t)
	require.False(t, f.r.overload.shedding(f.now), "nothing due or awaiting inclusion")
}

// A beacon whose batch was refused counts that as a try: when its own relay
// later has to be sent again, its gas allows for another's copy having
// landed first.
func TestRelayStepARefusedBatchCountsAsATry(t *testing.T) {
	f := newRelayFixture(t)
	id := f.queue(t, 1)
	f.witness(t, id)
	f.queue(t, 2)
	f.chain.refuse = func(msgs []*poctypes.MsgSubmitPoc) (chainclient.Result, bool) {
		return chainclient.Result{Code: sdkerrors.ErrInsufficientFee.ABCICode(), Codespace: sdkerrors.RootCodespace}, len(msgs) > 1
	}
	f.now = f.now.Add(time.Second)
	f.step(t) // refused as a batch
	f.step(t) // each alone, accepted
	require.Equal(t, uint32(2), f.queued(t)[id].Attempts)
	for range 11 {
		f.chain.block(false) // dropped from the mempool
		f.step(t)
	}
	require.Len(t, f.chain.gas, 5)
	require.Contains(t, f.chain.gas[3:], uint64(poctypes.RelayTxGas)+poctypes.RelayMsgGasLimit(1, 64))
}

// A relayed report leaves out its payload, which is the beacon's: the chain
// takes the beacon's (OpenPoc.AddWitnesses), and the report's signature
// verifies over it, so the report is the same one in 51 fewer bytes.
func TestRelayLeavesOutTheBeaconsPayload(t *testing.T) {
	f := newRelayFixture(t)
	id := f.queue(t, 1)
	f.witness(t, id)
	full, err := f.r.buildMsg(f.queued(t)[id], 64, nil)
	require.NoError(t, err)
	require.Len(t, full.Witnesses, 1)
	w := full.Witnesses[0]
	require.Empty(t, w.Payload)
	require.Equal(t, f.beacons[id].Payload, full.Beacon.Payload)
	vw := w.WithPayload(full.Beacon.Payload).ToVerify()
	require.True(t, vw.VerifySignature(), "signed over the beacon's payload")
}
