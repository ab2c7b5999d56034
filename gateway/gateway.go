// Package gateway is the hotspot side of PoC: building and signing beacon
// and witness reports from chain entropy, and publishing them to the
// validators' ingest over libp2p gossip. hotspotd's run and sim commands
// use it; the chain-side rules live in x/poc/verify.
package gateway

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"

	"github.com/pocnet/pocd/ingest"
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

// EncodeBeacon and EncodeWitness are the gossip encodings (the x/poc proto
// messages), the same bytes ingest decodes.
func EncodeBeacon(b *verify.Beacon) []byte {
	r := poctypes.BeaconFromVerify(b)
	bz, err := r.Marshal()
	if err != nil {
		panic(err) // a proto message of bytes and integers always marshals
	}
	return bz
}

func EncodeWitness(w verify.Witness) []byte {
	r := poctypes.WitnessFromVerify(w)
	bz, err := r.Marshal()
	if err != nil {
		panic(err)
	}
	return bz
}

// Publisher is a hotspot's libp2p host, peered with validators' ingest.
// Its peer ID is the hotspot address: the host identity is the hotspot key.
type Publisher struct {
	Host      host.Host
	beacons   *pubsub.Topic
	witnesses *pubsub.Topic
	peers     []peer.AddrInfo
}

// ParsePeers parses validator multiaddrs (/ip4|dns4/.../tcp/.../p2p/<id>).
func ParsePeers(addrs []string) ([]peer.AddrInfo, error) { return ingest.ParsePeers(addrs) }

// NewPublisher starts a host (listen may be empty: hotspots only dial out),
// joins the chain's report topics and connects to the validators.
func NewPublisher(ctx context.Context, priv ed25519.PrivateKey, listen []string, validators []peer.AddrInfo, chainID string) (*Publisher, error) {
	lk, err := libp2pcrypto.UnmarshalEd25519PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	if len(listen) == 0 {
		listen = []string{"/ip4/127.0.0.1/tcp/0"}
	}
	h, err := ingest.NewHost(lk, listen, 0)
	if err != nil {
		return nil, err
	}
	ps, err := pubsub.NewGossipSub(ctx, h, ingest.GossipOptions()...)
	if err != nil {
		h.Close()
		return nil, err
	}
	p := &Publisher{Host: h, peers: validators}
	if p.beacons, err = ps.Join(ingest.BeaconTopic(chainID)); err != nil {
		h.Close()
		return nil, err
	}
	if p.witnesses, err = ps.Join(ingest.WitnessTopic(chainID)); err != nil {
		h.Close()
		return nil, err
	}
	p.Connect(ctx)
	return p, nil
}

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

// PublishBeacon gossips a beacon report.
func (p *Publisher) PublishBeacon(ctx context.Context, b *verify.Beacon) error {
	return p.publish(ctx, p.beacons, EncodeBeacon(b))
}

// PublishWitness gossips a witness report.
func (p *Publisher) PublishWitness(ctx context.Context, w verify.Witness) error {
	return p.publish(ctx, p.witnesses, EncodeWitness(w))
}

// PublishRaw gossips arbitrary bytes on a topic ("beacon" or "witness"):
// the simulator's replays and the ingest tests' malformed messages.
func (p *Publisher) PublishRaw(ctx context.Context, topic string, data []byte) error {
	if topic == "beacon" {
		return p.publish(ctx, p.beacons, data)
	}
	return p.publish(ctx, p.witnesses, data)
}

// Close stops the host.
func (p *Publisher) Close() error { return p.Host.Close() }
