package ingest_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/ingest"
	"github.com/pocnet/pocd/wire"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// fakeChain is a chain that includes and judges every relayed PoC at once
// and refuses duplicates the way CheckTx does for a judged PoC.
type fakeChain struct {
	mu        sync.Mutex
	hotspots  map[string]ingest.HotspotStatus
	entropy   map[int64]ingest.Entropy
	height    int64 // newest entropy block
	block     int64 // committed height the relayer sees: one more per relay
	peers     map[peer.ID]bool
	recorded  map[string]*poctypes.MsgSubmitPoc
	submitted int
	// lag hides a relayed PoC from Recorded for this long after its
	// submission: a chain that includes late.
	lag         time.Duration
	submittedAt map[string]time.Time
}

func (c *fakeChain) setLag(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lag = d
}

// entropyAge is how long before the fake chain's creation its newest
// entropy block was produced: beacons may be stamped anywhere in the
// current interval bucket (30 s), never before their entropy block.
const entropyAge = time.Minute

func newFakeChain() *fakeChain {
	c := &fakeChain{hotspots: map[string]ingest.HotspotStatus{}, entropy: map[int64]ingest.Entropy{}, peers: map[peer.ID]bool{},
		recorded: map[string]*poctypes.MsgSubmitPoc{}, submittedAt: map[string]time.Time{}, height: 10, block: 10}
	c.entropy[10] = ingest.Entropy{Height: 10, Hash: []byte("0123456789abcdef0123456789abcdef"), TimeMs: time.Now().Add(-entropyAge).UnixMilli()}
	return c
}

func (c *fakeChain) Hotspot(_ context.Context, a string) (ingest.HotspotInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.hotspots[a]
	if st == ingest.HotspotUnknown {
		return ingest.HotspotInfo{}, nil
	}
	return ingest.HotspotInfo{Status: st, Rules: verify.Hotspot{
		Address: a, Asserted: st == ingest.HotspotAsserted, Region: "US915", Gain: 12,
	}}, nil
}

func (c *fakeChain) Entropy(_ context.Context, h int64) (ingest.Entropy, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h == 0 {
		h = c.height
	}
	e, ok := c.entropy[h]
	if !ok {
		return e, ingest.ErrNoEntropy
	}
	return e, nil
}

// testIntervalMs is the fake chain's beacon interval.
const testIntervalMs = 30_000

func (c *fakeChain) Rules(context.Context) (ingest.Rules, error) {
	p := verify.DefaultParams()
	p.BeaconIntervalMs = testIntervalMs
	return ingest.Rules{Params: p, Plans: map[string]verify.RegionPlan{
		"US915": {Channels: plan.ChannelFrequenciesHz, DataRate: plan.DataRate, MaxEIRPDdbm: 360},
	}}, nil
}

func (c *fakeChain) IngestPeers(context.Context) (map[peer.ID]bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[peer.ID]bool, len(c.peers))
	for p := range c.peers {
		out[p] = true
	}
	return out, nil
}

// setIngestPeers registers validators' ingest peers.
func (c *fakeChain) setIngestPeers(ids ...peer.ID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		c.peers[id] = true
	}
}

// advance commits the next block, whose hash is given.
func (c *fakeChain) advance(hash []byte, timeMs int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.height++
	c.entropy[c.height] = ingest.Entropy{Height: c.height, Hash: hash, TimeMs: timeMs}
}

func (c *fakeChain) Recorded(_ context.Context, ids [][32]byte) (int64, map[[32]byte]ingest.OnChain, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[[32]byte]ingest.OnChain{}
	for _, id := range ids {
		if m, ok := c.recorded[string(id[:])]; ok && time.Since(c.submittedAt[string(id[:])]) >= c.lag {
			out[id] = ingest.OnChain{Relayers: []string{m.Relayer}}
		}
	}
	return c.block, out, nil
}

func (c *fakeChain) RelayParams(context.Context) (ingest.RelayParams, error) {
	return ingest.RelayParams{MaxWitnesses: 64}, nil
}

func (c *fakeChain) Submit(_ context.Context, msgs []*poctypes.MsgSubmitPoc, _ uint64) (chainclient.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.submitted++
	for _, m := range msgs {
		id := m.Beacon.ToVerify().ID()
		if _, dup := c.recorded[string(id[:])]; dup {
			return chainclient.Result{Code: poctypes.ErrDuplicateBeacon.ABCICode(), Codespace: poctypes.ModuleName}, nil
		}
	}
	for _, m := range msgs {
		id := m.Beacon.ToVerify().ID()
		c.recorded[string(id[:])] = m
		c.submittedAt[string(id[:])] = time.Now()
	}
	c.block++
	return chainclient.Result{TxHash: fmt.Sprint(c.submitted)}, nil
}

func (c *fakeChain) RelayerAddress() string { return "hnt1relayer" }

func (c *fakeChain) poc(id [32]byte) *poctypes.MsgSubmitPoc {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recorded[string(id[:])]
}

// pocs is how many PoCs the fake chain recorded.
func (c *fakeChain) pocs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.recorded)
}

type hotspot struct {
	priv ed25519.PrivateKey
	addr string
}

func newHotspot(t *testing.T, c *fakeChain, status ingest.HotspotStatus) hotspot {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	addr, err := hotspottypes.HotspotAddress(priv.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	c.mu.Lock()
	c.hotspots[addr] = status
	c.mu.Unlock()
	return hotspot{priv: priv, addr: addr}
}

// peerID is the hotspot's libp2p identity.
func (h hotspot) peerID(t *testing.T) peer.ID {
	k, err := libp2pcrypto.UnmarshalEd25519PublicKey(h.priv.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	id, err := peer.IDFromPublicKey(k)
	require.NoError(t, err)
	return id
}

func testConfig() ingest.Config {
	cfg := ingest.DefaultConfig()
	cfg.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.WitnessWindow = time.Second
	cfg.WitnessAdmission = 500 * time.Millisecond
	cfg.RelayJitter = 0
	cfg.RelayInterval = 50 * time.Millisecond
	return cfg
}

// startService starts ingest with testConfig; it is closed when the test ends.
func startService(t *testing.T, home string, c ingest.Chain) *ingest.Service {
	t.Helper()
	return startServiceWith(t, testConfig(), home, c)
}

func startServiceWith(t *testing.T, cfg ingest.Config, home string, c ingest.Chain) *ingest.Service {
	t.Helper()
	return startServiceLogging(t, cfg, home, c, log.NewNopLogger())
}

func startServiceLogging(t *testing.T, cfg ingest.Config, home string, c ingest.Chain, logger log.Logger) *ingest.Service {
	t.Helper()
	svc, err := ingest.Start(context.Background(), cfg, home, "test-chain", c, ingest.NewMetrics(), logger)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, svc.Close()) })
	return svc
}

func addrOf(svcs ...*ingest.Service) []peer.AddrInfo {
	var out []peer.AddrInfo
	for _, s := range svcs {
		out = append(out, peer.AddrInfo{ID: s.Host.ID(), Addrs: s.Host.Addrs()})
	}
	return out
}

// publisher is h's gateway host peered with the services; it is closed
// when the test ends.
func publisher(t *testing.T, ctx context.Context, h hotspot, svcs ...*ingest.Service) *gateway.Publisher {
	t.Helper()
	p, err := gateway.NewPublisher(ctx, h.priv, nil, addrOf(svcs...), "test-chain")
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

var plan = hotspottypes.RegionPlan{Region: "US915", ChannelFrequenciesHz: []uint64{903_900_000, 904_100_000}, DataRate: "SF9BW125"}

// beaconFrom is a valid beacon of h on the entropy at height 10.
func beaconFrom(c *fakeChain, h hotspot, local byte, at time.Time) *verify.Beacon {
	e, _ := c.Entropy(context.Background(), 10)
	return gateway.BuildBeacon(h.priv, poctypes.BlockEntropy{Height: e.Height, Hash: e.Hash, TimeMs: e.TimeMs},
		[]byte{local, 0, 0, 0}, plan, 51, 27, at)
}

// resign signs a beacon again after the test changed it.
func resign(h hotspot, b *verify.Beacon) *verify.Beacon {
	b.Signature = ed25519.Sign(h.priv, b.SignBytes())
	return b
}

// A beacon and two witnesses published by real libp2p hosts reach the
// chain as one PoC with both witnesses; the beacon leaves the queue.
func TestIngestRelaysPocWithAllWitnesses(t *testing.T) {
	c := newFakeChain()
	svc := startService(t, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	b, w1, w2 := newHotspot(t, c, ingest.HotspotAsserted), newHotspot(t, c, ingest.HotspotAsserted), newHotspot(t, c, ingest.HotspotAsserted)
	pubs := map[string]*gateway.Publisher{}
	for _, h := range []hotspot{b, w1, w2} {
		p := publisher(t, ctx, h, svc)
		require.Equal(t, h.addr, p.Host.ID().String(), "the host's peer ID is the hotspot address")
		pubs[h.addr] = p
	}
	now := time.Now()
	beacon := beaconFrom(c, b, 1, now)
	// Witnesses may arrive before their beacon.
	require.NoError(t, pubs[w1.addr].PublishWitness(ctx, gateway.BuildWitness(w1.priv, beacon, -900, 50, beacon.FrequencyHz, now.Add(200*time.Millisecond))))
	require.NoError(t, pubs[b.addr].PublishBeacon(ctx, beacon))
	require.NoError(t, pubs[w2.addr].PublishWitness(ctx, gateway.BuildWitness(w2.priv, beacon, -1000, 30, beacon.FrequencyHz, now.Add(300*time.Millisecond))))

	var poc *poctypes.MsgSubmitPoc
	require.Eventually(t, func() bool { poc = c.poc(beacon.ID()); return poc != nil }, 20*time.Second, 50*time.Millisecond)
	require.Len(t, poc.Witnesses, 2)
	require.Equal(t, "hnt1relayer", poc.Relayer)
	require.Eventually(t, func() bool {
		bs, err := svc.Store.Beacons()
		return err == nil && len(bs) == 0
	}, 10*time.Second, 50*time.Millisecond, "an included beacon leaves the queue")
	require.Equal(t, 1.0, testutil.ToFloat64(svc.Metrics.Included))
	require.Equal(t, 1.0, testutil.ToFloat64(svc.Metrics.Accepted.WithLabelValues("beacon")))
	require.Equal(t, 2.0, testutil.ToFloat64(svc.Metrics.Accepted.WithLabelValues("witness")))
	require.Equal(t, map[string]uint64{"beacon": 1, "witness": 2}, validationsTimed(t, svc.Metrics),
		"every validation is timed, by topic")
}

// validationsTimed reads the validation_seconds sample count per topic.
func validationsTimed(t *testing.T, m *ingest.Metrics) map[string]uint64 {
	reg := prometheus.NewRegistry()
	require.NoError(t, reg.Register(m.Validation))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]uint64{}
	for _, mf := range mfs {
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "topic" {
					out[l.GetValue()] = metric.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return out
}

// Malformed, oversized, wrongly signed, misdelivered, unknown-hotspot,
// unasserted, stale and bad-entropy reports are each rejected with their
// reason counted, nothing is queued for them, and the node keeps serving:
// a valid beacon delivered afterwards still reaches the chain. Beacons are
// delivered directly, by their own hotspot (by anyone else they are
// not_beaconer); witness reports are gossiped sealed.
func TestIngestRejectsBadReports(t *testing.T) {
	c := newFakeChain()
	svc := startService(t, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	good := newHotspot(t, c, ingest.HotspotAsserted)
	unasserted := newHotspot(t, c, ingest.HotspotUnasserted)
	stranger := hotspot{}
	{
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		stranger.priv = priv // never registered
	}
	attacker := newHotspot(t, c, ingest.HotspotAsserted)
	pubs := map[string]*gateway.Publisher{}
	for _, h := range []hotspot{good, stranger, attacker} {
		pubs[string(h.priv)] = publisher(t, ctx, h, svc)
	}

	now := time.Now()
	forged := beaconFrom(c, good, 2, now)
	forged.TxPowerDBm = 30 // changed after signing
	staleWitness := gateway.BuildWitness(good.priv, beaconFrom(c, good, 3, now), -900, 50, 903_900_000, now.Add(-10*time.Minute))
	badEntropy := beaconFrom(c, good, 4, now)
	badEntropy.EntropyHash = []byte("not the hash recorded at height 10")
	resign(good, badEntropy)
	oldEntropy := beaconFrom(c, good, 5, now)
	oldEntropy.EntropyHeight = 3 // pruned long ago
	resign(good, oldEntropy)

	cases := []struct {
		topic, reason string
		by            hotspot // who delivers or publishes it
		data          []byte
	}{
		{"witness", ingest.RejectMalformed, attacker, []byte{0xff, 0xff, 0xff}},
		{"beacon", ingest.RejectMalformed, attacker, []byte{0xff, 0xff, 0xff}},
		{"beacon", ingest.RejectOversized, attacker, make([]byte, ingest.DefaultConfig().MaxMessageBytes+1)},
		{"beacon", ingest.RejectNotBeaconer, attacker, wire.EncodeBeacon(beaconFrom(c, good, 1, now))},
		{"beacon", ingest.RejectBadSignature, good, wire.EncodeBeacon(forged)},
		{"beacon", ingest.RejectUnknownHotspot, stranger, wire.EncodeBeacon(beaconFrom(c, stranger, 6, now))},
		{"witness", ingest.RejectUnasserted, attacker, wire.SealWitness(gateway.BuildWitness(unasserted.priv, forged, -900, 50, 903_900_000, now), unasserted.priv)},
		{"witness", ingest.RejectStaleTimestamp, attacker, wire.SealWitness(staleWitness, good.priv)},
		{"beacon", ingest.RejectBadEntropy, good, wire.EncodeBeacon(badEntropy)},
		{"beacon", ingest.RejectStaleEntropy, good, wire.EncodeBeacon(oldEntropy)},
	}
	for _, tc := range cases {
		p := pubs[string(tc.by.priv)]
		if tc.topic == "beacon" {
			err := p.DeliverRaw(ctx, tc.data)
			require.ErrorIs(t, err, gateway.ErrBeaconRefused, tc.reason)
			require.ErrorContains(t, err, tc.reason)
		} else {
			require.NoError(t, p.PublishRawWitness(ctx, tc.data), tc.reason)
		}
	}
	require.Eventually(t, func() bool {
		return testutil.ToFloat64(svc.Metrics.Received.WithLabelValues("beacon"))+testutil.ToFloat64(svc.Metrics.Received.WithLabelValues("witness")) == float64(len(cases))
	}, 10*time.Second, 20*time.Millisecond)
	for _, tc := range cases {
		require.Equal(t, 1.0, testutil.ToFloat64(svc.Metrics.Rejected.WithLabelValues(tc.topic, tc.reason)), tc.topic+" "+tc.reason)
	}
	require.Zero(t, testutil.ToFloat64(svc.Metrics.Accepted.WithLabelValues("beacon")))
	bs, err := svc.Store.Beacons()
	require.NoError(t, err)
	require.Empty(t, bs)

	// Still serving; a witness of a held beacon whose signature does not
	// cover what it reports is rejected.
	ok := beaconFrom(c, good, 7, now)
	require.NoError(t, pubs[string(good.priv)].PublishBeacon(ctx, ok))
	tampered := gateway.BuildWitness(attacker.priv, ok, -900, 50, ok.FrequencyHz, now)
	tampered.RSSIDdbm = -500 // after signing
	require.NoError(t, pubs[string(attacker.priv)].PublishRawWitness(ctx, wire.SealWitness(tampered, attacker.priv)))
	require.Eventually(t, func() bool {
		return testutil.ToFloat64(svc.Metrics.Rejected.WithLabelValues("witness", ingest.RejectBadSignature)) == 1
	}, 10*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool { return c.poc(ok.ID()) != nil }, 10*time.Second, 20*time.Millisecond)
	require.Empty(t, c.poc(ok.ID()).Witnesses)
}

// When another validator already got the PoC on chain, the relayer drops
// its copy quietly instead of submitting a duplicate.
func TestIngestDropsBeaconAnotherValidatorRelayed(t *testing.T) {
	c := newFakeChain()
	svc := startService(t, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := newHotspot(t, c, ingest.HotspotAsserted)
	p := publisher(t, ctx, b, svc)
	beacon := beaconFrom(c, b, 9, time.Now())
	// The other validator's relay lands first.
	_, err := c.Submit(ctx, []*poctypes.MsgSubmitPoc{{Relayer: "hnt1other", Beacon: poctypes.BeaconFromVerify(beacon)}}, 0)
	require.NoError(t, err)
	require.NoError(t, p.PublishBeacon(ctx, beacon))
	require.Eventually(t, func() bool {
		return testutil.ToFloat64(svc.Metrics.Dropped.WithLabelValues("peer_relayed")) == 1
	}, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, "hnt1other", c.poc(beacon.ID()).Relayer)
	c.mu.Lock()
	require.Equal(t, 1, c.submitted, "no duplicate submission")
	c.mu.Unlock()
	require.Zero(t, testutil.ToFloat64(svc.Metrics.Relayed))
}

// Accepted reports survive closing and reopening the queue, and a
// duplicate is refused; Expire removes by arrival time.
func TestStoreDurableAndExpiring(t *testing.T) {
	dir := t.TempDir()
	s, err := ingest.OpenStore(dir)
	require.NoError(t, err)
	e := ingest.BeaconEntry{ID: [32]byte{1}, ArrivedMs: 1000, Raw: []byte("beacon")}
	ok, err := s.PutBeacon(e, nil)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.PutBeacon(e, nil)
	require.NoError(t, err)
	require.False(t, ok, "duplicate")
	require.NoError(t, s.Close())

	s, err = ingest.OpenStore(dir)
	require.NoError(t, err)
	defer s.Close()
	bs, err := s.Beacons()
	require.NoError(t, err)
	require.Len(t, bs, 1)
	require.Equal(t, []byte("beacon"), bs[0].Raw)
	st, err := s.Expire(1000, 1000)
	require.NoError(t, err)
	require.Zero(t, st.Beacons, "arrived at the cutoff: kept")
	st, err = s.Expire(1001, 1001)
	require.NoError(t, err)
	require.Equal(t, 1, st.Beacons)
	bs, err = s.Beacons()
	require.NoError(t, err)
	require.Empty(t, bs)
}

// Once the relayer has closed a beacon's witnesses, a witness report of it
// is refused as late rather than acknowledged and then dropped.
func TestStoreRefusesWitnessesOfClosedBeacon(t *testing.T) {
	s, err := ingest.OpenStore(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	ph := [16]byte{9}
	ok, err := s.PutWitness(ph, ingest.WitnessEntry{ID: [32]byte{1}, ArrivedMs: 1, Raw: []byte("w1")})
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, s.CloseWitnesses(2, ph))
	_, err = s.PutWitness(ph, ingest.WitnessEntry{ID: [32]byte{2}, ArrivedMs: 3, Raw: []byte("w2")})
	require.ErrorIs(t, err, ingest.ErrLate)
	ws, err := s.Witnesses(ph)
	require.NoError(t, err)
	require.Len(t, ws, 1)
}
