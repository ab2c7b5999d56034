package ingest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"cosmossdk.io/log/v2"

	"github.com/pocnet/pocd/wire"
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

	admission *Admission
	penalties *penaltyBox
	share     *pubsub.Topic
	// registered are the validators' ingest peers from the chain's relayer
	// registrations, refreshed every peersTTL.
	registered atomic.Pointer[map[peer.ID]bool]
	scores     atomic.Pointer[map[peer.ID]float64]

	cancel context.CancelFunc
	wg     sync.WaitGroup

	warnedUnregistered bool
	closedAt           map[peer.ID]time.Time // registry-driven disconnections (refreshRegistry's goroutine only)
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
	if err := store.SetCeiling(cfg.MaxQueueBytes); err != nil {
		store.Close()
		return nil, fmt.Errorf("ingest queue size: %w", err)
	}
	h, err := wire.NewHost(priv, cfg.Listen, wire.ConnLimits{PerIP: cfg.MaxConnsPerIP, Inbound: cfg.MaxConns})
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("ingest host: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Service{cfg: cfg, Host: h, Store: store, Metrics: m, logger: logger, cancel: cancel, penalties: newPenaltyBox(time.Now),
		closedAt: map[peer.ID]time.Time{}}
	fail := func(err error) (*Service, error) {
		cancel()
		h.Close()
		store.Close()
		return nil, err
	}
	s.registered.Store(&map[peer.ID]bool{})
	s.scores.Store(&map[peer.ID]float64{})
	s.refreshRegistry(ctx, chain)
	shed := newOverload(cfg.MaxRelayDelay)
	a := &Admission{cfg: cfg, chain: chain, store: store, windows: newWindows(maxBeaconWaiters), overload: shed, shareBudget: newPenaltyBox(time.Now),
		m: m, logger: logger, now: time.Now}
	if err := a.reopenWindows(); err != nil {
		return fail(err)
	}
	s.admission = a
	topics := []string{wire.BeaconShareTopic(chainID), wire.WitnessTopic(chainID)}
	ps, err := pubsub.NewGossipSub(ctx, h, validatorGossipOptions(cfg, topics, m, s.isRegistered,
		func(sc map[peer.ID]float64) { s.scores.Store(&sc) })...)
	if err != nil {
		return fail(fmt.Errorf("gossipsub: %w", err))
	}
	s.PubSub = ps
	vopts := []pubsub.ValidatorOpt{pubsub.WithValidatorConcurrency(cfg.ValidateConcurrency), pubsub.WithValidatorTimeout(10 * time.Second)}
	shared := func(ctx context.Context, from peer.ID, data []byte) Decision {
		if !s.isRegistered(from) {
			return reject(RejectNotValidator)
		}
		return a.AdmitBeacon(ctx, data, from, fromValidator)
	}
	shareV := a.pubsubValidator("beacon_share", shared)
	self := h.ID()
	shareOrOwn := func(ctx context.Context, from peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		if from == self {
			return pubsub.ValidationAccept // this node's own share of a beacon it admitted
		}
		return shareV(ctx, from, msg)
	}
	if err := ps.RegisterTopicValidator(topics[0], shareOrOwn, vopts...); err != nil {
		return fail(err)
	}
	witness := func(ctx context.Context, _ peer.ID, data []byte) Decision { return a.AdmitWitness(ctx, data) }
	if err := ps.RegisterTopicValidator(topics[1], a.pubsubValidator("witness", witness), vopts...); err != nil {
		return fail(err)
	}
	joined, err := joinTopics(ctx, ps, topics...)
	if err != nil {
		return fail(err)
	}
	s.share = joined[0]
	h.SetStreamHandler(wire.BeaconProtocol(chainID), func(st network.Stream) { s.serveBeacon(ctx, st) })
	peers, err := wire.ParsePeers(cfg.Peers)
	if err != nil {
		return fail(err)
	}
	s.Relayer = &Relayer{cfg: cfg, chain: chain, store: store, m: m, logger: logger, now: time.Now, self: []byte(h.ID()), resubmitAfter: 10,
		overload: shed}
	for _, p := range peers {
		if p.ID != h.ID() {
			s.Relayer.peers = append(s.Relayer.peers, []byte(p.ID))
		}
	}
	s.spawn(func() { s.keepPeers(ctx, peers) })
	s.spawn(func() { s.Relayer.Run(ctx) })
	s.spawn(func() { every(ctx, peersTTL, func() { s.refreshRegistry(ctx, chain) }) })
	s.spawn(func() {
		every(ctx, time.Second, func() {
			if err := store.MeasureDisk(); err != nil {
				logger.Error("ingest queue size unknown", "err", err)
			}
			m.QueueBytes.Set(float64(store.DiskBytes()))
			a.windows.prune(time.Now().Add(-cfg.WitnessAdmission - time.Second).UnixMilli())
		})
	})
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

func (s *Service) isRegistered(p peer.ID) bool { return (*s.registered.Load())[p] }

// refreshRegistry reloads the validators' registered ingest peers. On an
// error the last known set stays.
func (s *Service) refreshRegistry(ctx context.Context, chain Chain) {
	ids, err := chain.IngestPeers(ctx)
	if err != nil {
		s.logger.Debug("ingest peer registry unavailable", "err", err)
		return
	}
	if !ids[s.Host.ID()] && len(ids) > 0 && !s.warnedUnregistered {
		s.warnedUnregistered = true
		s.logger.Info("this node's ingest peer is not registered on chain: other validators will not share beacons with it; " +
			"register it with `pocd tx poc register-relayer <relayer> --ingest-peer " + s.Host.ID().String() + "`")
	}
	// A peer whose registration changed must exchange subscriptions again
	// (the share topic's subscription filter judged it when it connected):
	// drop its connection; it is redialled (peers) or redials.
	// At most once per peer per registryChurnEvery: registrations that
	// flip back and forth must not make this node churn connections.
	prev := *s.registered.Load()
	s.registered.Store(&ids)
	now := time.Now()
	for id := range ids {
		if !prev[id] && id != s.Host.ID() {
			s.closeForRegistry(id, now)
		}
	}
	for id := range prev {
		if !ids[id] {
			s.closeForRegistry(id, now)
		}
	}
}

const registryChurnEvery = 10 * time.Minute

func (s *Service) closeForRegistry(id peer.ID, now time.Time) {
	if s.Host.Network().Connectedness(id) != network.Connected || now.Sub(s.closedAt[id]) < registryChurnEvery {
		return
	}
	if len(s.closedAt) > 10_000 {
		clear(s.closedAt)
	}
	s.closedAt[id] = now
	_ = s.Host.Network().ClosePeer(id)
}

// PeerPenalty is a peer's standing with this node: its gossipsub score
// (negative once its reports were rejected) and its direct-delivery
// penalty points (blocked at blockAt).
func (s *Service) PeerPenalty(p peer.ID) (gossipScore, deliveryPoints float64) {
	return (*s.scores.Load())[p], s.penalties.points(p)
}

// serveBeacon answers one direct beacon delivery: one frame in, one
// BeaconAck out. Admitted beacons are shared with the other validators.
func (s *Service) serveBeacon(ctx context.Context, st network.Stream) {
	defer st.Close()
	from := st.Conn().RemotePeer()
	// The request frame (a few hundred bytes) must come at once; the
	// whole exchange, admission included, within deliveryTimeout.
	_ = st.SetDeadline(time.Now().Add(deliveryTimeout))
	_ = st.SetReadDeadline(time.Now().Add(requestTimeout))
	d := s.admission.count("beacon", func() Decision {
		if why := s.penalties.admit(from); why != "" {
			return ignore(why)
		}
		data, err := wire.ReadFrame(st, s.cfg.MaxMessageBytes)
		switch {
		case errors.Is(err, wire.ErrFrameTooLarge):
			return reject(RejectOversized)
		case err != nil:
			return reject(RejectMalformed)
		}
		d := s.admission.AdmitBeacon(ctx, data, from, fromHotspot)
		if d.Result == pubsub.ValidationAccept {
			if err := s.share.Publish(ctx, data); err != nil && !errors.Is(err, pubsub.ErrTopicClosed) {
				s.logger.Debug("beacon share failed", "err", err)
			}
		}
		return d
	})
	if d.Result == pubsub.ValidationReject {
		s.penalties.penalise(from)
	}
	ack := wire.BeaconAck{Status: ackStatus(d), Reason: d.Reason}
	bz, _ := ack.Marshal()
	if err := wire.WriteFrame(st, bz); err != nil {
		st.Reset()
	}
}

// deliveryTimeout bounds one delivery stream; requestTimeout its request
// (a slow or silent peer holds a stream no longer than that).
const (
	deliveryTimeout = 10 * time.Second
	requestTimeout  = 2 * time.Second
)

func ackStatus(d Decision) wire.BeaconAck_Status {
	switch {
	case d.Result == pubsub.ValidationAccept:
		return wire.BeaconAck_STATUS_ACCEPTED
	case d.Reason == IgnoreDuplicate:
		return wire.BeaconAck_STATUS_DUPLICATE
	case d.Result == pubsub.ValidationReject, d.Reason == IgnoreBlocked, d.Reason == IgnoreRateLimited:
		return wire.BeaconAck_STATUS_REJECTED
	}
	return wire.BeaconAck_STATUS_RETRY
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
