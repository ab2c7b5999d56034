package ingest

import (
	"testing"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"
)

// A peer's subscription announcements keep only this chain's witness topic,
// and the beacon share topic only from a registered validator; one message
// may announce at most 16 subscriptions (a peer's announcements are
// remembered for it, so they are bounded).
func TestSubscriptionFilterKeepsOnlyThisChainsTopics(t *testing.T) {
	validator, hotspot := peerIDOf(t, newKey(t)), peerIDOf(t, newKey(t))
	f := shareFilter{topic: "share", witnesses: "witness", allowed: func(p peer.ID) bool { return p == validator }}
	require.True(t, f.CanSubscribe("share"))
	require.True(t, f.CanSubscribe("witness"))
	require.False(t, f.CanSubscribe("other"))

	sub := func(topics ...string) []*pb.RPC_SubOpts {
		var out []*pb.RPC_SubOpts
		for _, tp := range topics {
			out = append(out, &pb.RPC_SubOpts{Topicid: &tp})
		}
		return out
	}
	topics := func(subs []*pb.RPC_SubOpts) []string {
		var out []string
		for _, s := range subs {
			out = append(out, s.GetTopicid())
		}
		return out
	}
	got, err := f.FilterIncomingSubscriptions(validator, sub("share", "witness", "other"))
	require.NoError(t, err)
	require.Equal(t, []string{"share", "witness"}, topics(got))
	got, err = f.FilterIncomingSubscriptions(hotspot, sub("share", "witness", "other"))
	require.NoError(t, err)
	require.Equal(t, []string{"witness"}, topics(got))

	sixteen := make([]string, 16)
	for i := range sixteen {
		sixteen[i] = "witness"
	}
	got, err = f.FilterIncomingSubscriptions(hotspot, sub(sixteen...))
	require.NoError(t, err)
	require.Len(t, got, 16)
	_, err = f.FilterIncomingSubscriptions(hotspot, sub(append(sixteen, "witness")...))
	require.ErrorIs(t, err, errTooManySubscriptions)
}
