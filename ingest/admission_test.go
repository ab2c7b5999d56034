package ingest_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"sync"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/ingest"
	"github.com/pocnet/pocd/wire"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// deliverOnce delivers data as a beacon to svc once, without the
// publisher's retries, and returns the validator's answer.
func deliverOnce(t *testing.T, ctx context.Context, p *gateway.Publisher, svc *ingest.Service, data []byte) wire.BeaconAck {
	t.Helper()
	s, err := p.Host.NewStream(ctx, svc.Host.ID(), wire.BeaconProtocol("test-chain"))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, wire.WriteFrame(s, data))
	require.NoError(t, s.CloseWrite())
	bz, err := wire.ReadFrame(s, wire.MaxAckBytes)
	require.NoError(t, err)
	var ack wire.BeaconAck
	require.NoError(t, ack.Unmarshal(bz))
	return ack
}

func rejected(svc *ingest.Service, label, reason string) float64 {
	return testutil.ToFloat64(svc.Metrics.Rejected.WithLabelValues(label, reason))
}

func ignored(svc *ingest.Service, label, reason string) float64 {
	return testutil.ToFloat64(svc.Metrics.Ignored.WithLabelValues(label, reason))
}

func accepted(svc *ingest.Service, label string) float64 {
	return testutil.ToFloat64(svc.Metrics.Accepted.WithLabelValues(label))
}

func deliveryPoints(svc *ingest.Service, p peer.ID) float64 {
	_, pts := svc.PeerPenalty(p)
	return pts
}

func gossipScore(svc *ingest.Service, p peer.ID) float64 {
	s, _ := svc.PeerPenalty(p)
	return s
}

// requireGossipPenalised waits for p's sampled gossip score (every second)
// to go negative.
func requireGossipPenalised(t *testing.T, svc *ingest.Service, p peer.ID) {
	t.Helper()
	require.Eventually(t, func() bool { return gossipScore(svc, p) < 0 }, 10*time.Second, 50*time.Millisecond,
		"gossip score of %s stays non-negative", p)
}

// requireNotGossipPenalised checks p's score over two samples.
func requireNotGossipPenalised(t *testing.T, svc *ingest.Service, p peer.ID) {
	t.Helper()
	require.Never(t, func() bool { return gossipScore(svc, p) < 0 }, 2100*time.Millisecond, 50*time.Millisecond,
		"gossip score of %s went negative", p)
}

// bucketStart is the start of the fake chain's current interval bucket.
func bucketStart() time.Time {
	now := time.Now().UnixMilli()
	return time.UnixMilli(now - now%testIntervalMs)
}

// A hotspot gets one beacon per interval bucket, and a beacon the chain
// would judge invalid by itself (payload, channel, data rate, power) is
// refused before it costs a relay. Each refusal is a rejection that
// penalises the delivering hotspot.
func TestIngestAdmitsOneBeaconPerIntervalBucket(t *testing.T) {
	c := newFakeChain()
	svc := startService(t, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	h := newHotspot(t, c, ingest.HotspotAsserted)
	p := publisher(t, ctx, h, svc)
	start := bucketStart()
	first := beaconFrom(c, h, 1, start.Add(time.Millisecond))
	second := beaconFrom(c, h, 2, start.Add(2*time.Millisecond))
	require.NotEqual(t, first.ID(), second.ID())
	require.NoError(t, p.PublishBeacon(ctx, first))
	require.Equal(t, 1.0, accepted(svc, "beacon"))
	require.Zero(t, deliveryPoints(svc, h.peerID(t)))
	err := p.PublishBeacon(ctx, second)
	require.ErrorIs(t, err, gateway.ErrBeaconRefused)
	require.ErrorContains(t, err, ingest.RejectIntervalUsed)
	require.Equal(t, 1.0, rejected(svc, "beacon", ingest.RejectIntervalUsed))
	require.InDelta(t, 1, deliveryPoints(svc, h.peerID(t)), 0.01)
	// The same beacon again is a duplicate, not a second use of the bucket.
	require.Equal(t, wire.BeaconAck_STATUS_DUPLICATE, deliverOnce(t, ctx, p, svc, wire.EncodeBeacon(first)).Status)
	require.Equal(t, 1.0, ignored(svc, "beacon", ingest.IgnoreDuplicate))

	// Packets not as the rules derive them, from another hotspot whose
	// bucket is unused.
	g := newHotspot(t, c, ingest.HotspotAsserted)
	gp := publisher(t, ctx, g, svc)
	now := time.Now()
	badPayload := beaconFrom(c, g, 3, now)
	badPayload.Payload = bytes.Repeat([]byte{0x42}, len(badPayload.Payload)) // right size, not derived
	badPayload.FrequencyHz = plan.ChannelFrequenciesHz[verify.BeaconChannel(badPayload.Payload, len(plan.ChannelFrequenciesHz))]
	badChannel := beaconFrom(c, g, 4, now)
	for _, f := range plan.ChannelFrequenciesHz {
		if f != badChannel.FrequencyHz {
			badChannel.FrequencyHz = f // a channel of the plan, not the one the payload selects
			break
		}
	}
	badRate := beaconFrom(c, g, 5, now)
	badRate.DataRate = "SF10BW125"
	loud := beaconFrom(c, g, 6, now)
	require.EqualValues(t, 35, verify.MaxConductedPowerDBm(360, 12))
	loud.TxPowerDBm = 36
	cases := []struct {
		reason string
		b      *verify.Beacon
	}{
		{ingest.RejectInvalidPacket, badPayload},
		{ingest.RejectInvalidPacket, badChannel},
		{ingest.RejectInvalidPacket, badRate},
		{ingest.RejectInvalidTxPower, loud},
	}
	for i, tc := range cases {
		resign(g, tc.b)
		err := gp.PublishBeacon(ctx, tc.b)
		require.ErrorIs(t, err, gateway.ErrBeaconRefused, "case %d", i)
		require.ErrorContains(t, err, tc.reason, "case %d", i)
		require.InDelta(t, float64(i+1), deliveryPoints(svc, g.peerID(t)), 0.01, "case %d penalises", i)
	}
	require.Equal(t, 3.0, rejected(svc, "beacon", ingest.RejectInvalidPacket))
	require.Equal(t, 1.0, rejected(svc, "beacon", ingest.RejectInvalidTxPower))
	// At the power limit, and with nothing else wrong, it is taken: the
	// refusals did not use up the bucket.
	atLimit := beaconFrom(c, g, 7, now)
	atLimit.TxPowerDBm = 35
	require.NoError(t, gp.PublishBeacon(ctx, resign(g, atLimit)))
	require.Equal(t, 2.0, accepted(svc, "beacon"))
	require.Eventually(t, func() bool { return c.poc(first.ID()) != nil && c.poc(atLimit.ID()) != nil }, 10*time.Second, 20*time.Millisecond)
	require.Nil(t, c.poc(second.ID()))
	require.Equal(t, 2, c.pocs())
}

// A beacon naming an entropy block beyond the next one is a lie: it is
// rejected at once (no validation slot held waiting for it) and penalised.
// One naming the next block is ignored as entropy_ahead without penalty;
// its hotspot is told to retry and is admitted once the block is committed.
func TestIngestRefusesFutureEntropyAtOnce(t *testing.T) {
	c := newFakeChain()
	// The node is current: its newest block (11) is a second old.
	c.advance(bytes.Repeat([]byte{10}, 32), time.Now().Add(-time.Second).UnixMilli())
	svc := startService(t, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	liar := newHotspot(t, c, ingest.HotspotAsserted)
	lp := publisher(t, ctx, liar, svc)
	now := time.Now()
	future := gateway.BuildBeacon(liar.priv, poctypes.BlockEntropy{Height: 16, Hash: bytes.Repeat([]byte{5}, 32)},
		[]byte{1, 0, 0, 0}, plan, 51, 27, now)
	began := time.Now()
	err := lp.PublishBeacon(ctx, future)
	elapsed := time.Since(began)
	require.ErrorIs(t, err, gateway.ErrBeaconRefused)
	require.ErrorContains(t, err, ingest.RejectFutureEntropy)
	require.Less(t, elapsed, time.Second, "refused without waiting for the block")
	require.Equal(t, 1.0, rejected(svc, "beacon", ingest.RejectFutureEntropy))
	require.InDelta(t, 1, deliveryPoints(svc, liar.peerID(t)), 0.01)

	early := newHotspot(t, c, ingest.HotspotAsserted)
	ep := publisher(t, ctx, early, svc)
	next := bytes.Repeat([]byte{11}, 32)
	ahead := gateway.BuildBeacon(early.priv, poctypes.BlockEntropy{Height: 12, Hash: next}, []byte{2, 0, 0, 0}, plan, 51, 27, now)
	done := make(chan error, 1)
	go func() { done <- ep.PublishBeacon(ctx, ahead) }()
	require.Eventually(t, func() bool { return ignored(svc, "beacon", ingest.IgnoreEntropyAhead) >= 2 },
		10*time.Second, 20*time.Millisecond, "the hotspot retries")
	select {
	case err := <-done:
		t.Fatalf("delivery ended before the block was committed: %v", err)
	default:
	}
	require.Zero(t, deliveryPoints(svc, early.peerID(t)), "entropy_ahead is not penalised")
	require.Zero(t, accepted(svc, "beacon"))
	c.advance(next, now.Add(-time.Second).UnixMilli())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the retried beacon was not admitted after its block was committed")
	}
	require.Equal(t, 1.0, accepted(svc, "beacon"))
	require.Zero(t, deliveryPoints(svc, early.peerID(t)))
	require.Eventually(t, func() bool { return c.poc(ahead.ID()) != nil }, 10*time.Second, 20*time.Millisecond)
}

// sealedWith is a sealed witness report naming ph, whatever payload w
// signed.
func sealedWith(t *testing.T, w verify.Witness, ph wire.PayloadHash, priv ed25519.PrivateKey) []byte {
	t.Helper()
	return wire.SealAs(w, ph, priv)
}

// guessedWitness is a witness report of a beacon its hotspot never heard:
// it signs a guessed payload.
func guessedWitness(t *testing.T, h hotspot, b *verify.Beacon, at time.Time) verify.Witness {
	guess := make([]byte, len(b.Payload))
	_, err := rand.Read(guess)
	require.NoError(t, err)
	return gateway.BuildWitness(h.priv, &verify.Beacon{Payload: guess, DataRate: b.DataRate}, -900, 50, b.FrequencyHz, at)
}

// A witness report is admitted only for a beacon this node holds, only
// while that beacon's admission window is open, and once per witness; its
// signature must cover the payload it names by hash only; one that
// carries the payload is refused.
func TestIngestAdmitsWitnessOnlyForHeldBeaconInWindowOnce(t *testing.T) {
	c := newFakeChain()
	cfg := testConfig()
	cfg.WitnessAdmission = 2 * time.Second
	cfg.WitnessWindow = 4 * time.Second
	svc := startServiceWith(t, cfg, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	b := newHotspot(t, c, ingest.HotspotAsserted)
	honest, liar, leaker := newHotspot(t, c, ingest.HotspotAsserted), newHotspot(t, c, ingest.HotspotAsserted), newHotspot(t, c, ingest.HotspotAsserted)
	bp := publisher(t, ctx, b, svc)
	hp, lp, kp := publisher(t, ctx, honest, svc), publisher(t, ctx, liar, svc), publisher(t, ctx, leaker, svc)
	now := time.Now()

	// A beacon this node never received: the report waits for it, then is
	// ignored.
	never := beaconFrom(c, b, 1, now)
	require.NoError(t, hp.PublishWitness(ctx, gateway.BuildWitness(honest.priv, never, -900, 50, never.FrequencyHz, now)))
	require.Eventually(t, func() bool { return ignored(svc, "witness", ingest.IgnoreUnknownBeacon) == 1 }, 10*time.Second, 20*time.Millisecond)

	beacon := beaconFrom(c, b, 2, now)
	require.NoError(t, bp.PublishBeacon(ctx, beacon))
	delivered := time.Now()
	ph := wire.HashPayload(beacon.Payload)

	require.NoError(t, hp.PublishWitness(ctx, gateway.BuildWitness(honest.priv, beacon, -900, 50, beacon.FrequencyHz, now.Add(100*time.Millisecond))))
	require.Eventually(t, func() bool { return accepted(svc, "witness") == 1 }, 10*time.Second, 20*time.Millisecond)
	// The same witness again, stamped differently (other bytes, another
	// gossip message): one report per witness per beacon.
	require.NoError(t, hp.PublishWitness(ctx, gateway.BuildWitness(honest.priv, beacon, -910, 40, beacon.FrequencyHz, now.Add(200*time.Millisecond))))
	require.Eventually(t, func() bool { return ignored(svc, "witness", ingest.IgnoreDuplicate) == 1 }, 10*time.Second, 20*time.Millisecond)

	// It did not hear the beacon: its signature covers a guessed payload,
	// though it names the right hash.
	require.NoError(t, lp.PublishRawWitness(ctx, sealedWith(t, guessedWitness(t, liar, beacon, now), ph, liar.priv)))
	require.Eventually(t, func() bool { return rejected(svc, "witness", ingest.RejectBadSignature) == 1 }, 10*time.Second, 20*time.Millisecond)

	// Reports that reveal the payload on the open topic: a sealed report
	// that carries it, and a full report.
	full := gateway.BuildWitness(leaker.priv, beacon, -900, 50, beacon.FrequencyHz, now)
	r := poctypes.WitnessFromVerify(full)
	leaky, err := (&wire.SealedWitness{Report: &r, PayloadHash: ph[:]}).Marshal()
	require.NoError(t, err)
	require.NoError(t, kp.PublishRawWitness(ctx, leaky))
	require.Eventually(t, func() bool { return rejected(svc, "witness", ingest.RejectUnsealed) == 1 }, 10*time.Second, 20*time.Millisecond)
	require.NoError(t, kp.PublishRawWitness(ctx, wire.EncodeWitness(full)))
	require.Eventually(t, func() bool {
		return rejected(svc, "witness", ingest.RejectUnsealed)+rejected(svc, "witness", ingest.RejectMalformed) == 2
	}, 10*time.Second, 20*time.Millisecond, "a full witness report on the open topic is rejected")

	// After the admission window (and before the window is forgotten, a
	// second later), a report of a witness not yet heard is too late.
	time.Sleep(time.Until(delivered.Add(cfg.WitnessAdmission + 200*time.Millisecond)))
	late := newHotspot(t, c, ingest.HotspotAsserted)
	latep := publisher(t, ctx, late, svc)
	require.NoError(t, latep.PublishWitness(ctx, gateway.BuildWitness(late.priv, beacon, -900, 50, beacon.FrequencyHz, time.Now())))
	require.Eventually(t, func() bool { return ignored(svc, "witness", ingest.IgnoreWindowClosed) == 1 }, 10*time.Second, 20*time.Millisecond)

	requireGossipPenalised(t, svc, liar.peerID(t))
	requireGossipPenalised(t, svc, leaker.peerID(t))
	requireNotGossipPenalised(t, svc, honest.peerID(t))
	requireNotGossipPenalised(t, svc, late.peerID(t))
	require.Zero(t, deliveryPoints(svc, honest.peerID(t)))

	var poc *poctypes.MsgSubmitPoc
	require.Eventually(t, func() bool { poc = c.poc(beacon.ID()); return poc != nil }, 20*time.Second, 50*time.Millisecond)
	require.Len(t, poc.Witnesses, 1, "only the honest, first, in-window report is relayed")
	require.Equal(t, []byte(honest.priv.Public().(ed25519.PublicKey)), poc.Witnesses[0].Pubkey)
	require.Equal(t, int32(-900), poc.Witnesses[0].RssiDdbm)
}

// Past max-queue-bytes new reports are ignored as disk_full (the hotspot
// is told to retry, nobody is penalised), and every report acknowledged
// before is still relayed.
func TestIngestQueueDiskCeiling(t *testing.T) {
	c := newFakeChain()
	svc := startService(t, t.TempDir(), c)
	// Room for a few beacons (a few hundred bytes each) above what the
	// empty queue measures. Set before any report arrives.
	require.NoError(t, svc.Store.SetCeiling(svc.Store.DiskBytes()+1200))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	now := time.Now()
	var taken, refused []*verify.Beacon
	var refusedBy []hotspot
	// The store re-measures itself every second (allocated blocks, which
	// grow by pages): deliver until a delivery is refused.
	for i := 0; i < 60 && len(refused) == 0; i++ {
		h := newHotspot(t, c, ingest.HotspotAsserted)
		b := beaconFrom(c, h, byte(i), now)
		ack := deliverOnce(t, ctx, publisher(t, ctx, h, svc), svc, wire.EncodeBeacon(b))
		switch ack.Status {
		case wire.BeaconAck_STATUS_ACCEPTED:
			taken = append(taken, b)
		default:
			require.Equal(t, wire.BeaconAck_STATUS_RETRY, ack.Status, ack.Reason)
			require.Equal(t, ingest.IgnoreDiskFull, ack.Reason)
			refused, refusedBy = append(refused, b), append(refusedBy, h)
		}
	}
	require.NotEmpty(t, refused, "the queue never filled up")
	require.NotEmpty(t, taken)
	require.Equal(t, float64(len(taken)), accepted(svc, "beacon"))
	require.Equal(t, 1.0, ignored(svc, "beacon", ingest.IgnoreDiskFull))
	require.Zero(t, deliveryPoints(svc, refusedBy[0].peerID(t)), "disk_full penalises nobody")

	// Everything acknowledged reaches the chain; nothing refused does.
	require.Eventually(t, func() bool {
		for _, b := range taken {
			if c.poc(b.ID()) == nil {
				return false
			}
		}
		return true
	}, 20*time.Second, 50*time.Millisecond, "an acknowledged beacon was not relayed")
	require.Nil(t, c.poc(refused[0].ID()))
}

// With the default max-queue-bytes, an empty queue takes reports.
func TestIngestAdmitsWithDefaultQueueCeiling(t *testing.T) {
	c := newFakeChain()
	cfg := testConfig()
	cfg.MaxQueueBytes = ingest.DefaultConfig().MaxQueueBytes
	svc := startServiceWith(t, cfg, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h := newHotspot(t, c, ingest.HotspotAsserted)
	p := publisher(t, ctx, h, svc)
	ack := deliverOnce(t, ctx, p, svc, wire.EncodeBeacon(beaconFrom(c, h, 1, time.Now())))
	require.Equal(t, wire.BeaconAck_STATUS_ACCEPTED, ack.Status,
		"refused (%s): the empty queue measures %d bytes against a ceiling of %d", ack.Reason, svc.Store.DiskBytes(), cfg.MaxQueueBytes)
}

// keyedHome prepares a service home with its ingest key, so the peer ID is
// known (and can be registered on the fake chain) before it starts.
func keyedHome(t *testing.T, cfg ingest.Config) (string, peer.ID) {
	home := t.TempDir()
	k, err := ingest.LoadOrCreateKey(filepath.Join(home, cfg.KeyFile))
	require.NoError(t, err)
	id, err := peer.IDFromPrivateKey(k)
	require.NoError(t, err)
	return home, id
}

// collect reads a subscription until ctx ends.
type collected struct {
	mu   sync.Mutex
	msgs [][]byte
	new  chan []byte
}

func collect(ctx context.Context, sub *pubsub.Subscription) *collected {
	c := &collected{new: make(chan []byte, 64)}
	go func() {
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, m.Data)
			c.mu.Unlock()
			select {
			case c.new <- m.Data:
			default:
			}
		}
	}()
	return c
}

func (c *collected) all() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.msgs...)
}

// A beacon delivered to one validator reaches the others on the
// validators' share topic and nobody else: an outsider on the open
// topics never sees its payload before the witness window closes, so it
// cannot sign a witness report that passes, and it cannot inject beacons
// on the share topic.
func TestBeaconsStayPrivate(t *testing.T) {
	c := newFakeChain()
	cfg := testConfig()
	cfg.WitnessAdmission = 3 * time.Second
	cfg.WitnessWindow = 4 * time.Second
	homeA, idA := keyedHome(t, cfg)
	homeB, idB := keyedHome(t, cfg)
	c.setIngestPeers(idA, idB)
	a := startServiceWith(t, cfg, homeA, c)
	b := startServiceWith(t, cfg, homeB, c)
	require.Equal(t, idA, a.Host.ID())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, b.Host.Connect(ctx, addrOf(a)[0]))
	share, witnessTopic := wire.BeaconShareTopic("test-chain"), wire.WitnessTopic("test-chain")
	require.Eventually(t, func() bool {
		return len(a.PubSub.ListPeers(share)) == 1 && len(b.PubSub.ListPeers(share)) == 1
	}, 10*time.Second, 20*time.Millisecond, "A and B share beacons")

	// The outsider: a registered hotspot running its own gossip host on
	// both topics, connected to both validators.
	out := newHotspot(t, c, ingest.HotspotAsserted)
	ok, err := libp2pcrypto.UnmarshalEd25519PrivateKey(out.priv)
	require.NoError(t, err)
	oh, err := wire.NewHost(ok, []string{"/ip4/127.0.0.1/tcp/0"}, wire.ConnLimits{})
	require.NoError(t, err)
	t.Cleanup(func() { oh.Close() })
	ops, err := pubsub.NewGossipSub(ctx, oh, wire.GossipOptions()...)
	require.NoError(t, err)
	oShare, err := ops.Join(share)
	require.NoError(t, err)
	oShareSub, err := oShare.Subscribe()
	require.NoError(t, err)
	oWit, err := ops.Join(witnessTopic)
	require.NoError(t, err)
	oWitSub, err := oWit.Subscribe()
	require.NoError(t, err)
	for _, v := range addrOf(a, b) {
		require.NoError(t, oh.Connect(ctx, v))
	}
	require.Eventually(t, func() bool { return len(oWit.ListPeers()) == 2 && len(oShare.ListPeers()) == 2 },
		10*time.Second, 20*time.Millisecond, "the outsider sees both validators on both topics")
	// A validator forwards a report only to its mesh, and gossips its ID
	// only to peers outside the mesh: an outsider grafted just after the
	// report went by never gets it. Its gossip score turns positive once a
	// validator has held it in its witness mesh for a second: time in mesh
	// is the only positive term that can be non-zero here (first deliveries
	// count too, but the outsider has delivered nothing yet; the share topic
	// refuses it).
	require.Eventually(t, func() bool { return gossipScore(a, oh.ID()) > 0 && gossipScore(b, oh.ID()) > 0 },
		10*time.Second, 50*time.Millisecond, "both validators hold the outsider in their witness mesh")
	sawWitness := collect(ctx, oWitSub)

	// A hotspot delivers to A only; B gets it from A.
	bh := newHotspot(t, c, ingest.HotspotAsserted)
	bp := publisher(t, ctx, bh, a)
	now := time.Now()
	beacon := beaconFrom(c, bh, 1, now)
	require.NoError(t, bp.PublishBeacon(ctx, beacon))
	delivered := time.Now()
	require.Equal(t, 1.0, accepted(a, "beacon"))
	require.Eventually(t, func() bool { return accepted(b, "beacon_share") == 1 }, 10*time.Second, 20*time.Millisecond)
	require.Zero(t, accepted(a, "beacon_share"), "A's own share is not counted as received")

	// An honest witness; the outsider sees its sealed report only.
	w := newHotspot(t, c, ingest.HotspotAsserted)
	wp := publisher(t, ctx, w, a, b)
	require.NoError(t, wp.PublishWitness(ctx, gateway.BuildWitness(w.priv, beacon, -900, 50, beacon.FrequencyHz, now)))
	var seen []byte
	select {
	case seen = <-sawWitness.new:
	case <-time.After(10 * time.Second):
		t.Fatal("the outsider saw no witness report")
	}
	sealed, err := wire.DecodeSealedWitness(seen)
	require.NoError(t, err)
	require.Equal(t, wire.HashPayload(beacon.Payload), sealed.PayloadHash)
	require.Eventually(t, func() bool { return accepted(a, "witness") == 1 && accepted(b, "witness") == 1 }, 10*time.Second, 20*time.Millisecond)

	// It witnesses with the hash it copied and a guessed payload.
	require.Less(t, time.Since(delivered), cfg.WitnessAdmission, "still inside the admission window")
	require.NoError(t, oWit.Publish(ctx, sealedWith(t, guessedWitness(t, out, beacon, time.Now()), sealed.PayloadHash, out.priv)))
	require.Eventually(t, func() bool {
		return rejected(a, "witness", ingest.RejectBadSignature) == 1 && rejected(b, "witness", ingest.RejectBadSignature) == 1
	}, 10*time.Second, 20*time.Millisecond)
	requireGossipPenalised(t, a, oh.ID())

	// It shares a (valid) beacon of its own on the validators' topic.
	own := beaconFrom(c, out, 2, now)
	require.NoError(t, oShare.Publish(ctx, wire.EncodeBeacon(own)))
	require.Eventually(t, func() bool {
		return rejected(a, "beacon_share", ingest.RejectNotValidator) == 1 && rejected(b, "beacon_share", ingest.RejectNotValidator) == 1
	}, 10*time.Second, 20*time.Millisecond)
	requireGossipPenalised(t, b, oh.ID())

	// Nothing on the share topic reached it while the beacon was secret.
	sctx, scancel := context.WithDeadline(ctx, delivered.Add(cfg.WitnessAdmission+cfg.WitnessWindow))
	defer scancel()
	for {
		m, err := oShareSub.Next(sctx)
		if err == nil && m.ReceivedFrom == oh.ID() {
			continue // its own publication, delivered locally
		}
		if err == nil {
			t.Errorf("the outsider received a shared beacon from %s (A %s, B %s); it is the delivered one: %v",
				m.ReceivedFrom, a.Host.ID(), b.Host.ID(), bytes.Equal(m.Data, wire.EncodeBeacon(beacon)))
			break
		}
		require.ErrorIs(t, err, context.DeadlineExceeded)
		break
	}
	for _, data := range sawWitness.all() {
		require.False(t, bytes.Contains(data, beacon.Payload), "a witness report on the open topic reveals the payload")
	}

	var poc *poctypes.MsgSubmitPoc
	require.Eventually(t, func() bool { poc = c.poc(beacon.ID()); return poc != nil }, 20*time.Second, 50*time.Millisecond)
	require.Len(t, poc.Witnesses, 1)
	for _, svc := range []*ingest.Service{a, b} {
		bs, err := svc.Store.Beacons()
		require.NoError(t, err)
		for _, e := range bs {
			require.NotEqual(t, own.ID(), e.ID, "a beacon shared by an outsider is not stored")
		}
	}
	require.Nil(t, c.poc(own.ID()))
}

// A peer whose direct deliveries were rejected often enough is refused
// outright: its next delivery, even a valid beacon, is ignored as blocked
// and answered REJECTED.
func TestIngestBlocksAPeerAfterRepeatedRejections(t *testing.T) {
	c := newFakeChain()
	svc := startService(t, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h := newHotspot(t, c, ingest.HotspotAsserted)
	p := publisher(t, ctx, h, svc)
	now := time.Now()
	// Ten rejections block the peer (points decay continuously, so ten
	// leave a little under ten; the threshold allows for it).
	const rejections = 10
	for i := 0; i < rejections; i++ {
		loud := beaconFrom(c, h, byte(i), now)
		loud.TxPowerDBm = 36
		ack := deliverOnce(t, ctx, p, svc, wire.EncodeBeacon(resign(h, loud)))
		require.Equal(t, wire.BeaconAck_STATUS_REJECTED, ack.Status, "delivery %d", i)
		require.Equal(t, ingest.RejectInvalidTxPower, ack.Reason, "delivery %d", i)
	}
	require.Equal(t, float64(rejections), rejected(svc, "beacon", ingest.RejectInvalidTxPower))
	require.Greater(t, deliveryPoints(svc, h.peerID(t)), 9.5)

	good := beaconFrom(c, h, 100, now)
	err := p.PublishBeacon(ctx, good)
	require.ErrorIs(t, err, gateway.ErrBeaconRefused)
	require.ErrorContains(t, err, ingest.IgnoreBlocked)
	ack := deliverOnce(t, ctx, p, svc, wire.EncodeBeacon(good))
	require.Equal(t, wire.BeaconAck_STATUS_REJECTED, ack.Status)
	require.Equal(t, ingest.IgnoreBlocked, ack.Reason)
	require.Equal(t, 2.0, ignored(svc, "beacon", ingest.IgnoreBlocked))
	require.Zero(t, accepted(svc, "beacon"))
	bs, err := svc.Store.Beacons()
	require.NoError(t, err)
	require.Empty(t, bs)

	// Another hotspot is not affected.
	g := newHotspot(t, c, ingest.HotspotAsserted)
	require.NoError(t, publisher(t, ctx, g, svc).PublishBeacon(ctx, beaconFrom(c, g, 1, now)))
	require.Equal(t, 1.0, accepted(svc, "beacon"))
}

// A node that is behind (its newest block is older than a block interval
// could explain: catching up after a restart or a partition) cannot tell a
// future block from one it has not reached: it ignores the beacon, and
// the hotspot is neither refused nor penalised.
func TestIngestBehindNodeDoesNotPenaliseFutureEntropy(t *testing.T) {
	c := newFakeChain() // newest block 10, a minute old
	svc := startService(t, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h := newHotspot(t, c, ingest.HotspotAsserted)
	p := publisher(t, ctx, h, svc)
	b := gateway.BuildBeacon(h.priv, poctypes.BlockEntropy{Height: 40, Hash: bytes.Repeat([]byte{4}, 32)},
		[]byte{3, 0, 0, 0}, plan, 51, 27, time.Now())
	ack := deliverOnce(t, ctx, p, svc, wire.EncodeBeacon(b))
	require.Equal(t, wire.BeaconAck_STATUS_RETRY, ack.Status)
	require.Equal(t, ingest.IgnoreEntropyAhead, ack.Reason)
	require.Zero(t, rejected(svc, "beacon", ingest.RejectFutureEntropy))
	require.Zero(t, deliveryPoints(svc, h.peerID(t)))
}

// Nobody can make a validator wait in another hotspot's name: a sealed
// report of a beacon this node does not hold is checked against its seal
// signature first, and a forged one (a registered hotspot's public key, a
// made-up signature) is rejected at once and penalised, without taking a
// waiting slot. A report that is not canonically encoded (padded, extra
// fields) is malformed, so one report is one gossip message.
func TestIngestRefusesForgedSealsAndNonCanonicalReports(t *testing.T) {
	c := newFakeChain()
	svc := startService(t, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	victim, forger, b := newHotspot(t, c, ingest.HotspotAsserted), newHotspot(t, c, ingest.HotspotAsserted), newHotspot(t, c, ingest.HotspotAsserted)
	fp := publisher(t, ctx, forger, svc)
	now := time.Now()
	unknown := beaconFrom(c, b, 1, now) // never delivered
	w := gateway.BuildWitness(victim.priv, unknown, -900, 50, unknown.FrequencyHz, now)
	_, stranger, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	forged := wire.SealAs(w, wire.HashPayload(unknown.Payload), stranger) // seal not by the victim's key
	start := time.Now()
	require.NoError(t, fp.PublishRawWitness(ctx, forged))
	require.Eventually(t, func() bool { return rejected(svc, "witness", ingest.RejectBadSignature) == 1 }, 10*time.Second, 10*time.Millisecond)
	require.Less(t, time.Since(start), time.Second, "rejected before any wait for the beacon")
	require.Zero(t, ignored(svc, "witness", ingest.IgnoreUnknownBeacon))
	requireGossipPenalised(t, svc, forger.peerID(t))

	// Padding: a valid beacon with an unknown field appended.
	bp := publisher(t, ctx, b, svc)
	padded := append(wire.EncodeBeacon(beaconFrom(c, b, 2, now)), 0x7a, 0x01, 0x00) // field 15, 1 byte
	ack := deliverOnce(t, ctx, bp, svc, padded)
	require.Equal(t, wire.BeaconAck_STATUS_REJECTED, ack.Status)
	require.Equal(t, ingest.RejectMalformed, ack.Reason)
	require.Zero(t, accepted(svc, "beacon"))
}
