package ingest_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/ingest"
)

// recordingLogger keeps what a service logs at info and error level.
type recordingLogger struct {
	log.Logger
	mu     sync.Mutex
	infos  []string
	errors []string
}

func newRecordingLogger() *recordingLogger { return &recordingLogger{Logger: log.NewNopLogger()} }

func (l *recordingLogger) Info(msg string, _ ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.infos = append(l.infos, msg)
}

func (l *recordingLogger) Error(msg string, _ ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errors = append(l.errors, msg)
}

func (l *recordingLogger) logged(level *[]string, substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range *level {
		if strings.Contains(m, substr) {
			n++
		}
	}
	return n
}

func startLogged(t *testing.T, c *fakeChain) (*ingest.Service, *recordingLogger) {
	t.Helper()
	l := newRecordingLogger()
	return startServiceLogging(t, testConfig(), t.TempDir(), c, l), l
}

// A healthy service measures its queue every second and logs no error
// doing so; an operator's error log stays for what is wrong.
func TestHealthyServiceLogsNoErrors(t *testing.T) {
	svc, l := startLogged(t, newFakeChain())
	require.Eventually(t, func() bool { return testutil.ToFloat64(svc.Metrics.QueueBytes) > 0 }, 10*time.Second, 10*time.Millisecond,
		"the queue's size is measured")
	l.mu.Lock()
	defer l.mu.Unlock()
	require.Empty(t, l.errors)
}

// A validator whose ingest peer is missing from a registry that other
// validators use is told how to register it; on a chain where nobody has
// registered yet (a new network) there is nothing to say.
func TestUnregisteredIngestPeerIsToldToRegister(t *testing.T) {
	const warning = "this node's ingest peer is not registered on chain"
	_, quiet := startLogged(t, newFakeChain())
	require.Zero(t, quiet.logged(&quiet.infos, warning))

	c := newFakeChain()
	c.setIngestPeers(newHotspot(t, c, ingest.HotspotUnknown).peerID(t))
	_, told := startLogged(t, c)
	require.Equal(t, 1, told.logged(&told.infos, warning))
}

// hangingChain is a node whose hotspot lookups for one address never answer
// (a wedged gRPC server) until the caller gives up.
type hangingChain struct {
	*fakeChain
	hang string
}

func (c hangingChain) Hotspot(ctx context.Context, a string) (ingest.HotspotInfo, error) {
	if a == c.hang {
		<-ctx.Done()
		return ingest.HotspotInfo{}, ctx.Err()
	}
	return c.fakeChain.Hotspot(ctx, a)
}

// A validation waiting on a node that does not answer is given up after
// gossipsub's validator timeout (10 s): it does not hold its slot for ever,
// and the report is ignored as chain_unavailable (the hotspot is not
// penalised for the node's fault).
func TestValidationGivesUpOnAWedgedNode(t *testing.T) {
	c := newFakeChain()
	w := newHotspot(t, c, ingest.HotspotAsserted)
	svc := startService(t, t.TempDir(), hangingChain{fakeChain: c, hang: w.addr})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := newHotspot(t, c, ingest.HotspotAsserted)
	wp := publisher(t, ctx, w, svc)
	beacon := beaconFrom(c, b, 1, time.Now())
	require.NoError(t, wp.PublishWitness(ctx, gateway.BuildWitness(w.priv, beacon, -900, 50, beacon.FrequencyHz, time.Now())))
	require.Eventually(t, func() bool { return ignored(svc, "witness", ingest.IgnoreUnavailable) == 1 }, 40*time.Second, 50*time.Millisecond)
	require.Zero(t, rejected(svc, "witness", ingest.RejectUnknownHotspot))
}

// An ingest node dials the peers its operator configured and redials one
// that drops.
func TestServiceKeepsItsConfiguredPeers(t *testing.T) {
	a := startService(t, t.TempDir(), newFakeChain())
	cfg := testConfig()
	cfg.Peers = []string{a.Host.Addrs()[0].String() + "/p2p/" + a.Host.ID().String()}
	b := startServiceWith(t, cfg, t.TempDir(), newFakeChain())
	connected := func() bool { return b.Host.Network().Connectedness(a.Host.ID()) == network.Connected }
	require.Eventually(t, connected, 20*time.Second, 20*time.Millisecond, "dialled")
	require.NoError(t, a.Host.Network().ClosePeer(b.Host.ID()))
	require.Eventually(t, func() bool { return !connected() }, 5*time.Second, 10*time.Millisecond)
	require.Eventually(t, connected, 20*time.Second, 20*time.Millisecond, "redialled")
}

// A connected peer that becomes a registered validator's ingest peer is
// disconnected once, at the next registry refresh (every 10 s), so that it
// announces its subscriptions again and the share topic's filter judges
// them anew.
func TestNewlyRegisteredPeerIsReconnected(t *testing.T) {
	c := newFakeChain()
	svc := startService(t, t.TempDir(), c)
	other := startService(t, t.TempDir(), newFakeChain())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, other.Host.Connect(ctx, peer.AddrInfo{ID: svc.Host.ID(), Addrs: svc.Host.Addrs()}))
	disconnected := make(chan struct{}, 1)
	svc.Host.Network().Notify(&network.NotifyBundle{DisconnectedF: func(_ network.Network, cn network.Conn) {
		if cn.RemotePeer() == other.Host.ID() {
			select {
			case disconnected <- struct{}{}:
			default:
			}
		}
	}})
	c.setIngestPeers(other.Host.ID())
	select {
	case <-disconnected:
	case <-ctx.Done():
		t.Fatal("the newly registered peer was not disconnected within a registry refresh")
	}
}
