package sim

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/wire"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// heardHash is a beacon named by gossip: a payload hash seen on the open
// witness topic, and (for the summary only) the beacon it belongs to.
type heardHash struct {
	at   time.Time
	hash wire.PayloadHash
	id   [32]byte
}

// ownReport is one of the cross-replayer's own witness reports.
type ownReport struct {
	at  time.Time
	raw []byte
	id  [32]byte
}

// spy is a bare libp2p gossip peer: it subscribes to the open witness topic
// and tries the validators' beacon-sharing topic, counting what arrives.
type spy struct {
	host      host.Host
	witnesses *pubsub.Topic
	wsub      *pubsub.Subscription
	shared    int // messages received on the sharing topic
	sealed    int // messages received on the witness topic
	peers     []peer.AddrInfo
}

func newSpy(ctx context.Context, priv ed25519.PrivateKey, validators []peer.AddrInfo, chainID string, onShared func([]byte)) (*spy, error) {
	lk, err := libp2pcrypto.UnmarshalEd25519PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	h, err := wire.NewHost(lk, []string{"/ip4/127.0.0.1/tcp/0"}, wire.ConnLimits{})
	if err != nil {
		return nil, err
	}
	ps, err := pubsub.NewGossipSub(ctx, h, wire.GossipOptions()...)
	if err != nil {
		h.Close()
		return nil, err
	}
	s := &spy{host: h, peers: validators}
	if s.witnesses, err = ps.Join(wire.WitnessTopic(chainID)); err != nil {
		h.Close()
		return nil, err
	}
	if s.wsub, err = s.witnesses.Subscribe(); err != nil {
		h.Close()
		return nil, err
	}
	// The sharing topic: validators refuse to mesh with an unregistered
	// peer, so nothing should ever arrive here.
	if st, err := ps.Join(wire.BeaconShareTopic(chainID)); err == nil {
		if sub, err := st.Subscribe(); err == nil {
			go func() {
				for {
					m, err := sub.Next(ctx)
					if err != nil {
						return
					}
					onShared(m.Data)
				}
			}()
		}
	}
	for _, v := range validators {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = h.Connect(dctx, v)
		cancel()
	}
	return s, nil
}

func (s *spy) publish(ctx context.Context, data []byte) error {
	for len(s.witnesses.ListPeers()) == 0 {
		for _, v := range s.peers {
			if s.host.Network().Connectedness(v.ID) != network.Connected {
				dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				_ = s.host.Connect(dctx, v)
				cancel()
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return s.witnesses.Publish(ctx, data)
}

// sealForged seals a witness report under a payload hash of the caller's
// choosing: a report whose signature covers another payload than the one
// the hash names. With no key (a report in another hotspot's name), the
// seal signature is made up too.
func sealForged(w verify.Witness, hash wire.PayloadHash, priv ed25519.PrivateKey) []byte {
	if priv == nil {
		_, priv, _ = ed25519.GenerateKey(nil)
	}
	return wire.SealAs(w, hash, priv)
}

func (r *runner) advFig(k Kind) *AdversaryFigures {
	f := r.adv[k]
	if f == nil {
		f = &AdversaryFigures{}
		r.adv[k] = f
	}
	return f
}

// record adds an adversary's or cheater's witness report to the ones the
// summary looks up on chain.
func (r *runner) record(p *published) {
	r.mu.Lock()
	r.reports = append(r.reports, p)
	r.mu.Unlock()
}

// publishAdv publishes at `at` like publishLater, but an error is the
// adversary's outcome, not a publish error of the simulator.
func (r *runner) publishAdv(ctx context.Context, at time.Time, f func(context.Context) error, done func(error)) {
	r.inflight.Add(1)
	go func() {
		defer r.inflight.Done()
		time.Sleep(time.Until(at))
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		err := f(pctx)
		if done != nil {
			done(err)
		}
	}()
}

// beaconOutcome records a beacon delivery's answer for an adversary kind.
func (r *runner) beaconOutcome(k Kind) func(error) {
	return func(err error) {
		reason := ackReason(err)
		r.mu.Lock()
		defer r.mu.Unlock()
		f := r.advFig(k)
		f.outcome("beacon_ingest", reason)
		if reason == "accepted" {
			f.IngestAccepted++
		}
	}
}

// recentHeard returns the beacons named on gossip in the last `within`,
// newest last, skipping those skip says to.
func (r *runner) recentHeard(now time.Time, within time.Duration, skip func([32]byte) bool) []heardHash {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []heardHash
	for _, h := range r.heard {
		if now.Sub(h.at) <= within && now.After(h.at) && (skip == nil || !skip(h.id)) {
			out = append(out, h)
		}
	}
	return out
}

// startAdversaries starts the adversaries that are not driven by the
// beacon loop: front-runner, virtual witness, flooder, module transfer.
func (r *runner) startAdversaries(ctx context.Context) {
	for i, h := range r.Fleet {
		if h.Kind == VirtualWitness {
			r.goAdv(func() { r.virtualWitness(ctx, i) })
		}
	}
	if r.FrontRunner != nil {
		r.goAdv(func() { r.frontRunner(ctx) })
	}
	r.goAdv(func() { r.flood(ctx) })
	r.goAdv(func() { r.floodBeacons(ctx) })
	if r.Owner != nil {
		r.goAdv(func() { r.moduleTransfer(ctx) })
	}
}

func (r *runner) goAdv(f func()) {
	r.advWG.Add(1)
	go func() {
		defer r.advWG.Done()
		f()
	}()
}

// latestPocs reads the newest PoC of each honest beaconer from the chain:
// what an outsider can learn there (beacon id, entropy, timestamp,
// frequency; never the payload).
func (r *runner) latestPocs(ctx context.Context) []poctypes.PocRecord {
	q := poctypes.NewQueryClient(r.Conn)
	var out []poctypes.PocRecord
	n := 0
	for _, h := range r.Fleet {
		if h.Kind != Honest || n >= 8 {
			continue
		}
		n++
		res, err := q.PocsByBeaconer(ctx, &poctypes.QueryPocsByBeaconerRequest{Hotspot: h.Address,
			Pagination: &query.PageRequest{Limit: 1, Reverse: true}})
		if err != nil || len(res.Pocs) == 0 {
			continue
		}
		out = append(out, res.Pocs[0])
	}
	return out
}

// frontRunner listens to gossip for beacons (there are none to hear) and
// relays forged and witness-stripped copies of the PoCs it reads on chain.
func (r *runner) frontRunner(ctx context.Context) {
	var shared int
	sp, err := newSpy(ctx, newKey(), r.Validators, r.ChainID, func(data []byte) {
		r.mu.Lock()
		shared++
		if _, err := wire.DecodeBeacon(data); err == nil {
			r.advFig(FrontRunner).observe("share_topic_valid_beacons", 1)
		}
		r.mu.Unlock()
	})
	if err != nil {
		r.Logf("front-runner: %v", err)
		return
	}
	defer sp.host.Close()
	go func() {
		for {
			m, err := sp.wsub.Next(ctx)
			if err != nil {
				return
			}
			r.mu.Lock()
			f := r.advFig(FrontRunner)
			f.observe("gossip_witness_reports", 1)
			if _, err := wire.DecodeBeacon(m.Data); err == nil {
				f.observe("gossip_beacons", 1)
			}
			r.mu.Unlock()
		}
	}()
	pubkeys := map[string][]byte{}
	for _, h := range r.Fleet {
		pubkeys[h.Address] = h.Key.PubKey()
	}
	done := map[string]bool{}
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			r.mu.Lock()
			r.advFig(FrontRunner).observe("share_topic_beacons", shared)
			r.mu.Unlock()
			return
		case <-t.C:
		}
		pocs := r.latestPocs(ctx)
		r.mu.Lock()
		r.advFig(FrontRunner).observe("chain_pocs_read", len(pocs))
		r.mu.Unlock()
		for _, p := range pocs {
			id := hex.EncodeToString(p.BeaconId)
			if done[id] {
				continue
			}
			done[id] = true
			// A copy built from what the chain shows: the payload, local
			// entropy and signature are not there, so they are made up.
			b := poctypes.BeaconReport{Pubkey: pubkeys[p.Beaconer], EntropyHeight: p.EntropyHeight, EntropyHash: p.EntropyHash,
				LocalEntropy: randomBytes(verify.LocalEntropySize), Payload: randomBytes(r.payload), FrequencyHz: p.FrequencyHz,
				DataRate: r.plan.DataRate, TxPowerDbm: p.TxPowerDbm, TimestampNs: p.TimestampNs, Signature: randomBytes(64)}
			stripped := &poctypes.MsgSubmitPoc{Relayer: r.FrontRunner.Address(), Beacon: b}
			w := verify.Witness{Pubkey: randomBytes(32), Payload: b.Payload, RSSIDdbm: -1000, SNRDdb: 50, FrequencyHz: b.FrequencyHz,
				DataRate: b.DataRate, TimestampNs: b.TimestampNs + int64(100*time.Millisecond), Signature: randomBytes(64)}
			forged := &poctypes.MsgSubmitPoc{Relayer: r.FrontRunner.Address(), Beacon: b, Witnesses: []poctypes.WitnessReport{poctypes.WitnessFromVerify(w)}}
			for _, m := range []*poctypes.MsgSubmitPoc{stripped, forged} {
				reason, ok := r.submitTx(ctx, r.FrontRunner, m)
				r.mu.Lock()
				f := r.advFig(FrontRunner)
				f.Sent++
				f.outcome("tx", reason)
				if ok {
					f.Accepted++
				}
				r.mu.Unlock()
			}
		}
	}
}

// submitTx broadcasts one message with a fixed gas limit and returns the
// refusal (codespace/code) or "ok".
func (r *runner) submitTx(ctx context.Context, s *chainclient.Signer, msg sdk.Msg) (string, bool) {
	res, err := s.Broadcast(ctx, 400_000, msg)
	if err != nil {
		return "error", false
	}
	if !res.OK() {
		return fmt.Sprintf("%s/%d", res.Codespace, res.Code), false
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tx, err := chainclient.WaitTx(wctx, r.Conn, res.TxHash)
	switch {
	case errors.Is(err, chainclient.ErrTxFailed):
		return fmt.Sprintf("%s/%d", tx.Codespace, tx.Code), false
	case err != nil:
		return "error", false
	}
	return "ok", true
}

// virtualWitness witnesses every beacon it sees named on gossip, with no
// radio: it signs over a guessed payload (the hash, repeated), once at once
// and once more after the witness window.
func (r *runner) virtualWitness(ctx context.Context, i int) {
	me := r.Fleet[i]
	var shared int
	// Payloads learned from the sharing topic, should a validator let it
	// in: then it can sign real reports (variant "leaked").
	leaked := map[wire.PayloadHash][]byte{}
	sp, err := newSpy(ctx, me.Key.Private, r.Validators, r.ChainID, func(data []byte) {
		r.mu.Lock()
		defer r.mu.Unlock()
		shared++
		if b, err := wire.DecodeBeacon(data); err == nil {
			leaked[wire.HashPayload(b.Payload)] = b.Payload
		}
	})
	if err != nil {
		r.Logf("virtual witness: %v", err)
		return
	}
	defer sp.host.Close()
	go func() {
		t := time.NewTicker(r.interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			pocs := r.latestPocs(ctx)
			open := 0
			for _, p := range pocs {
				if p.Reason == poctypes.REASON_UNSPECIFIED {
					open++
				}
			}
			r.mu.Lock()
			f := r.advFig(VirtualWitness)
			f.observe("chain_pocs_read", len(pocs))
			f.observe("chain_open_pocs_read", open)
			r.mu.Unlock()
		}
	}()
	seen := map[wire.PayloadHash]bool{}
	for {
		m, err := sp.wsub.Next(ctx)
		if err != nil {
			r.mu.Lock()
			r.advFig(VirtualWitness).observe("share_topic_beacons", shared)
			r.mu.Unlock()
			return
		}
		s, err := wire.DecodeSealedWitness(m.Data)
		if err != nil || string(s.Witness.Pubkey) == string(me.Key.PubKey()) || seen[s.PayloadHash] {
			continue
		}
		seen[s.PayloadHash] = true
		r.mu.Lock()
		id, known := r.byHash[s.PayloadHash]
		r.advFig(VirtualWitness).observe("gossip_beacons_named", 1)
		r.mu.Unlock()
		guess := make([]byte, r.payload)
		for k := range guess {
			guess[k] = s.PayloadHash[k%len(s.PayloadHash)]
		}
		first := "guess"
		r.mu.Lock()
		if p, ok := leaked[s.PayloadHash]; ok {
			guess, first = p, "leaked"
		}
		r.mu.Unlock()
		for _, variant := range []string{first, "late"} {
			at := time.Now().Add(50 * time.Millisecond)
			if variant == "late" {
				at = time.Now().Add(LateWitnessDelay)
			}
			if known {
				r.record(&published{beaconID: id, witness: me.Address, kind: VirtualWitness, variant: variant, measured: at.Sub(r.start) >= r.Warmup})
			}
			r.mu.Lock()
			r.advFig(VirtualWitness).Sent++
			r.mu.Unlock()
			hash, sw := s.PayloadHash, s.Witness
			r.publishAdv(ctx, at, func(c context.Context) error {
				w := verify.Witness{Pubkey: me.Key.PubKey(), Payload: guess, RSSIDdbm: -1100, SNRDdb: -50, FrequencyHz: sw.FrequencyHz,
					DataRate: sw.DataRate, TimestampNs: time.Now().UnixNano()}
				w.Signature = ed25519.Sign(me.Key.Private, w.SignBytes())
				return sp.publish(c, sealForged(w, hash, me.Key.Private))
			}, nil)
		}
	}
}

// crossReplay re-publishes the cross-replayer's own recent witness reports
// re-labelled for beacons it did not hear, and byte for byte.
func (r *runner) crossReplay(ctx context.Context, i int, now time.Time) {
	me := r.Fleet[i]
	r.mu.Lock()
	for len(r.crossOwn) > 0 && now.Sub(r.crossOwn[0].at) > CrossReplayMaxAge {
		r.crossOwn = r.crossOwn[1:]
	}
	own := append([]ownReport(nil), r.crossOwn...)
	r.mu.Unlock()
	if len(own) > 4 {
		own = own[len(own)-4:]
	}
	r.mu.Lock()
	var cand []heardHash
	for _, h := range r.heard {
		if d := now.Sub(h.at); d >= 0 && d <= 4*time.Second && !r.crossHeard[h.id] {
			cand = append(cand, h)
		}
	}
	r.mu.Unlock()
	measured := now.Sub(r.start) >= r.Warmup
	for k, o := range own {
		s, err := wire.DecodeSealedWitness(o.raw)
		if err != nil {
			continue
		}
		sends := [][]byte{o.raw}
		recs := []*published{{beaconID: o.id, witness: me.Address, kind: CrossReplayer, variant: "identical", measured: measured}}
		if len(cand) > 0 {
			t := cand[(len(cand)-1-k+len(cand)*4)%len(cand)]
			sends = append(sends, sealForged(s.Witness, t.hash, me.Key.Private))
			recs = append(recs, &published{beaconID: t.id, witness: me.Address, kind: CrossReplayer, variant: "relabelled", measured: measured})
		}
		for j, data := range sends {
			r.record(recs[j])
			r.mu.Lock()
			r.advFig(CrossReplayer).Sent++
			r.mu.Unlock()
			data := data
			r.publishAdv(ctx, now, func(c context.Context) error { return r.pubs[i].PublishRawWitness(c, data) }, nil)
		}
	}
}

// flood publishes junk on the witness topic at FloodRate: garbage bytes,
// unsealed reports, reports from an unregistered key, and reports in a
// registered hotspot's name (the power inflater's, which never witnesses)
// with a made-up signature for a beacon being witnessed right now.
func (r *runner) flood(ctx context.Context) {
	p, err := gateway.NewPublisher(ctx, newKey(), nil, r.Validators, r.ChainID)
	if err != nil {
		r.Logf("flooder: %v", err)
		return
	}
	defer p.Close()
	var victim *Hotspot
	for _, h := range r.Fleet {
		if h.Kind == PowerInflater {
			victim = h
		}
	}
	own := newKey()
	t := time.NewTicker(time.Second / FloodRate)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		w := verify.Witness{Pubkey: own.Public().(ed25519.PublicKey), Payload: randomBytes(r.payload), RSSIDdbm: -1000, SNRDdb: 50,
			FrequencyHz: r.plan.ChannelFrequenciesHz[0], DataRate: r.plan.DataRate, TimestampNs: now.UnixNano()}
		w.Signature = ed25519.Sign(own, w.SignBytes())
		var data []byte
		var rec *published
		switch n % 4 {
		case 0:
			data = randomBytes(40 + n%200)
		case 1:
			rep := poctypes.WitnessFromVerify(w)
			h := wire.HashPayload(w.Payload)
			data, _ = (&wire.SealedWitness{Report: &rep, PayloadHash: h[:]}).Marshal()
		case 2:
			data = wire.SealWitness(w, own)
		case 3:
			heard := r.recentHeard(now, 3*time.Second, nil)
			if victim == nil || len(heard) == 0 {
				data = wire.SealWitness(w, own)
				break
			}
			t := heard[n%len(heard)]
			w.Pubkey, w.Signature = victim.Key.PubKey(), randomBytes(64)
			data = sealForged(w, t.hash, nil)
			rec = &published{beaconID: t.id, witness: victim.Address, kind: Flooder, variant: "forged", measured: now.Sub(r.start) >= r.Warmup}
		}
		if rec != nil {
			r.record(rec)
		}
		r.mu.Lock()
		r.advFig(Flooder).Sent++
		r.mu.Unlock()
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := p.PublishRawWitness(pctx, data); err != nil {
			r.mu.Lock()
			r.advFig(Flooder).outcome("gossip", "publish_error")
			r.mu.Unlock()
		}
		cancel()
	}
}

// floodBeacons delivers junk beacons at FloodBeaconRate: garbage, and
// valid beacons of a registered hotspot delivered by the flooder's peer.
func (r *runner) floodBeacons(ctx context.Context) {
	p, err := gateway.NewPublisher(ctx, newKey(), nil, r.Validators, r.ChainID)
	if err != nil {
		r.Logf("flooder: %v", err)
		return
	}
	defer p.Close()
	var victim *Hotspot
	for _, h := range r.Fleet {
		if h.Kind == PowerInflater {
			victim = h
		}
	}
	t := time.NewTicker(time.Second / FloodBeaconRate)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		data := randomBytes(60 + n%300)
		if n%2 == 1 && victim != nil {
			r.mu.Lock()
			e := r.entropy
			r.mu.Unlock()
			b := gateway.BuildBeacon(victim.Key.Private, e, randomBytes(verify.LocalEntropySize), r.plan, r.payload, int32(r.txPower()), time.Now())
			data = wire.EncodeBeacon(b)
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := p.DeliverRaw(pctx, data)
		cancel()
		reason := ackReason(err)
		r.mu.Lock()
		f := r.advFig(Flooder)
		f.Sent++
		f.outcome("beacon_ingest", reason)
		if reason == "accepted" {
			f.IngestAccepted++
		}
		r.mu.Unlock()
	}
}

// moduleTransfer tries, once per beacon interval, to transfer the virtual
// witness's hotspot (owned by the fleet's owner) to a module account.
func (r *runner) moduleTransfer(ctx context.Context) {
	var target *Hotspot
	for _, h := range r.Fleet {
		if h.Kind == VirtualWitness {
			target = h
		}
	}
	if target == nil {
		return
	}
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		to := authtypes.NewModuleAddress(moduleAccounts[n%len(moduleAccounts)]).String()
		reason, ok := r.submitTx(ctx, r.Owner, &hotspottypes.MsgTransferHotspot{Owner: r.Owner.Address(), Hotspot: target.Address, NewOwner: to})
		r.mu.Lock()
		f := r.advFig(ModuleTransfer)
		f.Sent++
		f.outcome("tx", moduleAccounts[n%len(moduleAccounts)]+":"+reason)
		if ok {
			f.Accepted++
		}
		r.mu.Unlock()
	}
}
