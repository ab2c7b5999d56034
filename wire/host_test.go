package wire

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
)

func newTestHost(t *testing.T, limits ConnLimits) host.Host {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := crypto.UnmarshalEd25519PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHost(k, []string{"/ip4/127.0.0.1/tcp/0"}, limits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// A validator keeps a connection from every hotspot that delivers beacons
// to it: more than libp2p's memory-scaled default (252 inbound on a 24 GiB
// machine) must be able to connect and stay connected at once, from one
// address, in one burst.
func TestHostTakesMoreConnectionsThanLibp2pDefault(t *testing.T) {
	const clients = 300
	v := newTestHost(t, ConnLimits{PerIP: 1024, Inbound: 400})
	target := peer.AddrInfo{ID: v.ID(), Addrs: v.Addrs()}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	errs := make(chan error, clients)
	for range clients {
		c := newTestHost(t, ConnLimits{})
		go func() { errs <- c.Connect(ctx, target) }()
	}
	failed := 0
	for range clients {
		if err := <-errs; err != nil {
			failed++
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d connections refused", failed, clients)
	}
	if n := len(v.Network().Peers()); n != clients {
		t.Fatalf("validator holds %d connected peers, want %d", n, clients)
	}
}

// The limit holds: past Inbound, connections are refused.
func TestHostRefusesConnectionsPastInbound(t *testing.T) {
	const limit = 20
	v := newTestHost(t, ConnLimits{PerIP: 1024, Inbound: limit})
	target := peer.AddrInfo{ID: v.ID(), Addrs: v.Addrs()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ok := 0
	for range limit + 5 {
		if newTestHost(t, ConnLimits{}).Connect(ctx, target) == nil {
			ok++
		}
	}
	if ok != limit {
		t.Fatalf("%d connections taken, want the limit %d", ok, limit)
	}
}
