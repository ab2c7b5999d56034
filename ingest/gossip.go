package ingest

import (
	"context"
	"errors"
	"math"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/pocnet/pocd/wire"
)

// validatorGossipOptions add the node-side limits and peer scoring: a peer
// whose reports are rejected (bad signature, unknown hotspot, stale
// entropy) loses score quadratically and is graylisted after about ten.
// topics are the beacon share topic, then the witness topic; allowed says
// which peers may take part in the share topic (registered validators'
// ingest peers): gossipsub neither sends them its messages nor grafts them.
func validatorGossipOptions(cfg Config, topics []string, m *Metrics, allowed func(peer.ID) bool,
	inspect pubsub.PeerScoreInspectFn,
) []pubsub.Option {
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
	opts := append(wire.GossipOptions(),
		pubsub.WithPeerFilter(func(p peer.ID, topic string) bool { return topic != topics[0] || allowed(p) }),
		// The peer filter alone does not keep the share topic private:
		// flood publishing (and floodsub peers) send to every peer known
		// to be subscribed. So a subscription to it from anyone but a
		// registered validator is never recorded.
		pubsub.WithSubscriptionFilter(shareFilter{topic: topics[0], witnesses: topics[1], allowed: allowed}),
		pubsub.WithPeerScore(score, thresholds),
		pubsub.WithPeerScoreInspect(inspect, time.Second), // after WithPeerScore
		pubsub.WithValidateQueueSize(cfg.ValidateQueue),
		pubsub.WithPeerOutboundQueueSize(cfg.PeerQueue),
		pubsub.WithValidateThrottle(cfg.ValidateConcurrency*len(topics)),
		pubsub.WithRawTracer(dropTracer{m: m, topics: map[string]string{topics[0]: "beacon_share", topics[1]: "witness"}}),
	)
	return opts
}

// joinTopics joins (and subscribes to, so the node forwards) the topics.
// Their validators must be registered before this.
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

// shareFilter drops subscriptions to the beacon share topic from peers
// that are not registered validators' ingest peers: gossipsub then never
// counts them among the topic's peers, whatever publishing mode it uses.
type shareFilter struct {
	topic, witnesses string
	allowed          func(peer.ID) bool
}

func (f shareFilter) CanSubscribe(t string) bool { return t == f.topic || t == f.witnesses }

// FilterIncomingSubscriptions keeps only this chain's two topics (any
// other topic a peer announces would be remembered for it), and the share
// topic only from registered validators.
func (f shareFilter) FilterIncomingSubscriptions(from peer.ID, subs []*pb.RPC_SubOpts) ([]*pb.RPC_SubOpts, error) {
	if len(subs) > 16 {
		return nil, errTooManySubscriptions
	}
	out := make([]*pb.RPC_SubOpts, 0, len(subs))
	for _, s := range subs {
		if t := s.GetTopicid(); t == f.witnesses || (t == f.topic && f.allowed(from)) {
			out = append(out, s)
		}
	}
	return out, nil
}

var errTooManySubscriptions = errors.New("too many subscriptions in one message")
