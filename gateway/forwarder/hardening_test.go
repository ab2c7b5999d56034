package forwarder

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/pocnet/pocd/gwmp"
	"github.com/pocnet/pocd/gwmp/gwmptest"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// loopbackSocket is a bare UDP socket on 127.0.0.1: another port of the
// forwarder's host.
func loopbackSocket(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func (r *rig) downlink() netip.AddrPort {
	r.srv.mu.Lock()
	defer r.srv.mu.Unlock()
	return r.srv.down
}

// A PULL_DATA with the forwarder's EUI from another port of its host,
// while the forwarder keeps alive, does not move the downlinks: it is
// counted (wrong_port) and not answered, and the beacon still goes to the
// forwarder's downstream socket.
func TestPullDataFromAnotherPortKeepsDownlinks(t *testing.T) {
	r := newRig(t)
	f := r.forwarder(t, gwmptest.Config{EUI: eui})
	r.connected(t, f)
	require.Equal(t, f.DownAddr(), r.downlink(), "PULL_DATA comes from the emulator's downstream socket")
	require.NotEqual(t, f.UpAddr(), f.DownAddr())

	impostor := loopbackSocket(t)
	_, err := impostor.WriteToUDPAddrPort(gwmp.EncodePullData(0x0101, eui), r.srv.Addr().AddrPort())
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return testutil.ToFloat64(r.m.Dropped.WithLabelValues("wrong_port")) == 1
	}, testWait, 10*time.Millisecond)
	require.Equal(t, f.DownAddr(), r.downlink())

	_, err = r.br.Beacon(context.Background(), time.Now())
	require.NoError(t, err)
	require.Equal(t, int64(1), f.Stats().PullResp)
	// Nothing was sent to the impostor: no PULL_ACK, no PULL_RESP. (The
	// beacon above has gone to the forwarder; anything for the impostor
	// would have been written before it.)
	require.NoError(t, impostor.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
	_, _, err = impostor.ReadFromUDPAddrPort(make([]byte, 64))
	var nerr net.Error
	require.ErrorAs(t, err, &nerr)
	require.True(t, nerr.Timeout(), "the impostor got a datagram")
}

// A TX_ACK is taken only from the address and port its PULL_RESP went to:
// one with the right token from another port of the host is counted
// (wrong_port) and leaves the PULL_RESP waiting for the real answer.
func TestTxAckOnlyFromDownlinkPort(t *testing.T) {
	r := newRig(t)
	down, other := loopbackSocket(t), loopbackSocket(t)
	srv := r.srv.Addr().AddrPort()
	_, err := down.WriteToUDPAddrPort(gwmp.EncodePullData(1, eui), srv)
	require.NoError(t, err)
	require.Eventually(t, r.srv.Connected, testWait, 10*time.Millisecond)

	done := make(chan error, 1)
	go func() {
		_, err := r.br.Beacon(context.Background(), time.Now())
		done <- err
	}()
	var tok uint16
	buf := make([]byte, gwmp.MaxDatagramBytes)
	require.NoError(t, down.SetReadDeadline(time.Now().Add(testWait)))
	for {
		n, err := down.Read(buf)
		require.NoError(t, err)
		d, err := gwmp.Decode(buf[:n])
		require.NoError(t, err)
		if d.Type == gwmp.PullResp {
			tok = d.Token
			break
		}
	}
	_, err = other.WriteToUDPAddrPort(gwmp.EncodeTxAck(tok, eui, gwmp.TxAckResult{Error: "COLLISION_PACKET"}), srv)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return testutil.ToFloat64(r.m.Dropped.WithLabelValues("wrong_port")) == 1
	}, testWait, 10*time.Millisecond)
	_, err = down.WriteToUDPAddrPort(gwmp.EncodeTxAck(tok, eui, gwmp.TxAckResult{}), srv)
	require.NoError(t, err)
	require.NoError(t, <-done, "the TX_ACK from the downstream socket counts, the other does not")
	<-r.pub.beacons
	require.Zero(t, testutil.ToFloat64(r.m.Dropped.WithLabelValues("unexpected_tx_ack")))
}

// fakeConn discards what is written and records where to; reads fail
// with err (nil: net.ErrClosed) and are signalled on reads.
type fakeConn struct {
	mu     sync.Mutex
	writes []netip.AddrPort
	err    error
	reads  chan time.Time
	closed atomic.Bool
}

func (c *fakeConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	if c.closed.Load() || c.err == nil {
		return 0, netip.AddrPort{}, net.ErrClosed
	}
	select {
	case c.reads <- time.Now():
	default:
	}
	return 0, netip.AddrPort{}, c.err
}

func (c *fakeConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, to)
	return len(b), nil
}

func (c *fakeConn) LocalAddr() net.Addr { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1680} }
func (c *fakeConn) Close() error        { c.closed.Store(true); return nil }

func (c *fakeConn) wrote(to netip.AddrPort) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, w := range c.writes {
		if w == to {
			n++
		}
	}
	return n
}

// Downlinks move to another port of the forwarder's host only once the
// current downlink socket has been silent for HostTimeout (a restarted
// lora_pkt_fwd), and the "downlinks go to" line is logged at the 1st,
// 10th, 100th move only.
func TestDownlinksMoveOnlyAfterSilenceAndLogRarely(t *testing.T) {
	var mu sync.Mutex
	var moves []string
	c := &fakeConn{}
	e := eui
	s := newServer(c, ServerConfig{EUI: &e, HostTimeout: 30 * time.Second, Log: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(format, "downlinks go to") {
			moves = append(moves, format)
		}
	}}, NewMetrics(nil))
	ctx := context.Background()
	pull := gwmp.EncodePullData(1, eui)
	port := func(p uint16) netip.AddrPort { return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), p) }
	t0 := time.Now()

	s.handle(ctx, pull, port(1000), t0)
	s.handle(ctx, pull, port(1001), t0.Add(29*time.Second))
	require.Equal(t, port(1000), s.down, "the downlink socket kept alive 29 s ago")
	require.Equal(t, 1.0, testutil.ToFloat64(s.m.Dropped.WithLabelValues("wrong_port")))
	require.Zero(t, c.wrote(port(1001)), "no PULL_ACK to the other port")

	s.handle(ctx, pull, port(1001), t0.Add(30*time.Second))
	require.Equal(t, port(1001), s.down, "the old socket has been silent for 30 s")
	require.Equal(t, 1, c.wrote(port(1001)))

	at := t0.Add(30 * time.Second)
	for p := uint16(1002); p < 1100; p++ {
		at = at.Add(30 * time.Second)
		s.handle(ctx, pull, port(p), at)
		require.Equal(t, port(p), s.down)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, moves, 3, "100 moves, logged at the 1st, 10th and 100th")
}

// A read error that is not the socket closing is retried after a growing
// backoff, not at once: a persistent one cannot spin a core.
func TestServeBacksOffOnReadErrors(t *testing.T) {
	c := &fakeConn{err: errors.New("read: no buffer space available"), reads: make(chan time.Time, 16)}
	m := NewMetrics(nil)
	s := newServer(c, ServerConfig{}, m)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	var at []time.Time
	for range 5 {
		at = append(at, <-c.reads)
	}
	// Four backoffs between five reads: 5 + 10 + 20 + 40 ms.
	require.GreaterOrEqual(t, at[4].Sub(at[0]), 75*time.Millisecond)
	for i := 2; i < 5; i++ {
		require.Greater(t, at[i].Sub(at[i-1]), at[i-1].Sub(at[i-2]), "the backoff grows")
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	require.GreaterOrEqual(t, testutil.ToFloat64(m.Errors.WithLabelValues("udp_read")), 4.0)
}

// blockingPublisher holds every witness publication until release is
// closed or its context ends, and records how many run at once.
type blockingPublisher struct {
	release             chan struct{}
	calls, active, peak atomic.Int64
}

func (p *blockingPublisher) PublishBeacon(context.Context, *verify.Beacon) error { return nil }

func (p *blockingPublisher) PublishWitness(ctx context.Context, _ verify.Witness) error {
	p.calls.Add(1)
	n := p.active.Add(1)
	defer p.active.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	select {
	case <-p.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func beaconRXs(t *testing.T, n int) []gwmp.RXPK {
	rx := make([]gwmp.RXPK, n)
	for i := range rx {
		_, rx[i] = beaconRX(t)
	}
	return rx
}

func (b *Bridge) workerCount() int {
	b.qmu.Lock()
	defer b.qmu.Unlock()
	return b.workers
}

// Witness reports are published by at most witnessWorkers goroutines,
// with at most witnessQueue waiting; beyond, a report is dropped and
// counted (witness_queue_full). Wait waits for the queue to drain, and
// no worker is left.
func TestWitnessPublicationsBounded(t *testing.T) {
	r := newRig(t)
	p := &blockingPublisher{release: make(chan struct{})}
	r.br.cfg.Publisher = p
	r.br.HandleRX(context.Background(), beaconRXs(t, witnessWorkers+witnessQueue+3), time.Now())
	require.Equal(t, 3.0, testutil.ToFloat64(r.m.Errors.WithLabelValues("witness_queue_full")))
	require.Equal(t, float64(witnessWorkers+witnessQueue+3), testutil.ToFloat64(r.m.BeaconsHeard))
	require.Eventually(t, func() bool { return p.active.Load() == witnessWorkers }, testWait, 10*time.Millisecond)
	close(p.release)
	r.br.Wait()
	require.Equal(t, float64(witnessWorkers+witnessQueue), testutil.ToFloat64(r.m.WitnessesPublished))
	require.Equal(t, int64(witnessWorkers), p.peak.Load(), "never more than witnessWorkers at once")
	require.Zero(t, r.br.workerCount())

	// The pool starts again for later beacons.
	r.br.HandleRX(context.Background(), beaconRXs(t, 2), time.Now())
	r.br.Wait()
	require.Equal(t, float64(witnessWorkers+witnessQueue+2), testutil.ToFloat64(r.m.WitnessesPublished))
}

// At shutdown (the server's context ends) the publications in flight end
// and the queued ones are discarded: Wait returns, no worker is left.
func TestWitnessPublicationsEndWithContext(t *testing.T) {
	r := newRig(t)
	p := &blockingPublisher{release: make(chan struct{})}
	r.br.cfg.Publisher = p
	ctx, cancel := context.WithCancel(context.Background())
	r.br.HandleRX(ctx, beaconRXs(t, witnessWorkers+12), time.Now())
	require.Eventually(t, func() bool { return p.active.Load() == witnessWorkers }, testWait, 10*time.Millisecond)
	cancel()
	r.br.Wait()
	require.Equal(t, int64(witnessWorkers), p.calls.Load(), "the queued reports were not attempted")
	require.Equal(t, float64(witnessWorkers), testutil.ToFloat64(r.m.Errors.WithLabelValues("witness_publish")))
	require.Zero(t, r.br.workerCount())
}

// Once maxRemembered payloads are remembered, a new one evicts the oldest
// instead of being refused; payloads older than rememberFor are forgotten.
func TestRememberEvictsOldest(t *testing.T) {
	r := newRig(t)
	payload := func(i int) []byte { return binary.BigEndian.AppendUint32(make([]byte, 47), uint32(i)) }
	now := time.Now()
	set := r.br.heard
	for i := range maxRemembered {
		require.Empty(t, r.br.remember(set, payload(i), now))
	}
	require.Empty(t, r.br.remember(set, payload(maxRemembered), now), "a full set takes a new payload")
	require.Len(t, set.at, maxRemembered)
	require.Len(t, set.order, maxRemembered)
	require.Equal(t, "duplicate", r.br.remember(set, payload(1), now), "the second oldest is still there")
	require.Empty(t, r.br.remember(set, payload(0), now), "the oldest was evicted")
	require.Len(t, set.at, maxRemembered)

	require.Empty(t, r.br.remember(set, payload(-1), now.Add(rememberFor+time.Second)))
	require.Len(t, set.at, 1, "all the others expired")
	require.Len(t, set.order, 1)
}

// fakeEntropy answers x/poc's Entropy query from a map; height 0 is the
// newest.
type fakeEntropy struct {
	poctypes.QueryClient
	newest int64
	kept   map[int64]bool
}

func (q fakeEntropy) Entropy(_ context.Context, req *poctypes.QueryEntropyRequest, _ ...grpc.CallOption) (*poctypes.QueryEntropyResponse, error) {
	h := req.Height
	if h == 0 {
		h = q.newest
	}
	if !q.kept[h] {
		return nil, poctypes.ErrPocNotFound
	}
	return &poctypes.QueryEntropyResponse{Entropy: poctypes.BlockEntropy{Height: h, Hash: []byte{byte(h)}, TimeMs: h * 1000}}, nil
}

// The bridge beacons with the entropy of the block before the node's
// newest, which the validators' nodes have committed when the beacon goes
// on air (no RETRY from a validator a moment behind, whose witnesses'
// reports would find no beacon); the newest when there is none before.
func TestBeaconEntropyOneBlockBehind(t *testing.T) {
	r := newRig(t)
	r.br.cfg.Entropy = SettledEntropy(fakeEntropy{newest: 10, kept: map[int64]bool{9: true, 10: true}})
	f := r.forwarder(t, gwmptest.Config{EUI: eui})
	r.connected(t, f)
	bc, err := r.br.Beacon(context.Background(), time.Now())
	require.NoError(t, err)
	require.Equal(t, int64(9), bc.EntropyHeight)
	require.Equal(t, []byte{9}, bc.EntropyHash)
	require.Equal(t, bc, <-r.pub.beacons)

	for _, q := range []fakeEntropy{
		{newest: 1, kept: map[int64]bool{1: true}},
		{newest: 10, kept: map[int64]bool{10: true}}, // the first block recorded
	} {
		e, err := SettledEntropy(q)(context.Background())
		require.NoError(t, err)
		require.Equal(t, q.newest, e.Height)
	}
	_, err = SettledEntropy(fakeEntropy{newest: 10})(context.Background())
	require.ErrorIs(t, err, poctypes.ErrPocNotFound)
}
