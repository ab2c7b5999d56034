package wire

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/libp2p/go-libp2p/x/rate"
	ma "github.com/multiformats/go-multiaddr"
)

// Names carry the chain ID, so two networks on one LAN never mix.

// WitnessTopic is the open gossip topic of sealed witness reports.
func WitnessTopic(chainID string) string { return fmt.Sprintf("/pocd/%s/witnesses/2", chainID) }

// BeaconShareTopic is where validators share the beacons hotspots delivered
// to them. Only peers registered on chain as validators' ingest peers may
// join it (x/poc relayer registrations, ingest_peer).
func BeaconShareTopic(chainID string) string {
	return fmt.Sprintf("/pocd/%s/validator-beacons/1", chainID)
}

// BeaconProtocol is the stream protocol a hotspot delivers its beacon
// report on: one request frame (the report), one answer frame (BeaconAck).
func BeaconProtocol(chainID string) protocol.ID {
	return protocol.ID(fmt.Sprintf("/pocd/%s/beacon/1", chainID))
}

// MessageID is the content hash of a gossip message, so the same report
// published by two peers (or twice by one) is one message. Every peer must
// use the same function.
func MessageID(m *pb.Message) string {
	h := sha256.Sum256(m.Data)
	return string(h[:])
}

// ConnLimits are a validator host's inbound connection limits. The zero
// value keeps libp2p's defaults, which suit a hotspot's host (it only
// dials out).
type ConnLimits struct {
	// PerIP replaces libp2p's default of 8 concurrent connections per IPv4
	// address: hotspots behind one carrier-grade NAT (or a simulated
	// fleet) share an address.
	PerIP int
	// Inbound replaces libp2p's system-wide inbound limit, which it scales
	// from memory (252 on a 24 GiB machine): every hotspot that delivers
	// beacons to a validator keeps a connection to it. A quarter of it may
	// be mid-handshake at once (libp2p's transient scope: 79 by default),
	// so a fleet reconnecting after a restart is not refused.
	Inbound int
}

// NewHost starts a libp2p host with TCP and QUIC on the given multiaddrs.
// Relay is off: hotspots dial validators directly.
func NewHost(priv crypto.PrivKey, listen []string, limits ConnLimits) (host.Host, error) {
	opts := []libp2p.Option{
		libp2p.Identity(priv),
		libp2p.ListenAddrStrings(listen...),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.DisableRelay(),
		libp2p.UserAgent("pocd-ingest"),
	}
	if limits != (ConnLimits{}) {
		rm, err := resourceManager(limits)
		if err != nil {
			return nil, err
		}
		opts = append(opts, libp2p.ResourceManager(rm))
	}
	return libp2p.New(opts...)
}

func resourceManager(l ConnLimits) (network.ResourceManager, error) {
	scaled := rcmgr.DefaultLimits.AutoScale()
	var partial rcmgr.PartialLimitConfig
	if l.Inbound > 0 {
		def := scaled.ToPartialLimitConfig()
		partial.System.ConnsInbound = rcmgr.LimitVal(l.Inbound)
		partial.System.Conns = rcmgr.LimitVal(l.Inbound) + def.System.ConnsOutbound
		transient := max(l.Inbound/4, int(def.Transient.ConnsInbound))
		partial.Transient.ConnsInbound = rcmgr.LimitVal(transient)
		partial.Transient.Conns = rcmgr.LimitVal(2 * transient)
	}
	var opts []rcmgr.Option
	if l.PerIP > 0 {
		// libp2p also rate-limits new connections per address (0.2/s after
		// a burst of 16, loopback exempt): a fleet behind one address must
		// be able to (re)connect after a restart, so the burst is the
		// per-address limit and the rate a tenth of it per second.
		perIP := rate.Limit{RPS: max(1, float64(l.PerIP)/10), Burst: l.PerIP}
		opts = append(opts,
			rcmgr.WithLimitPerSubnet(
				[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 32, ConnCount: l.PerIP}},
				[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 56, ConnCount: l.PerIP}}),
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
	}
	return rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(partial.Build(scaled)), opts...)
}

// GossipOptions are the pubsub settings shared by validators and hotspots.
// Reports carry their hotspot's signature, so gossip messages are not signed
// again (StrictNoSign) and carry no author or sequence number.
//
// The transport limit is deliberately above the report limit
// (MaxReportBytes), so an oversized report reaches the validator and is
// rejected and counted rather than cutting the stream.
func GossipOptions() []pubsub.Option {
	return []pubsub.Option{
		pubsub.WithMessageIdFn(MessageID),
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMaxMessageSize(TransportMaxMessageBytes),
		pubsub.WithFloodPublish(true),
	}
}

// ParsePeers parses /ip4|dns4/.../tcp/.../p2p/<id> multiaddrs.
func ParsePeers(addrs []string) ([]peer.AddrInfo, error) {
	var out []peer.AddrInfo
	for _, a := range addrs {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			return nil, fmt.Errorf("peer %q: %w", a, err)
		}
		ai, err := peer.AddrInfoFromP2pAddr(m)
		if err != nil {
			return nil, fmt.Errorf("peer %q: %w", a, err)
		}
		out = append(out, *ai)
	}
	return out, nil
}
