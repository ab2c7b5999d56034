// Package gateway is the hotspot side of PoC: building and signing beacon
// and witness reports from chain entropy, and publishing them to the
// validators' ingest over libp2p gossip. hotspotd's run and sim commands
// use it; the chain-side rules live in x/poc/verify.
package gateway

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/pocnet/pocd/wire"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// DialChain opens a plaintext gRPC connection to a pocd node (host:port).
// Reconnection backs off to at most 2 s rather than gRPC's 2 minutes: a
// hotspot whose node restarts must not beacon with stale entropy meanwhile.
func DialChain(addr string) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 200 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 2 * time.Second},
			MinConnectTimeout: 2 * time.Second,
		}))
}

// Entropy is the chain's newest recorded block hash.
func Entropy(ctx context.Context, conn *grpc.ClientConn) (poctypes.BlockEntropy, error) {
	res, err := poctypes.NewQueryClient(conn).Entropy(ctx, &poctypes.QueryEntropyRequest{})
	if err != nil {
		return poctypes.BlockEntropy{}, err
	}
	return res.Entropy, nil
}

// RegionPlan returns a region's channel plan from x/hotspot params.
func RegionPlan(ctx context.Context, conn *grpc.ClientConn, region string) (hotspottypes.RegionPlan, error) {
	res, err := hotspottypes.NewQueryClient(conn).Params(ctx, &hotspottypes.QueryParamsRequest{})
	if err != nil {
		return hotspottypes.RegionPlan{}, err
	}
	for _, p := range res.Params.RegionPlans {
		if p.Region == region {
			return p, nil
		}
	}
	return hotspottypes.RegionPlan{}, fmt.Errorf("region %q has no plan on chain", region)
}

// BuildBeacon makes and signs a beacon: the payload is derived from the
// chain entropy, the hotspot's key and its local entropy, and selects the
// channel, as the chain checks. txPowerDBm must not exceed
// verify.MaxConductedPowerDBm for the region and the asserted gain.
func BuildBeacon(priv ed25519.PrivateKey, e poctypes.BlockEntropy, local []byte, plan hotspottypes.RegionPlan,
	payloadSize int, txPowerDBm int32, now time.Time,
) *verify.Beacon {
	pub := []byte(priv.Public().(ed25519.PublicKey))
	payload := verify.BeaconPayload(e.Hash, pub, local, payloadSize)
	b := &verify.Beacon{
		Pubkey: pub, EntropyHeight: e.Height, EntropyHash: e.Hash,
		LocalEntropy: local, Payload: payload,
		FrequencyHz: plan.ChannelFrequenciesHz[verify.BeaconChannel(payload, len(plan.ChannelFrequenciesHz))],
		DataRate:    plan.DataRate, TxPowerDBm: txPowerDBm, TimestampNs: now.UnixNano(),
	}
	b.Signature = ed25519.Sign(priv, b.SignBytes())
	return b
}

// BuildWitness makes and signs a witness report of a received beacon.
func BuildWitness(priv ed25519.PrivateKey, b *verify.Beacon, rssiDdbm, snrDdb int32, freqHz uint64, at time.Time) verify.Witness {
	w := verify.Witness{
		Pubkey: []byte(priv.Public().(ed25519.PublicKey)), Payload: b.Payload, RSSIDdbm: rssiDdbm, SNRDdb: snrDdb,
		FrequencyHz: freqHz, DataRate: b.DataRate, TimestampNs: at.UnixNano(),
	}
	w.Signature = ed25519.Sign(priv, w.SignBytes())
	return w
}

// Publisher is a hotspot's libp2p host, peered with validators' ingest.
// Its peer ID is the hotspot address: the host identity is the hotspot key,
// which is how a validator knows a delivered beacon comes from its hotspot.
type Publisher struct {
	Host      host.Host
	priv      ed25519.PrivateKey
	chainID   string
	witnesses *pubsub.Topic
	peers     []peer.AddrInfo
}

// ParsePeers parses validator multiaddrs (/ip4|dns4/.../tcp/.../p2p/<id>).
func ParsePeers(addrs []string) ([]peer.AddrInfo, error) { return wire.ParsePeers(addrs) }

// NewPublisher starts a host (listen may be empty: hotspots only dial out),
// joins the open witness topic and connects to the validators.
func NewPublisher(ctx context.Context, priv ed25519.PrivateKey, listen []string, validators []peer.AddrInfo, chainID string) (*Publisher, error) {
	p, err := NewBeaconDeliverer(ctx, priv, listen, validators, chainID)
	if err != nil {
		return nil, err
	}
	ps, err := pubsub.NewGossipSub(ctx, p.Host, wire.GossipOptions()...)
	if err != nil {
		p.Host.Close()
		return nil, err
	}
	if p.witnesses, err = ps.Join(wire.WitnessTopic(chainID)); err != nil {
		p.Host.Close()
		return nil, err
	}
	p.Connect(ctx)
	return p, nil
}

// NewBeaconDeliverer starts a host that delivers this hotspot's beacons
// and joins no gossip topic (its witness publishing returns
// ErrNoWitnessTopic). A load generator standing in for hundreds of
// hotspots on one machine gives each beaconer one of these, since a
// validator takes a beacon only from its hotspot's own host, and carries
// the witness reports from a few gossip hosts: a gossipsub router per
// hotspot would cost the generator more than the node under test.
func NewBeaconDeliverer(ctx context.Context, priv ed25519.PrivateKey, listen []string, validators []peer.AddrInfo, chainID string) (*Publisher, error) {
	lk, err := libp2pcrypto.UnmarshalEd25519PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	if len(listen) == 0 {
		listen = []string{"/ip4/127.0.0.1/tcp/0"}
	}
	h, err := wire.NewHost(lk, listen, wire.ConnLimits{})
	if err != nil {
		return nil, err
	}
	return &Publisher{Host: h, priv: priv, chainID: chainID, peers: validators}, nil
}

// ErrNoWitnessTopic: the publisher was started by NewBeaconDeliverer.
var ErrNoWitnessTopic = errors.New("gateway: this publisher joined no witness topic")

// Connect dials any validator not connected; it is cheap to call often.
func (p *Publisher) Connect(ctx context.Context) int {
	n := 0
	for _, v := range p.peers {
		if p.Host.Network().Connectedness(v.ID) == network.Connected {
			n++
			continue
		}
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if p.Host.Connect(dctx, v) == nil {
			n++
		}
		cancel()
	}
	return n
}

// publish waits until a validator's subscription to the topic is known
// (the subscription exchange follows the connection by a moment), then
// flood-publishes to every subscribed validator.
func (p *Publisher) publish(ctx context.Context, t *pubsub.Topic, data []byte) error {
	if t == nil {
		return ErrNoWitnessTopic
	}
	for len(t.ListPeers()) == 0 {
		p.Connect(ctx)
		select {
		case <-ctx.Done():
			return fmt.Errorf("no validator subscribed to %s: %w", t.String(), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return t.Publish(ctx, data)
}

// ErrBeaconRefused: every validator that answered refused the beacon.
var ErrBeaconRefused = errors.New("beacon refused")

// PublishBeacon delivers a beacon report directly to every configured
// validator (never to a gossip topic: the payload stays private until its
// witness window closes) and returns once one of them stored it. A
// validator that has not committed the entropy block yet answers RETRY;
// the delivery to it is repeated, backing off from 300 ms to 5 s, for up
// to a minute, while ctx lives (deliveries to the others go on after the
// first one stored it).
func (p *Publisher) PublishBeacon(ctx context.Context, b *verify.Beacon) error {
	return p.DeliverRaw(ctx, wire.EncodeBeacon(b))
}

// DeliverRaw delivers arbitrary bytes as a beacon report (the simulator's
// adversaries and the ingest tests' malformed reports).
func (p *Publisher) DeliverRaw(ctx context.Context, data []byte) error {
	type result struct {
		ack wire.BeaconAck
		err error
	}
	// Deliveries to the other validators go on after the first one
	// stored it (and after ctx ends), for at most deliverFor.
	caller := ctx
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deliverFor)
	results := make(chan result, len(p.peers))
	var wg sync.WaitGroup
	defer func() { go func() { wg.Wait(); cancel() }() }()
	for _, v := range p.peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Back off while the validator stays unreachable or not ready
			// (a restarting node catching up answers RETRY to every
			// delivery): a fleet retrying at a fixed pace would add load
			// exactly when the node has least to spare.
			delay := retryDelay
			for {
				ack, err := p.deliverTo(ctx, v, data)
				if err == nil && ack.Status != wire.BeaconAck_STATUS_RETRY {
					results <- result{ack: ack}
					return
				}
				select {
				case <-ctx.Done():
					results <- result{ack: ack, err: errors.Join(err, ctx.Err())}
					return
				case <-time.After(delay):
				}
				delay = min(2*delay, maxRetryDelay)
			}
		}()
	}
	var errs []error
	for range p.peers {
		var r result
		select {
		case r = <-results:
		case <-caller.Done():
			return caller.Err()
		}
		switch {
		case r.err != nil:
			errs = append(errs, r.err)
		case r.ack.Status == wire.BeaconAck_STATUS_ACCEPTED || r.ack.Status == wire.BeaconAck_STATUS_DUPLICATE:
			return nil
		default:
			errs = append(errs, fmt.Errorf("%w: %s", ErrBeaconRefused, r.ack.Reason))
		}
	}
	if len(errs) == 0 {
		return errors.New("no validator configured")
	}
	return errors.Join(errs...)
}

// deliverFor bounds the delivery of one beacon to one validator: beyond
// the chain's 3-minute entropy lifespan it would be refused anyway.
const deliverFor = time.Minute

// retryDelay paces the first retry of a delivery a validator answered
// RETRY (about half a block: it is waiting to commit the entropy block);
// later retries back off to maxRetryDelay.
const (
	retryDelay    = 300 * time.Millisecond
	maxRetryDelay = 5 * time.Second
)

func (p *Publisher) deliverTo(ctx context.Context, v peer.AddrInfo, data []byte) (wire.BeaconAck, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if p.Host.Network().Connectedness(v.ID) != network.Connected {
		if err := p.Host.Connect(ctx, v); err != nil {
			return wire.BeaconAck{}, err
		}
	}
	s, err := p.Host.NewStream(ctx, v.ID, wire.BeaconProtocol(p.chainID))
	if err != nil {
		return wire.BeaconAck{}, err
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(dl)
	}
	if err := wire.WriteFrame(s, data); err != nil {
		s.Reset()
		return wire.BeaconAck{}, err
	}
	_ = s.CloseWrite()
	bz, err := wire.ReadFrame(s, wire.MaxAckBytes)
	if err != nil {
		s.Reset()
		return wire.BeaconAck{}, err
	}
	var ack wire.BeaconAck
	return ack, ack.Unmarshal(bz)
}

// PublishWitness gossips this hotspot's witness report, sealed: the
// payload is named by its hash only, and the seal is signed with the
// hotspot key.
func (p *Publisher) PublishWitness(ctx context.Context, w verify.Witness) error {
	if !bytes.Equal(w.Pubkey, p.priv.Public().(ed25519.PublicKey)) {
		return errors.New("gateway: a publisher seals only its own hotspot's witness reports")
	}
	return p.publish(ctx, p.witnesses, wire.SealWitness(w, p.priv))
}

// PublishRawWitness gossips arbitrary bytes on the witness topic.
func (p *Publisher) PublishRawWitness(ctx context.Context, data []byte) error {
	return p.publish(ctx, p.witnesses, data)
}

// Close stops the host.
func (p *Publisher) Close() error { return p.Host.Close() }

// NextBeaconTime is when a hotspot beacons next: a random point in the
// interval bucket after now's (buckets are aligned to the Unix epoch, as
// the chain counts them).
func NextBeaconTime(now time.Time, interval time.Duration) time.Time {
	return now.Truncate(interval).Add(interval).Add(time.Duration(mrand.Int64N(int64(interval))))
}

// Heard is what a radio measured of a received beacon: its payload, data
// rate and frequency as received, RSSI in tenths of dBm, SNR in tenths of
// dB, the reception time and the concentrator's counter (tmst).
type Heard struct {
	Payload     []byte
	DataRate    string
	FrequencyHz uint64
	RSSIDdbm    int32
	SNRDdb      int32
	At          time.Time
	Tmst        uint32
}

// BuildWitnessHeard makes and signs a witness report of a beacon received
// over the radio.
func BuildWitnessHeard(priv ed25519.PrivateKey, h Heard) verify.Witness {
	w := verify.Witness{
		Pubkey: []byte(priv.Public().(ed25519.PublicKey)), Payload: h.Payload, RSSIDdbm: h.RSSIDdbm, SNRDdb: h.SNRDdb,
		FrequencyHz: h.FrequencyHz, DataRate: h.DataRate, TimestampNs: h.At.UnixNano(), Tmst: h.Tmst,
	}
	w.Signature = ed25519.Sign(priv, w.SignBytes())
	return w
}
