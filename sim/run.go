package sim

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/grpc"

	cmtservice "github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"

	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/wire"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// RunSpec configures a simulation run.
type RunSpec struct {
	Conn       *grpc.ClientConn
	ChainID    string
	Validators []peer.AddrInfo
	Fleet      []*Hotspot
	Region     string
	Radio      Radio
	Seed       uint64
	Duration   time.Duration // 0: until ctx ends
	Warmup     time.Duration // reports before this are not measured; 0: two beacon intervals
	ReplayAge  time.Duration // how old a replayed report is
	Drain      time.Duration // after the run, how long to wait for PoCs to reach the chain
	Logf       func(string, ...any)
	// Adversaries: the fleet includes AddAdversaries' hotspots, and the
	// front-runner, flooder and module-transfer actors run too.
	Adversaries bool
	// Owner signs the module-transfer attempts (adversaries only); its
	// address's payouts are reported either way when set.
	Owner *chainclient.Signer
	// FrontRunner is the funded outsider account (NewFrontRunner).
	FrontRunner *chainclient.Signer
}

// published is one witness report the fleet sent, with what it was.
type published struct {
	beaconID      [32]byte
	witness       string
	kind          Kind // honest, or the cheat it is
	cheatBeaconer bool // the beaconer cheats, so its beacon fails whatever the witness does
	measured      bool
	replayHeight  int64  // replayed copies: chain height when replayed
	variant       string // adversaries: which of their reports (guess, late, relabelled, identical, forged)
}

type sentBeacon struct {
	id       [32]byte
	beaconer string
	kind     Kind
	measured bool
	at       time.Time
}

type oldReport struct {
	at    time.Time
	topic string
	raw   []byte
	rec   *published // witness copies: the original record
}

type runner struct {
	RunSpec
	pubs     []*gateway.Publisher
	plan     hotspottypes.RegionPlan
	payload  int
	interval time.Duration
	start    time.Time

	mu      sync.Mutex
	entropy poctypes.BlockEntropy
	beacons []sentBeacon
	reports []*published
	// eavesdropped is the gossip replayers have heard, oldest first.
	eavesdropped []oldReport
	rng          *mrand.Rand
	pubErrs      int
	inflight     sync.WaitGroup

	// Adversaries.
	advWG      sync.WaitGroup
	adv        map[Kind]*AdversaryFigures
	byHash     map[wire.PayloadHash][32]byte // every beacon built, by payload hash (summary attribution)
	heard      []heardHash                   // beacons named on gossip, oldest first
	crossOwn   []ownReport                   // the cross-replayer's own reports
	crossHeard map[[32]byte]bool             // beacons the cross-replayer witnessed
	payouts    Payouts                       // at the start
	verdicts   *verdicts
}

// Run beacons and witnesses until the duration ends (or ctx does), waits
// for the PoCs to reach the chain, and returns the summary.
func Run(ctx context.Context, spec RunSpec) (*Summary, error) {
	r := &runner{RunSpec: spec, rng: mrand.New(mrand.NewPCG(spec.Seed, 0xbeac0)), adv: map[Kind]*AdversaryFigures{},
		byHash: map[wire.PayloadHash][32]byte{}, crossHeard: map[[32]byte]bool{}, verdicts: newVerdicts(poctypes.NewQueryClient(spec.Conn))}
	if r.Logf == nil {
		r.Logf = func(string, ...any) {}
	}
	var err error
	if r.plan, err = gateway.RegionPlan(ctx, spec.Conn, spec.Region); err != nil {
		return nil, err
	}
	pp, err := poctypes.NewQueryClient(spec.Conn).Params(ctx, &poctypes.QueryParamsRequest{})
	if err != nil {
		return nil, err
	}
	r.payload = int(pp.Params.PayloadSize)
	r.interval = time.Duration(pp.Params.BeaconIntervalMs) * time.Millisecond
	if r.Warmup == 0 {
		r.Warmup = 2 * r.interval
	}
	if r.ReplayAge == 0 {
		r.ReplayAge = 4 * time.Minute
	}
	if r.Drain == 0 {
		r.Drain = 90 * time.Second
	}
	if err := r.refreshEntropy(ctx); err != nil {
		return nil, err
	}
	for _, h := range spec.Fleet {
		if h.Kind == VirtualWitness {
			// Its own gossip peer (a spy) carries its identity: a second
			// host with the same peer ID would fight it for the connection.
			r.pubs = append(r.pubs, nil)
			continue
		}
		p, err := gateway.NewPublisher(ctx, h.Key.Private, nil, spec.Validators, spec.ChainID)
		if err != nil {
			return nil, err
		}
		defer p.Close()
		r.pubs = append(r.pubs, p)
	}
	r.payouts = r.payoutState(ctx)
	r.start = time.Now()
	r.Logf("fleet of %d beaconing every %s (warm-up %s, radio range about %.1f km)", len(spec.Fleet), r.interval, r.Warmup,
		spec.Radio.RangeM(float64(r.plan.ChannelFrequenciesHz[0]), r.txPower())/1000)

	runCtx := ctx
	if spec.Duration > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, spec.Duration)
		defer cancel()
	}
	if spec.Adversaries {
		r.startAdversaries(runCtx)
	}
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		r.watchVerdicts(runCtx, 20*time.Second, 10*time.Minute)
	}()
	r.loop(runCtx)
	<-watched
	r.advWG.Wait()
	r.inflight.Wait()
	r.Logf("stopped beaconing; waiting up to %s for the last PoCs", r.Drain)
	// Draining and summarising continue after an interrupt: that is when the
	// summary is wanted.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.Drain+time.Minute)
	defer cancel()
	return r.summarise(dctx)
}

// txPower is what every beacon declares and the radio model transmits:
// 27 dBm, or less where the region's conducted-power bound (max EIRP less
// the asserted antenna gain, verify.MaxConductedPowerDBm) is lower.
func (r *runner) txPower() float64 {
	return float64(min(27, verify.MaxConductedPowerDBm(r.plan.MaxEirpDdbm, AntennaGainDdbi)))
}

func (r *runner) refreshEntropy(ctx context.Context) error {
	e, err := gateway.Entropy(ctx, r.Conn)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.entropy = e
	r.mu.Unlock()
	return nil
}

func (r *runner) height(ctx context.Context) int64 {
	res, err := cmtservice.NewServiceClient(r.Conn).GetLatestBlock(ctx, &cmtservice.GetLatestBlockRequest{})
	if err != nil {
		return 0
	}
	return res.SdkBlock.Header.Height
}

// loop fires each hotspot's beacon once per interval bucket at a fixed
// offset, and the replayers' replays.
func (r *runner) loop(ctx context.Context) {
	n := len(r.Fleet)
	offsets := make([]time.Duration, n)
	next := make([]time.Time, n)
	now := time.Now()
	bucket := now.Truncate(r.interval)
	for i := range offsets {
		offsets[i] = time.Duration(r.rng.Int64N(int64(r.interval)))
		next[i] = bucket.Add(offsets[i])
		if next[i].Before(now) {
			next[i] = next[i].Add(r.interval)
		}
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	lastEntropy := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now = <-tick.C:
		}
		if now.Sub(lastEntropy) >= time.Second {
			if err := r.refreshEntropy(ctx); err != nil && ctx.Err() == nil {
				r.Logf("entropy: %v", err)
			}
			lastEntropy = now
		}
		for i := range next {
			if now.Before(next[i]) {
				continue
			}
			next[i] = next[i].Add(r.interval)
			switch r.Fleet[i].Kind {
			case Fabricate, VirtualWitness:
				// Fabricators only fabricate; the virtual witness runs on
				// its own (startAdversaries).
			case Replay:
				r.replay(ctx, i, now)
			case CrossReplayer:
				r.crossReplay(ctx, i, now)
			case IntervalSkipper:
				for _, ts := range SkipperTimestamps(now, r.interval) {
					r.beacon(ctx, i, now, ts)
				}
			default:
				r.beacon(ctx, i, now, now)
			}
		}
	}
}

func (r *runner) publishLater(ctx context.Context, at time.Time, f func(context.Context) error) {
	r.inflight.Add(1)
	go func() {
		defer r.inflight.Done()
		// Even when the run ends meanwhile: the beacon this report answers
		// is already out, and the report is already counted.
		time.Sleep(time.Until(at))
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := f(pctx); err != nil {
			r.mu.Lock()
			r.pubErrs++
			r.mu.Unlock()
			r.Logf("publish: %v", err)
		}
	}()
}

// txPowerOf is what hotspot h's beacons declare: the power inflater's
// PowerInflateDB over the bound, everyone else's txPower.
func (r *runner) txPowerOf(h *Hotspot) float64 {
	if h.Kind == PowerInflater {
		return float64(verify.MaxConductedPowerDBm(r.plan.MaxEirpDdbm, AntennaGainDdbi) + PowerInflateDB)
	}
	return r.txPower()
}

// beacon sends hotspot i's beacon at now, signed with timestamp ts (now,
// but for the interval skipper), and the witness reports of those who hear
// it.
func (r *runner) beacon(ctx context.Context, i int, now, ts time.Time) {
	h := r.Fleet[i]
	local := make([]byte, verify.LocalEntropySize)
	_, _ = rand.Read(local)
	r.mu.Lock()
	e := r.entropy
	r.mu.Unlock()
	b := gateway.BuildBeacon(h.Key.Private, e, local, r.plan, r.payload, int32(r.txPowerOf(h)), ts)
	measured := now.Sub(r.start) >= r.Warmup
	// A cheater's beacon fails with its beaconer: a location lie (spoof,
	// farm), or no valid witnessing of its own (inflate), which the
	// reciprocity rule requires.
	cheatBeaconer := h.Kind != Honest
	r.mu.Lock()
	r.beacons = append(r.beacons, sentBeacon{id: b.ID(), beaconer: h.Address, kind: h.Kind, measured: measured, at: now})
	r.eavesdropped = append(r.eavesdropped, oldReport{at: now, topic: "beacon", raw: wire.EncodeBeacon(b)})
	r.byHash[wire.HashPayload(b.Payload)] = b.ID()
	r.mu.Unlock()
	if IsAdversary(h.Kind) {
		r.mu.Lock()
		r.advFig(h.Kind).Sent++
		r.mu.Unlock()
		r.publishAdv(ctx, now, func(c context.Context) error { return r.pubs[i].PublishBeacon(c, b) }, r.beaconOutcome(h.Kind))
	} else {
		r.publishLater(ctx, now, func(c context.Context) error { return r.pubs[i].PublishBeacon(c, b) })
	}
	named := false // some witness names it on gossip

	freq := float64(b.FrequencyHz)
	for j, w := range r.Fleet {
		if j == i {
			continue
		}
		r.mu.Lock()
		rx := r.Radio.Receive(i, j, DistanceM(h.Physical, w.Physical), freq, float64(b.TxPowerDBm), r.rng)
		delay := time.Duration(20+r.rng.IntN(400)) * time.Millisecond
		freqOff := int64(r.rng.NormFloat64() * 1000)
		fabricate := r.rng.Float64() < FabricateShare
		r.mu.Unlock()
		kind := Honest
		rssi, snr := rx.RSSIDB, rx.SNRDB
		at := now.Add(delay)
		switch w.Kind {
		case VirtualWitness, PowerInflater, IntervalSkipper:
			continue // no radio, or beacon-only adversaries
		case BackDater:
			if !rx.Heard {
				continue
			}
			kind, at = BackDater, ts.Add(-BackDateLead)
		case CrossReplayer:
			if !rx.Heard {
				continue
			}
			kind = CrossReplayer
		case Sybil:
			// The fake keys witness only their real hotspot (which
			// witnesses theirs as any hotspot does).
			if !rx.Heard || i != w.SybilOf {
				continue
			}
			kind = Sybil
		case Fabricate:
			// Heard nothing; claims a plausible weak signal.
			if !fabricate || h.Kind == Fabricate {
				continue
			}
			kind, rssi, snr = Fabricate, -110, -5
		case Inflate:
			if !rx.Heard {
				continue
			}
			kind, rssi = Inflate, math.Min(rssi+InflateDB, InflateCapDBm)
		case Spoof, Farm:
			if !rx.Heard {
				continue
			}
			kind = w.Kind
		case Replay:
			continue // eavesdroppers do not witness
		default:
			if !rx.Heard {
				continue
			}
		}
		wr := gateway.BuildWitness(w.Key.Private, b, int32(math.Round(rssi*10)), int32(math.Round(snr*10)),
			uint64(int64(b.FrequencyHz)+freqOff), at)
		rec := &published{beaconID: b.ID(), witness: w.Address, kind: kind, cheatBeaconer: cheatBeaconer, measured: measured}
		sealed := wire.SealWitness(wr, w.Key.Private)
		r.mu.Lock()
		r.reports = append(r.reports, rec)
		r.eavesdropped = append(r.eavesdropped, oldReport{at: now, topic: "witness", raw: sealed, rec: rec})
		if IsAdversary(kind) {
			r.advFig(kind).Sent++
		}
		if kind == CrossReplayer {
			r.crossOwn = append(r.crossOwn, ownReport{at: now.Add(delay), raw: sealed, id: b.ID()})
			r.crossHeard[b.ID()] = true
		}
		if !named {
			// What gossip reveals: a sealed report naming the payload hash.
			named = true
			r.heard = append(r.heard, heardHash{at: now.Add(delay), hash: wire.HashPayload(b.Payload), id: b.ID()})
			for len(r.heard) > 0 && now.Sub(r.heard[0].at) > time.Minute {
				r.heard = r.heard[1:]
			}
		}
		r.mu.Unlock()
		j := j
		r.publishLater(ctx, now.Add(delay), func(c context.Context) error { return r.pubs[j].PublishWitness(c, wr) })
	}
}

// replay re-publishes, byte for byte, a few gossiped reports that are at
// least ReplayAge old: an eavesdropper hoping for a second credit. Each
// replayer takes its own share of the old reports.
func (r *runner) replay(ctx context.Context, i int, now time.Time) {
	r.mu.Lock()
	// What nobody replayed in time is forgotten, so memory stays bounded.
	for len(r.eavesdropped) > 0 && now.Sub(r.eavesdropped[0].at) >= r.ReplayAge+r.interval {
		r.eavesdropped = r.eavesdropped[1:]
	}
	var due []oldReport
	for len(r.eavesdropped) > 0 && now.Sub(r.eavesdropped[0].at) >= r.ReplayAge && len(due) < 8 {
		due = append(due, r.eavesdropped[0])
		r.eavesdropped = r.eavesdropped[1:]
	}
	r.mu.Unlock()
	if len(due) == 0 {
		return
	}
	height := r.height(ctx)
	measured := now.Sub(r.start) >= r.Warmup
	for _, o := range due {
		if o.rec != nil {
			r.mu.Lock()
			r.reports = append(r.reports, &published{beaconID: o.rec.beaconID, witness: o.rec.witness, kind: Replay,
				cheatBeaconer: o.rec.cheatBeaconer, measured: measured, replayHeight: height})
			r.mu.Unlock()
		}
		o := o
		r.publishLater(ctx, now, func(c context.Context) error {
			if o.topic == "beacon" {
				return r.pubs[i].DeliverRaw(c, o.raw)
			}
			return r.pubs[i].PublishRawWitness(c, o.raw)
		})
	}
}

func (r *runner) String() string { return fmt.Sprintf("sim of %d", len(r.Fleet)) }
