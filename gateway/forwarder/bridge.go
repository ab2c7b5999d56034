package forwarder

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/gwmp"
	"github.com/pocnet/pocd/wire"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// Publisher delivers reports to the validators (*gateway.Publisher).
type Publisher interface {
	PublishBeacon(ctx context.Context, b *verify.Beacon) error
	PublishWitness(ctx context.Context, w verify.Witness) error
}

// Config of a bridge.
type Config struct {
	Key         ed25519.PrivateKey
	Plan        hotspottypes.RegionPlan // the hotspot's asserted region's plan, from the chain
	PayloadSize int                     // x/poc payload_size
	// TxPowerDBm is the conducted power a beacon asks for: at most
	// verify.MaxConductedPowerDBm(plan max EIRP, GainDdbi).
	TxPowerDBm int32
	// GainDdbi is the hotspot's asserted antenna gain (tenths of dBi).
	GainDdbi  int32
	Entropy   func(ctx context.Context) (poctypes.BlockEntropy, error)
	Publisher Publisher
	Server    *Server
	Metrics   *Metrics
	Log       func(format string, args ...any)
	// MaxRxTimeSkew: an rxpk's "time" is the witness time when it is this
	// close to the bridge's clock at arrival (default 2 s); otherwise the
	// arrival time is (error rx_time_skew).
	MaxRxTimeSkew time.Duration
	// PublishTimeout bounds one report's publication (default 30 s).
	PublishTimeout time.Duration
}

// Bridge transmits beacons through the forwarder and witnesses the
// beacons it receives.
type Bridge struct {
	cfg Config
	mu  sync.Mutex
	// Payload hashes of our own beacons and of beacons witnessed, with
	// when, so neither is witnessed (again).
	own, heard *recent
	// Witness publications: a queue of at most witnessQueue reports,
	// taken by at most witnessWorkers goroutines, which exist only while
	// the queue has work.
	qmu     sync.Mutex
	queue   []witnessJob
	workers int
	wg      sync.WaitGroup
	logged  map[string]int // under qmu
}

type witnessJob struct {
	ctx context.Context
	w   verify.Witness
}

// rememberFor is how long own and witnessed payloads are remembered: past
// the chain's 3-minute entropy lifespan a copy is worthless anyway.
const rememberFor = 10 * time.Minute

// Witness publication bounds: witnessWorkers reports are published at
// once (each may wait up to PublishTimeout for a validator), and up to
// witnessQueue more wait; beyond, a witnessed beacon's report is dropped
// (errors_total{reason="witness_queue_full"}). An honest gateway hears a
// handful of beacons a minute.
const (
	witnessWorkers = 8
	witnessQueue   = 256
)

// New makes a bridge and routes the server's received packets to it.
func New(cfg Config) (*Bridge, error) {
	if len(cfg.Plan.ChannelFrequenciesHz) == 0 || cfg.Plan.DataRate == "" {
		return nil, errors.New("forwarder: region plan without channels or data rate")
	}
	if limit := verify.MaxConductedPowerDBm(cfg.Plan.MaxEirpDdbm, cfg.GainDdbi); int64(cfg.TxPowerDBm) > limit || cfg.TxPowerDBm < MinReportedPowerDBm {
		return nil, fmt.Errorf("forwarder: tx power %d dBm outside %d..%d dBm (the region's max EIRP less the asserted gain)",
			cfg.TxPowerDBm, MinReportedPowerDBm, limit)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Log == nil {
		cfg.Log = func(string, ...any) {}
	}
	if cfg.MaxRxTimeSkew <= 0 {
		cfg.MaxRxTimeSkew = 2 * time.Second
	}
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = 30 * time.Second
	}
	b := &Bridge{cfg: cfg, own: newRecent(), heard: newRecent(), logged: map[string]int{}}
	cfg.Server.OnRX = b.HandleRX
	return b, nil
}

// Wait waits for the witness publications in flight and queued (those
// whose context has ended are discarded at once). Call it once no more
// packets arrive (the server's Serve has returned).
func (b *Bridge) Wait() { b.wg.Wait() }

// BeaconTXPK is the radio packet of a beacon: sent at once, on the channel
// and at the data rate its payload selects, at its declared power, LoRa
// coding rate 4/5, IQ not inverted (so other gateways' uplink demodulators
// receive it), CRC on.
func BeaconTXPK(b *verify.Beacon) gwmp.TXPK {
	return gwmp.TXPK{
		Imme: true, Freq: gwmp.HzToMHz(b.FrequencyHz), RFCh: 0, Powe: int(b.TxPowerDBm), Modu: "LORA",
		DatR: gwmp.DataRate{LoRa: b.DataRate}, CodR: "4/5", IPol: false, Size: uint(len(b.Payload)), Data: gwmp.EncodeData(b.Payload),
	}
}

// MinReportedPowerDBm is the lowest power a beacon is reported at: LoRa
// gateway power tables start around 12 dBm, and a report declaring far
// less than the radio emitted breaks its witnesses' RSSI bound.
const MinReportedPowerDBm = 0

// ErrTxPowerOutOfRange: the forwarder's TX_ACK says the beacon went out
// above the power asked for, or below MinReportedPowerDBm; the beacon is
// not reported.
var ErrTxPowerOutOfRange = errors.New("forwarder: transmit power out of range")

var txAckErrors = []string{"TOO_LATE", "TOO_EARLY", "COLLISION_PACKET", "COLLISION_BEACON", "TX_FREQ", "TX_POWER", "GPS_UNLOCKED", "SEND_LBT", "SEND_FAIL"}

// Beacon builds one beacon from the newest entropy, has the forwarder
// transmit it and, once its TX_ACK reports success, publishes the report.
// A refused or unacknowledged transmission is counted and returned, and
// nothing is published: a beacon never sent over the air must not be
// reported. If the forwarder lowered the power (TX_ACK warning TX_POWER),
// the report declares the power used.
func (b *Bridge) Beacon(ctx context.Context, now time.Time) (*verify.Beacon, error) {
	m := b.cfg.Metrics
	e, err := b.cfg.Entropy(ctx)
	if err != nil {
		m.Errors.WithLabelValues("entropy").Inc()
		return nil, fmt.Errorf("entropy: %w", err)
	}
	local := make([]byte, verify.LocalEntropySize)
	_, _ = rand.Read(local)
	bc := gateway.BuildBeacon(b.cfg.Key, e, local, b.cfg.Plan, b.cfg.PayloadSize, b.cfg.TxPowerDBm, now)
	b.remember(b.own, bc.Payload, now)
	res, err := b.cfg.Server.Transmit(ctx, BeaconTXPK(bc))
	if err == nil || errors.Is(err, ErrTxAckTimeout) || errors.Is(err, ErrTxRefused) {
		m.BeaconsSent.Inc() // the PULL_RESP reached the socket
	}
	switch {
	case errors.Is(err, ErrNoForwarder):
		m.Errors.WithLabelValues("no_forwarder").Inc()
		return bc, err
	case errors.Is(err, ErrTxAckTimeout):
		m.Errors.WithLabelValues("tx_ack_timeout").Inc()
		return bc, err
	case errors.Is(err, ErrTxRefused):
		reason := "tx_ack_other"
		if slices.Contains(txAckErrors, res.Error) {
			reason = "tx_ack_" + lower(res.Error)
		}
		m.Errors.WithLabelValues(reason).Inc()
		return bc, err
	case err != nil:
		m.Errors.WithLabelValues("transmit").Inc()
		return bc, err
	}
	m.BeaconsAcked.Inc()
	if res.Warn == "TX_POWER" && res.Value != nil && int64(*res.Value) != int64(bc.TxPowerDBm) {
		// A power table without the asked-for power makes lora_pkt_fwd
		// pick another entry, possibly higher: a beacon emitted above what
		// was asked may be above the region's bound, and one declared at
		// an implausibly low power would fail every witness's RSSI bound.
		used := int64(*res.Value)
		if used > int64(bc.TxPowerDBm) || used < MinReportedPowerDBm {
			m.Errors.WithLabelValues("tx_power_out_of_range").Inc()
			return bc, fmt.Errorf("%w: forwarder transmitted at %d dBm, asked %d", ErrTxPowerOutOfRange, used, bc.TxPowerDBm)
		}
		b.cfg.Log("forwarder transmitted at %d dBm instead of %d: the report declares %d", used, bc.TxPowerDBm, used)
		bc.TxPowerDBm = int32(used)
		bc.Signature = ed25519.Sign(b.cfg.Key, bc.SignBytes())
	}
	pctx, cancel := context.WithTimeout(ctx, b.cfg.PublishTimeout)
	defer cancel()
	if err := b.cfg.Publisher.PublishBeacon(pctx, bc); err != nil {
		m.Errors.WithLabelValues("beacon_publish").Inc()
		return bc, fmt.Errorf("publish: %w", err)
	}
	m.BeaconsPublished.Inc()
	return bc, nil
}

// RunBeacons beacons once per interval, at a random point of each interval
// bucket, until ctx ends.
func (b *Bridge) RunBeacons(ctx context.Context, interval time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(gateway.NextBeaconTime(time.Now(), interval))):
		}
		bc, err := b.Beacon(ctx, time.Now())
		switch {
		case err != nil && bc != nil:
			id := bc.ID()
			b.cfg.Log("beacon %x: %v", id[:8], err)
		case err != nil:
			b.cfg.Log("beacon: %v", err)
		default:
			id := bc.ID()
			b.cfg.Log("beacon %x transmitted and published (entropy height %d, %d Hz, %d dBm)", id, bc.EntropyHeight, bc.FrequencyHz, bc.TxPowerDBm)
		}
	}
}

// HandleRX witnesses the beacons among received packets; the witness
// reports are published in the background.
func (b *Bridge) HandleRX(ctx context.Context, rx []gwmp.RXPK, arrival time.Time) {
	m := b.cfg.Metrics
	for _, p := range rx {
		w, outcome := b.witnessOf(p, arrival)
		m.RXPK.WithLabelValues(outcome).Inc()
		if outcome != "beacon" {
			continue
		}
		m.BeaconsHeard.Inc()
		b.enqueue(ctx, w)
	}
}

// enqueue queues a witness report for publication, starting a worker if
// fewer than witnessWorkers run; a full queue drops it.
func (b *Bridge) enqueue(ctx context.Context, w verify.Witness) {
	b.qmu.Lock()
	if len(b.queue) >= witnessQueue {
		b.logged["witness_queue_full"]++
		n := b.logged["witness_queue_full"]
		b.qmu.Unlock()
		b.cfg.Metrics.Errors.WithLabelValues("witness_queue_full").Inc()
		if isPowerOf10(n) {
			b.cfg.Log("witness report dropped: %d publications queued (%d dropped so far)", witnessQueue, n)
		}
		return
	}
	b.queue = append(b.queue, witnessJob{ctx: ctx, w: w})
	if b.workers < witnessWorkers {
		b.workers++
		b.wg.Add(1)
		go b.work()
	}
	b.qmu.Unlock()
}

// work publishes queued witness reports until the queue is empty.
func (b *Bridge) work() {
	defer b.wg.Done()
	for {
		b.qmu.Lock()
		if len(b.queue) == 0 {
			b.workers--
			b.queue = nil // let go of the backing array
			b.qmu.Unlock()
			return
		}
		j := b.queue[0]
		b.queue[0] = witnessJob{}
		b.queue = b.queue[1:]
		b.qmu.Unlock()
		if j.ctx.Err() == nil {
			b.publishWitness(j.ctx, j.w)
		}
	}
}

func (b *Bridge) publishWitness(ctx context.Context, w verify.Witness) {
	m := b.cfg.Metrics
	pctx, cancel := context.WithTimeout(ctx, b.cfg.PublishTimeout)
	defer cancel()
	if err := b.cfg.Publisher.PublishWitness(pctx, w); err != nil {
		m.Errors.WithLabelValues("witness_publish").Inc()
		b.cfg.Log("witness report: %v", err)
		return
	}
	m.WitnessesPublished.Inc()
	b.cfg.Log("witnessed a beacon on %d Hz: RSSI %d, SNR %d (tenths)", w.FrequencyHz, w.RSSIDdbm, w.SNRDdb)
}

// witnessOf decides whether a received packet is a beacon (CRC good, LoRa,
// the beacon size and the region's beacon data rate, on the channel its
// payload selects) and if so builds the signed witness report; otherwise
// it names the reason.
func (b *Bridge) witnessOf(p gwmp.RXPK, arrival time.Time) (verify.Witness, string) {
	plan := b.cfg.Plan
	switch {
	case p.Stat != 1:
		return verify.Witness{}, "crc"
	case p.Modu != "LORA":
		return verify.Witness{}, "modulation"
	case p.Size != uint(b.cfg.PayloadSize):
		return verify.Witness{}, "size"
	case p.DatR.LoRa != plan.DataRate:
		return verify.Witness{}, "data_rate"
	}
	hz, err := p.FrequencyHz()
	if err != nil || !slices.Contains(plan.ChannelFrequenciesHz, hz) {
		return verify.Witness{}, "frequency"
	}
	payload, err := p.Payload()
	if err != nil {
		return verify.Witness{}, "payload"
	}
	if plan.ChannelFrequenciesHz[verify.BeaconChannel(payload, len(plan.ChannelFrequenciesHz))] != hz {
		return verify.Witness{}, "channel"
	}
	rssi, snr, err := p.Signal()
	if err != nil {
		return verify.Witness{}, "signal"
	}
	if b.seen(b.own, payload) {
		return verify.Witness{}, "own_beacon"
	}
	if reason := b.remember(b.heard, payload, arrival); reason != "" {
		return verify.Witness{}, reason
	}
	at := arrival
	if t, ok := p.RxTime(); ok {
		if d := t.Sub(arrival); d <= b.cfg.MaxRxTimeSkew && d >= -b.cfg.MaxRxTimeSkew {
			at = t
		} else {
			b.cfg.Metrics.Errors.WithLabelValues("rx_time_skew").Inc()
		}
	}
	return gateway.BuildWitnessHeard(b.cfg.Key, gateway.Heard{
		Payload: payload, DataRate: p.DatR.LoRa, FrequencyHz: hz, RSSIDdbm: rssi, SNRDdb: snr, At: at, Tmst: p.Tmst,
	}), "beacon"
}

// maxRemembered bounds each set's memory: a flood of made-up beacons (from
// a host that can reach the UDP port) evicts the oldest payloads, so at
// worst a real beacon pushed again after 4,096 others is witnessed twice
// (the validators store one report per witness and beacon).
const maxRemembered = 4096

// recent is a set of payload hashes in the order they were added, each
// kept rememberFor, at most maxRemembered.
type recent struct {
	at    map[wire.PayloadHash]time.Time
	order []wire.PayloadHash // oldest first
}

func newRecent() *recent { return &recent{at: map[wire.PayloadHash]time.Time{}} }

// evictOne forgets the oldest payload.
func (r *recent) evictOne() {
	delete(r.at, r.order[0])
	r.order[0] = wire.PayloadHash{}
	r.order = r.order[1:]
}

// remember records a payload in set; "duplicate" if it was there already.
// Payloads older than rememberFor are forgotten, and the oldest when the
// set holds maxRemembered.
func (b *Bridge) remember(set *recent, payload []byte, now time.Time) string {
	h := wire.HashPayload(payload)
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(set.order) > 0 && now.Sub(set.at[set.order[0]]) > rememberFor {
		set.evictOne()
	}
	if _, ok := set.at[h]; ok {
		return "duplicate"
	}
	for len(set.order) >= maxRemembered {
		set.evictOne()
	}
	set.at[h] = now
	set.order = append(set.order, h)
	return ""
}

func (b *Bridge) seen(set *recent, payload []byte) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := set.at[wire.HashPayload(payload)]
	return ok
}

func lower(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return string(out)
}
