// Package forwarder bridges a LoRa packet forwarder (Semtech GWMP over
// UDP, package gwmp) to the hotspot's PoC: it transmits the hotspot's
// beacons through the forwarder and publishes a beacon report only once
// the forwarder acknowledged the transmission, and turns every received
// packet that is a beacon into a signed witness report. hotspotd run
// --forwarder starts it; docs/gateway.md is the owner's guide.
package forwarder

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/pocnet/pocd/gwmp"
)

// Typed transmission errors.
var (
	// ErrNoForwarder: no forwarder has sent a PULL_DATA recently, so
	// there is no address to send a downlink to.
	ErrNoForwarder = errors.New("forwarder: no packet forwarder connected")
	// ErrTxAckTimeout: the forwarder did not answer a PULL_RESP.
	ErrTxAckTimeout = errors.New("forwarder: no TX_ACK")
	// ErrTxRefused: the forwarder's TX_ACK reported an error.
	ErrTxRefused = errors.New("forwarder: transmission refused")
)

// ServerConfig configures the UDP server.
type ServerConfig struct {
	// EUI is the hotspot's gateway. Nil: the first forwarder heard is
	// taken, until it is silent for HostTimeout.
	EUI *gwmp.EUI
	// HostTimeout: datagrams with the hotspot's EUI are taken from one
	// source host (IP address) only, until that host has been silent this
	// long (default 30 s: three keep-alives of lora_pkt_fwd). Likewise
	// downlinks go to one address and port, the one PULL_DATA comes from
	// (lora_pkt_fwd's downstream socket, fixed for its life), until no
	// PULL_DATA has come from it this long; it is also how recent a
	// PULL_DATA must be for a downlink to be sent.
	HostTimeout time.Duration
	// AckTimeout bounds the wait for a TX_ACK (default 3 s).
	AckTimeout time.Duration
	// Log, if set, receives one line per notable event.
	Log func(format string, args ...any)
}

// udpConn is the part of *net.UDPConn the server uses (tests fake it).
type udpConn interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	LocalAddr() net.Addr
	Close() error
}

// Server serves GWMP v2 to one packet forwarder.
type Server struct {
	conn udpConn
	cfg  ServerConfig
	m    *Metrics
	// OnRX receives the packets of each PUSH_DATA (after its PUSH_ACK).
	// Set it before Serve.
	OnRX func(ctx context.Context, rx []gwmp.RXPK, arrival time.Time)

	mu       sync.Mutex
	eui      gwmp.EUI
	euiKnown bool
	host     netip.Addr // the forwarder's IP address
	lastSeen time.Time
	down     netip.AddrPort // where PULL_DATA came from: downlinks go there
	lastPull time.Time      // the last PULL_DATA from down
	pending  map[uint16]pendingTx
	logged   map[string]int
}

// pendingTx is a PULL_RESP awaiting its TX_ACK, which must come from the
// address the PULL_RESP was sent to.
type pendingTx struct {
	to netip.AddrPort
	ch chan gwmp.TxAckResult
}

// Read-error backoff: a socket that keeps failing (not closed) is retried
// after readBackoffMin, doubling to readBackoffMax, so it cannot spin a
// core; the first good read resets it.
const (
	readBackoffMin = 5 * time.Millisecond
	readBackoffMax = time.Second
)

// Listen opens the UDP socket (e.g. "0.0.0.0:1680").
func Listen(addr string, cfg ServerConfig, m *Metrics) (*Server, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, err
	}
	return newServer(conn, cfg, m), nil
}

func newServer(conn udpConn, cfg ServerConfig, m *Metrics) *Server {
	if cfg.HostTimeout <= 0 {
		cfg.HostTimeout = 30 * time.Second
	}
	if cfg.AckTimeout <= 0 {
		cfg.AckTimeout = 3 * time.Second
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	s := &Server{conn: conn, cfg: cfg, m: m, pending: map[uint16]pendingTx{}, logged: map[string]int{}}
	if cfg.EUI != nil {
		s.eui, s.euiKnown = *cfg.EUI, true
	}
	return s
}

// Addr is the bound address.
func (s *Server) Addr() *net.UDPAddr { return s.conn.LocalAddr().(*net.UDPAddr) }

// Close closes the socket; Serve returns.
func (s *Server) Close() error { return s.conn.Close() }

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Log != nil {
		s.cfg.Log(format, args...)
	}
}

// rarely counts an occurrence of event and reports whether to log it:
// the 1st, 10th, 100th, ...: a flood cannot flood the log.
func (s *Server) rarely(event string) (int, bool) {
	s.mu.Lock()
	s.logged[event]++
	n := s.logged[event]
	s.mu.Unlock()
	return n, isPowerOf10(n)
}

func isPowerOf10(n int) bool {
	for p := 1; p <= n; p *= 10 {
		if p == n {
			return true
		}
	}
	return false
}

// drop counts an ignored datagram; its log line is rare (rarely).
func (s *Server) drop(reason string, from netip.AddrPort, err error) {
	s.m.Dropped.WithLabelValues(reason).Inc()
	if n, ok := s.rarely("drop:" + reason); ok {
		s.logf("forwarder: ignored datagram from %s (%s, %d so far): %v", from, reason, n, err)
	}
}

// Serve reads datagrams until ctx ends or the socket closes. Nothing a
// datagram contains stops it. Any other read error is counted
// (errors_total{reason="udp_read"}) and the read retried after a backoff.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.conn.Close() })
	defer stop()
	buf := make([]byte, gwmp.MaxDatagramBytes+1)
	backoff := time.Duration(0)
	for {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return ctx.Err()
			}
			s.m.Errors.WithLabelValues("udp_read").Inc()
			if n, ok := s.rarely("udp_read"); ok {
				s.logf("forwarder: read (%d errors so far): %v", n, err)
			}
			backoff = min(max(2*backoff, readBackoffMin), readBackoffMax)
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		}
		backoff = 0
		s.handle(ctx, buf[:n], from, time.Now())
	}
}

func (s *Server) handle(ctx context.Context, raw []byte, from netip.AddrPort, now time.Time) {
	d, err := gwmp.Decode(raw)
	if err != nil {
		s.drop(gwmp.Reason(err), from, err)
		return
	}
	if !d.Type.Upstream() {
		s.drop("unexpected_type", from, fmt.Errorf("%s is sent by servers, not forwarders", d.Type))
		return
	}
	if reason, err := s.admit(d.EUI, from.Addr().Unmap(), now); err != nil {
		s.drop(reason, from, err)
		return
	}
	s.m.Datagrams.WithLabelValues("up", d.Type.String()).Inc()
	switch d.Type {
	case gwmp.PushData:
		s.ack(d, from) // at once, as the protocol asks; then the content
		body, err := gwmp.DecodePushData(d)
		if err != nil {
			s.drop(gwmp.Reason(err), from, err)
			return
		}
		if len(body.RXPK) > 0 && s.OnRX != nil {
			s.OnRX(ctx, body.RXPK, now)
		}
	case gwmp.PullData:
		// lora_pkt_fwd sends PULL_DATA (and TX_ACK) from one socket for
		// its life: while that socket keeps alive, PULL_DATA from another
		// port does not move the downlinks.
		s.mu.Lock()
		cur, live := s.down, s.down.IsValid() && now.Sub(s.lastPull) < s.cfg.HostTimeout
		if live && cur != from {
			s.mu.Unlock()
			s.drop("wrong_port", from, fmt.Errorf("PULL_DATA of %s from another port while its downlinks go to %s", d.EUI, cur))
			return
		}
		s.down, s.lastPull = from, now
		s.mu.Unlock()
		if cur != from {
			if n, ok := s.rarely("downlink"); ok {
				s.logf("forwarder %s: downlinks go to %s (downlink address %d)", d.EUI, from, n)
			}
		}
		s.ack(d, from)
	case gwmp.TxAck:
		res, err := gwmp.DecodeTxAck(d)
		if err != nil {
			s.drop(gwmp.Reason(err), from, err)
			return
		}
		s.mu.Lock()
		p, ok := s.pending[d.Token]
		if ok && p.to == from {
			delete(s.pending, d.Token)
		}
		s.mu.Unlock()
		switch {
		case !ok:
			s.drop("unexpected_tx_ack", from, fmt.Errorf("TX_ACK token %04x answers no PULL_RESP", d.Token))
		case p.to != from:
			s.drop("wrong_port", from, fmt.Errorf("TX_ACK token %04x from another port than its PULL_RESP went to (%s)", d.Token, p.to))
		default:
			p.ch <- res
		}
	}
}

// admit applies the one-forwarder rule: the hotspot's EUI only, from one
// host at a time.
func (s *Server) admit(eui gwmp.EUI, host netip.Addr, now time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	silent := now.Sub(s.lastSeen) >= s.cfg.HostTimeout
	if !s.euiKnown || (s.cfg.EUI == nil && silent && eui != s.eui) {
		if s.euiKnown {
			s.logf("forwarder %s silent for %s; forwarder %s at %s takes over", s.eui, s.cfg.HostTimeout, eui, host)
		} else {
			s.logf("forwarder %s at %s", eui, host)
		}
		s.eui, s.euiKnown = eui, true
	}
	if eui != s.eui {
		return "unknown_eui", fmt.Errorf("gateway EUI %s is not this hotspot's (%s)", eui, s.eui)
	}
	if s.host.IsValid() && host != s.host {
		if !silent {
			return "spoofed_source", fmt.Errorf("EUI %s from %s while its forwarder is at %s", eui, host, s.host)
		}
		s.logf("forwarder %s moved from %s to %s", eui, s.host, host)
	}
	s.host, s.lastSeen = host, now
	return "", nil
}

func (s *Server) ack(d gwmp.Datagram, to netip.AddrPort) {
	ack, ok := gwmp.Ack(d)
	if !ok {
		return
	}
	if _, err := s.conn.WriteToUDPAddrPort(ack, to); err == nil {
		t := gwmp.PushAck
		if d.Type == gwmp.PullData {
			t = gwmp.PullAck
		}
		s.m.Datagrams.WithLabelValues("down", t.String()).Inc()
	}
}

// Connected reports whether a forwarder sent PULL_DATA within HostTimeout.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down.IsValid() && time.Since(s.lastPull) < s.cfg.HostTimeout
}

// Transmit sends tx to the forwarder in a PULL_RESP and waits for its
// TX_ACK. A TX_ACK with an error is returned with ErrTxRefused.
func (s *Server) Transmit(ctx context.Context, tx gwmp.TXPK) (gwmp.TxAckResult, error) {
	s.mu.Lock()
	to := s.down
	if !to.IsValid() || time.Since(s.lastPull) >= s.cfg.HostTimeout {
		s.mu.Unlock()
		return gwmp.TxAckResult{}, ErrNoForwarder
	}
	tok := uint16(rand.Uint32())
	for _, taken := s.pending[tok]; taken; _, taken = s.pending[tok] {
		tok++
	}
	ch := make(chan gwmp.TxAckResult, 1)
	s.pending[tok] = pendingTx{to: to, ch: ch}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, tok)
		s.mu.Unlock()
	}()
	if _, err := s.conn.WriteToUDPAddrPort(gwmp.EncodePullResp(tok, tx), to); err != nil {
		return gwmp.TxAckResult{}, err
	}
	s.m.Datagrams.WithLabelValues("down", gwmp.PullResp.String()).Inc()
	timer := time.NewTimer(s.cfg.AckTimeout)
	defer timer.Stop()
	select {
	case res := <-ch:
		if !res.OK() {
			return res, fmt.Errorf("%w: %.64q", ErrTxRefused, res.Error)
		}
		return res, nil
	case <-timer.C:
		return gwmp.TxAckResult{}, ErrTxAckTimeout
	case <-ctx.Done():
		return gwmp.TxAckResult{}, ctx.Err()
	}
}
