package ingest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"cosmossdk.io/log/v2"
)

// Service is a running ingest: gossip host, validators, queue and relayer.
type Service struct {
	cfg     Config
	Host    host.Host
	PubSub  *pubsub.PubSub
	Store   *Store
	Relayer *Relayer
	Metrics *Metrics
	logger  log.Logger

	validator *Validator

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// LoadOrCreateKey reads the gossip identity, creating it on first start.
func LoadOrCreateKey(path string) (crypto.PrivKey, error) {
	bz, err := os.ReadFile(path)
	if err == nil {
		return crypto.UnmarshalPrivateKey(bz)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	bz, err = crypto.MarshalPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return priv, os.WriteFile(path, bz, 0o600)
}

// Start brings ingest up. home resolves the relative paths in cfg; the
// returned service runs until Close.
func Start(ctx context.Context, cfg Config, home, chainID string, chain Chain, m *Metrics, logger log.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(home, p)
	}
	priv, err := LoadOrCreateKey(abs(cfg.KeyFile))
	if err != nil {
		return nil, fmt.Errorf("ingest key: %w", err)
	}
	store, err := OpenStore(abs(cfg.DBDir))
	if err != nil {
		return nil, err
	}
	h, err := NewHost(priv, cfg.Listen, cfg.MaxConnsPerIP)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("ingest host: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Service{cfg: cfg, Host: h, Store: store, Metrics: m, logger: logger, cancel: cancel}
	fail := func(err error) (*Service, error) {
		cancel()
		h.Close()
		store.Close()
		return nil, err
	}
	topics := []string{BeaconTopic(chainID), WitnessTopic(chainID)}
	ps, err := pubsub.NewGossipSub(ctx, h, validatorGossipOptions(cfg, topics, m)...)
	if err != nil {
		return fail(fmt.Errorf("gossipsub: %w", err))
	}
	s.PubSub = ps
	v := &Validator{cfg: cfg, chain: chain, store: store, m: m, logger: logger, now: time.Now}
	s.validator = v
	vopts := []pubsub.ValidatorOpt{pubsub.WithValidatorConcurrency(cfg.ValidateConcurrency), pubsub.WithValidatorTimeout(10 * time.Second)}
	if err := ps.RegisterTopicValidator(topics[0], v.pubsubValidator("beacon", v.CheckBeacon), vopts...); err != nil {
		return fail(err)
	}
	if err := ps.RegisterTopicValidator(topics[1], v.pubsubValidator("witness", v.CheckWitness), vopts...); err != nil {
		return fail(err)
	}
	if _, err := joinTopics(ctx, ps, topics...); err != nil {
		return fail(err)
	}
	peers, err := ParsePeers(cfg.Peers)
	if err != nil {
		return fail(err)
	}
	s.Relayer = &Relayer{cfg: cfg, chain: chain, store: store, m: m, logger: logger, now: time.Now, self: []byte(h.ID()), resubmitAfter: 10}
	for _, p := range peers {
		if p.ID != h.ID() {
			s.Relayer.peers = append(s.Relayer.peers, []byte(p.ID))
		}
	}
	s.spawn(func() { s.keepPeers(ctx, peers) })
	s.spawn(func() { s.Relayer.Run(ctx) })
	s.spawn(func() {
		every(ctx, cfg.GCInterval, func() {
			if err := store.RunGC(); err != nil {
				logger.Error("ingest queue GC failed", "err", err)
			}
		})
	})
	logger.Info("PoC ingest started", "peer_id", h.ID().String(), "listen", h.Addrs(), "relayer", chain.RelayerAddress())
	return s, nil
}

func (s *Service) spawn(f func()) {
	s.wg.Add(1)
	go func() { defer s.wg.Done(); f() }()
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

// keepPeers dials the configured peers and redials any that drop.
func (s *Service) keepPeers(ctx context.Context, peers []peer.AddrInfo) {
	if len(peers) == 0 {
		return
	}
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		for _, p := range peers {
			if p.ID == s.Host.ID() || s.Host.Network().Connectedness(p.ID) == network.Connected {
				continue
			}
			dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if err := s.Host.Connect(dctx, p); err != nil {
				s.logger.Debug("ingest peer unreachable", "peer", p.ID, "err", err)
			}
			cancel()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// every runs f every d until ctx ends.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// Close stops gossip first (nothing more is acknowledged), then the loops,
// then closes the queue.
func (s *Service) Close() error {
	s.cancel()
	err := s.Host.Close()
	s.wg.Wait()
	return errors.Join(err, s.Store.Close())
}
