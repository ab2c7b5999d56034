package ingest

import (
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// dropTracer counts the messages gossipsub drops before our validator
// runs: a full validation queue or too many validations at once. They
// would otherwise vanish from the counters (they are neither acknowledged
// nor rejected by us), so they appear as ignored with reason "queue_full"
// or "throttled".
type dropTracer struct {
	m      *Metrics
	topics map[string]string // gossipsub topic -> metric label
}

func (t dropTracer) RejectMessage(msg *pubsub.Message, reason string) {
	var why string
	switch reason {
	case pubsub.RejectValidationQueueFull:
		why = IgnoreQueueFull
	case pubsub.RejectValidationThrottled:
		why = IgnoreThrottled
	default:
		return
	}
	if label, ok := t.topics[msg.GetTopic()]; ok {
		t.m.Ignored.WithLabelValues(label, why).Inc()
	}
}

func (dropTracer) OnNewOutboundStream(peer.ID, protocol.ID) {}
func (dropTracer) OnClosedOutboundStream(peer.ID)           {}
func (dropTracer) Join(string)                              {}
func (dropTracer) Leave(string)                             {}
func (dropTracer) Graft(peer.ID, string)                    {}
func (dropTracer) Prune(peer.ID, string)                    {}
func (dropTracer) ValidateMessage(*pubsub.Message)          {}
func (dropTracer) DeliverMessage(*pubsub.Message)           {}
func (dropTracer) DuplicateMessage(*pubsub.Message)         {}
func (dropTracer) ThrottlePeer(peer.ID)                     {}
func (dropTracer) RecvRPC(*pubsub.RPC)                      {}
func (dropTracer) SendRPC(*pubsub.RPC, peer.ID)             {}
func (dropTracer) DropRPC(*pubsub.RPC, peer.ID)             {}
func (dropTracer) UndeliverableMessage(*pubsub.Message)     {}
