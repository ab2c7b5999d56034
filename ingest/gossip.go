package ingest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/libp2p/go-libp2p/x/rate"
)

// TransportMaxMessageBytes is gossipsub's per-message limit.
const TransportMaxMessageBytes = 64 << 10

// Topic names carry the chain ID, so two networks on one LAN never mix.
func BeaconTopic(chainID string) string  { return fmt.Sprintf("/pocd/%s/beacons/1", chainID) }
func WitnessTopic(chainID string) string { return fmt.Sprintf("/pocd/%s/witnesses/1", chainID) }

// MessageID is the content hash of a gossip message, so the same report
// published by two peers (or twice by one) is one message. Every peer must
// use the same function.
func MessageID(m *pb.Message) string {
	h := sha256.Sum256(m.Data)
	return string(h[:])
}

// NewHost starts a libp2p host with TCP and QUIC on the given multiaddrs.
// Relay is off: hotspots dial validators directly. maxConnsPerIP > 0
// replaces libp2p's default of 8 concurrent connections per IPv4 address:
// hotspots behind one carrier-grade NAT (or a simulated fleet) share an
// address.
func NewHost(priv crypto.PrivKey, listen []string, maxConnsPerIP int) (host.Host, error) {
	opts := []libp2p.Option{
		libp2p.Identity(priv),
		libp2p.ListenAddrStrings(listen...),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.DisableRelay(),
		libp2p.UserAgent("pocd-ingest"),
	}
	if maxConnsPerIP > 0 {
		// libp2p also rate-limits new connections per address (0.2/s after
		// a burst of 16, loopback exempt): a fleet behind one address must
		// be able to (re)connect after a restart, so the burst is the
		// per-address limit and the rate a tenth of it per second.
		perIP := rate.Limit{RPS: max(1, float64(maxConnsPerIP)/10), Burst: maxConnsPerIP}
		rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(rcmgr.DefaultLimits.AutoScale()),
			rcmgr.WithLimitPerSubnet(
				[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 32, ConnCount: maxConnsPerIP}},
				[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 56, ConnCount: maxConnsPerIP}}),
			rcmgr.WithConnRateLimiters(&rate.Limiter{
				NetworkPrefixLimits: []rate.PrefixLimit{
					{Prefix: netip.MustParsePrefix("127.0.0.0/8")}, {Prefix: netip.MustParsePrefix("::1/128")},
				},
				SubnetRateLimiter: rate.SubnetLimiter{
					IPv4SubnetLimits: []rate.SubnetLimit{{PrefixLength: 32, Limit: perIP}},
					IPv6SubnetLimits: []rate.SubnetLimit{{PrefixLength: 56, Limit: perIP}},
					GracePeriod:      time.Minute,
				},
			}))
		if err != nil {
			return nil, err
		}
		opts = append(opts, libp2p.ResourceManager(rm))
	}
	return libp2p.New(opts...)
}

// GossipOptions are the pubsub settings shared by validators and hotspots.
// Reports carry their hotspot's signature, so gossip messages are not signed
// again (StrictNoSign) and carry no author or sequence number.
//
// The transport limit is deliberately above the report limit
// (Config.MaxMessageBytes), so an oversized report reaches the validator and
// is rejected and counted rather than cutting the stream.
func GossipOptions() []pubsub.Option {
	return []pubsub.Option{
		pubsub.WithMessageIdFn(MessageID),
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMaxMessageSize(TransportMaxMessageBytes),
		pubsub.WithFloodPublish(true),
	}
}

// validatorGossipOptions add the node-side limits and peer scoring: a peer
// whose reports are rejected (bad signature, unknown hotspot, stale
// entropy) loses score quadratically and is graylisted after about ten.
func validatorGossipOptions(cfg Config, topics []string, m *Metrics) []pubsub.Option {
	score := &pubsub.PeerScoreParams{
		Topics:        map[string]*pubsub.TopicScoreParams{},
		TopicScoreCap: 100,
		// Hotspots behind one carrier NAT (and a simulated fleet on one
		// machine) share an address; colocation is not misbehaviour here.
		AppSpecificScore:            func(_ peer.ID) float64 { return 0 },
		AppSpecificWeight:           1,
		IPColocationFactorWeight:    0,
		IPColocationFactorThreshold: 1,
		BehaviourPenaltyWeight:      -1,
		BehaviourPenaltyThreshold:   6,
		BehaviourPenaltyDecay:       pubsub.ScoreParameterDecay(10 * time.Minute),
		DecayInterval:               time.Second,
		DecayToZero:                 0.01,
		RetainScore:                 10 * time.Minute,
	}
	for _, t := range topics {
		score.Topics[t] = &pubsub.TopicScoreParams{
			TopicWeight:                     1,
			TimeInMeshWeight:                0.01,
			TimeInMeshQuantum:               time.Second,
			TimeInMeshCap:                   100,
			FirstMessageDeliveriesWeight:    0.1,
			FirstMessageDeliveriesDecay:     pubsub.ScoreParameterDecay(10 * time.Minute),
			FirstMessageDeliveriesCap:       100,
			MeshMessageDeliveriesWeight:     0, // hotspots publish rarely; no delivery quota
			MeshMessageDeliveriesDecay:      pubsub.ScoreParameterDecay(time.Minute),
			MeshMessageDeliveriesCap:        1,
			MeshMessageDeliveriesThreshold:  1,
			MeshMessageDeliveriesWindow:     10 * time.Millisecond,
			MeshMessageDeliveriesActivation: time.Minute,
			MeshFailurePenaltyWeight:        0,
			MeshFailurePenaltyDecay:         pubsub.ScoreParameterDecay(time.Minute),
			InvalidMessageDeliveriesWeight:  -10,
			InvalidMessageDeliveriesDecay:   pubsub.ScoreParameterDecay(time.Hour),
		}
	}
	thresholds := &pubsub.PeerScoreThresholds{
		GossipThreshold:             -100,
		PublishThreshold:            -200,
		GraylistThreshold:           -1000,
		AcceptPXThreshold:           math.MaxFloat64, // no peer exchange from anyone
		OpportunisticGraftThreshold: 1,
	}
	opts := append(GossipOptions(),
		pubsub.WithPeerScore(score, thresholds),
		pubsub.WithValidateQueueSize(cfg.ValidateQueue),
		pubsub.WithPeerOutboundQueueSize(cfg.PeerQueue),
		pubsub.WithValidateThrottle(cfg.ValidateConcurrency*len(topics)),
		pubsub.WithRawTracer(dropTracer{m: m, topics: map[string]string{topics[0]: "beacon", topics[1]: "witness"}}),
	)
	return opts
}

// JoinTopics joins (and subscribes to, so the node forwards) both topics.
// Validators must be registered before this.
func joinTopics(ctx context.Context, ps *pubsub.PubSub, names ...string) ([]*pubsub.Topic, error) {
	var out []*pubsub.Topic
	for _, n := range names {
		t, err := ps.Join(n)
		if err != nil {
			return nil, err
		}
		sub, err := t.Subscribe(pubsub.WithBufferSize(1024))
		if err != nil {
			return nil, err
		}
		// Delivered messages were already stored by the validator; drain them.
		go func() {
			for {
				if _, err := sub.Next(ctx); err != nil {
					return
				}
			}
		}()
		out = append(out, t)
	}
	return out, nil
}
