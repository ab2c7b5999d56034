package ingest

import (
	"bytes"
	"context"
	"errors"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"cosmossdk.io/log/v2"

	"github.com/pocnet/pocd/wire"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// Admission reasons. Rejections penalise the sending peer; ignores do not.
// They are the reason label of pocd_ingest_rejected_total and
// pocd_ingest_ignored_total (docs/operator-guide.md lists them).
const (
	RejectOversized      = "oversized"
	RejectMalformed      = "malformed"
	RejectBadSignature   = "bad_signature"
	RejectUnknownHotspot = "unknown_hotspot"
	RejectUnasserted     = "unasserted_hotspot"
	RejectStaleEntropy   = "stale_entropy"
	RejectBadEntropy     = "bad_entropy"
	RejectFutureEntropy  = "future_entropy" // beyond the next block: no node can have it
	RejectStaleTimestamp = "stale_timestamp"
	RejectInvalidPacket  = "invalid_packet"   // payload, channel or data rate not as the rules derive them
	RejectInvalidTxPower = "invalid_tx_power" // above the region's EIRP minus the asserted gain
	RejectDataOnly       = "data_only"        // a data-only hotspot may not beacon
	RejectIntervalUsed   = "interval_used"    // a second beacon in one interval bucket
	RejectNotBeaconer    = "not_beaconer"     // delivered directly by a peer other than its hotspot
	RejectNotValidator   = "not_validator"    // shared by a peer not registered as a validator's ingest
	RejectUnsealed       = "unsealed"         // a witness report that reveals the beacon payload
	RejectShareFlood     = "share_flood"      // a validator sharing beacons judged otherwise here, beyond its budget

	IgnoreDuplicate     = "duplicate"
	IgnoreLate          = "late"
	IgnoreEntropyAhead  = "entropy_ahead" // the next block: this node has not committed it yet
	IgnoreUnavailable   = "chain_unavailable"
	IgnoreStoreError    = "store_error"
	IgnoreDiskFull      = "disk_full"      // the queue is at max-queue-bytes
	IgnoreOverloaded    = "overloaded"     // this node's relays are later than max-relay-delay: new beacons wait
	IgnoreUnknownBeacon = "unknown_beacon" // a witness of a beacon this node does not hold
	IgnoreWindowClosed  = "window_closed"  // a witness after its beacon's admission window
	IgnoreSharedInvalid = "shared_invalid" // a validator shared a beacon this node judges otherwise
	IgnoreRateLimited   = "rate_limited"   // direct deliveries beyond a peer's rate
	IgnoreBlocked       = "blocked"        // direct deliveries from a peer penalised too often
	IgnoreQueueFull     = "queue_full"     // dropped by gossipsub before validation: validate-queue full
	IgnoreThrottled     = "throttled"      // dropped by gossipsub before validation: validate-concurrency in flight
)

// Decision is admission's answer to one report, with its reason.
type Decision struct {
	Result pubsub.ValidationResult
	Reason string
}

func accept() Decision              { return Decision{Result: pubsub.ValidationAccept} }
func reject(reason string) Decision { return Decision{Result: pubsub.ValidationReject, Reason: reason} }
func ignore(reason string) Decision { return Decision{Result: pubsub.ValidationIgnore, Reason: reason} }

// Admission decides which reports ingest takes, and stores the ones it
// takes before they are acknowledged.
type Admission struct {
	cfg     Config
	chain   Chain
	store   *Store
	windows *windows
	// overload sheds new beacons while this node's relays are late.
	overload *overload
	// shareBudget paces what each validator's shares cost without
	// penalty (shared_invalid): an honest validator rarely causes any.
	shareBudget *penaltyBox
	m           *Metrics
	logger      log.Logger
	now         func() time.Time
}

// How a beacon reached this node: the checks differ.
type beaconSource int

const (
	// fromHotspot: delivered directly; the delivering peer must be the
	// beaconer itself.
	fromHotspot beaconSource = iota
	// fromValidator: shared on the validators' topic by another
	// validator, which admitted it already. Only what no honest validator
	// would share (a forged or malformed report) penalises it: two nodes
	// may judge a beacon differently (a cache a few seconds apart, two
	// beacons of one bucket delivered to two validators).
	fromValidator
)

func (a *Admission) fresh(tsNs int64) bool {
	d := a.now().Sub(time.Unix(0, tsNs))
	return d <= a.cfg.MaxReportAge && d >= -a.cfg.MaxReportAge
}

func (a *Admission) sender(ctx context.Context, pub []byte) (HotspotInfo, Decision, bool) {
	addr, err := hotspottypes.HotspotAddress(pub)
	if err != nil {
		return HotspotInfo{}, reject(RejectMalformed), false
	}
	info, err := a.chain.Hotspot(ctx, addr)
	switch {
	case err != nil:
		a.logger.Debug("hotspot lookup failed", "err", err)
		return info, ignore(IgnoreUnavailable), false
	case info.Status == HotspotUnknown:
		return info, reject(RejectUnknownHotspot), false
	case info.Status == HotspotUnasserted:
		return info, reject(RejectUnasserted), false
	}
	return info, Decision{}, true
}

// peerOf is the libp2p peer ID of a hotspot key: a hotspot's host identity.
func peerOf(pub []byte) (peer.ID, error) {
	k, err := libp2pcrypto.UnmarshalEd25519PublicKey(pub)
	if err != nil {
		return "", err
	}
	return peer.IDFromPublicKey(k)
}

// AdmitBeacon judges a beacon report delivered by a hotspot (direct) or
// shared by a validator and, if it is acceptable, stores it and opens its
// witness window. Every rule the chain applies to a beacon by itself
// (x/poc/verify.JudgeBeacon: entropy, interval, payload, channel, data
// rate, power) is applied here first, so a beacon the chain would refuse
// never costs a relay, and a hotspot gets one beacon per interval bucket.
func (a *Admission) AdmitBeacon(ctx context.Context, data []byte, from peer.ID, src beaconSource) Decision {
	d := a.admitBeacon(ctx, data, from, src)
	if src == fromValidator && d.Result == pubsub.ValidationReject {
		switch d.Reason {
		case RejectOversized, RejectMalformed, RejectBadSignature, RejectNotValidator:
		default:
			a.logger.Debug("shared beacon judged otherwise here", "peer", from, "reason", d.Reason)
			if a.shareBudget.admit(from) != "" {
				return reject(RejectShareFlood)
			}
			return ignore(IgnoreSharedInvalid)
		}
	}
	return d
}

func (a *Admission) admitBeacon(ctx context.Context, data []byte, from peer.ID, src beaconSource) Decision {
	if len(data) > a.cfg.MaxMessageBytes {
		return reject(RejectOversized)
	}
	b, err := wire.DecodeBeacon(data)
	if err != nil {
		return reject(RejectMalformed)
	}
	if src == fromHotspot {
		if id, err := peerOf(b.Pubkey); err != nil || id != from {
			return reject(RejectNotBeaconer)
		}
	}
	// Before any signature or lookup: under overload a refusal must cost
	// next to nothing.
	if a.overload.shedding(a.now()) {
		return ignore(IgnoreOverloaded)
	}
	if !b.VerifySignature() {
		return reject(RejectBadSignature)
	}
	info, vd, ok := a.sender(ctx, b.Pubkey)
	if !ok {
		return vd
	}
	if !a.fresh(b.TimestampNs) {
		return reject(RejectStaleTimestamp)
	}
	e, vd, ok := a.entropy(ctx, b)
	if !ok {
		return vd
	}
	rules, err := a.chain.Rules(ctx)
	if err != nil {
		return ignore(IgnoreUnavailable)
	}
	// The chain judges at a block time after the witness window; a clock a
	// little ahead is the timestamp rule's business (MaxReportAge), so the
	// beacon rules run as if at the far end of that bound.
	nowMs := a.now().Add(a.cfg.MaxReportAge).UnixMilli()
	v := verify.JudgeBeacon(rules.Params, admissionView{info: info, rules: rules, entropy: e}, b, nowMs,
		verify.Options{SkipSignatures: true})
	if v.BeaconReason != verify.Valid {
		return reject(beaconReasons[v.BeaconReason])
	}
	var slot *IntervalSlot
	if v.UsedBucket {
		// Kept past the bucket's end for as long as a beacon stamped in it
		// is still fresh.
		slot = &IntervalSlot{Hotspot: info.Rules.Address, Bucket: v.Bucket,
			UntilMs: (v.Bucket+1)*rules.Params.BeaconIntervalMs + 2*a.cfg.MaxReportAge.Milliseconds()}
	}
	ph := wire.HashPayload(b.Payload)
	arrived := a.now().UnixMilli()
	stored, err := a.store.PutBeacon(BeaconEntry{ID: b.ID(), PayloadHash: ph, ArrivedMs: arrived, Raw: data}, slot)
	switch {
	case errors.Is(err, ErrIntervalUsed):
		return reject(RejectIntervalUsed)
	case errors.Is(err, ErrQueueFull):
		return ignore(IgnoreDiskFull)
	case err != nil:
		a.logger.Error("ingest queue write failed", "err", err)
		return ignore(IgnoreStoreError)
	case !stored:
		return ignore(IgnoreDuplicate)
	}
	a.windows.open(ph, b.Payload, arrived)
	a.overload.admitted()
	return accept()
}

// beaconReasons maps the beacon rules' verdicts to admission reasons. The
// denylist is the chain's business (admissionView does not consult it).
var beaconReasons = map[verify.Reason]string{
	verify.ReasonGatewayNotFound:   RejectUnknownHotspot,
	verify.ReasonNotAsserted:       RejectUnasserted,
	verify.ReasonEntropyExpired:    RejectStaleEntropy,
	verify.ReasonInvalidCapability: RejectDataOnly,
	verify.ReasonInvalidPacket:     RejectInvalidPacket,
	verify.ReasonInvalidTxPower:    RejectInvalidTxPower,
	verify.ReasonBadSignature:      RejectBadSignature,
}

// entropy finds the beacon's entropy block without waiting: a height
// beyond the next block is a lie (penalised), unless this node is behind
// (its newest block is older than nodeBehindAfter: catching up after a
// restart or a partition), when it cannot tell; the next block itself may
// be committed here a moment later. Those are ignored at once (a hotspot
// delivering directly is told to retry).
func (a *Admission) entropy(ctx context.Context, b *verify.Beacon) (Entropy, Decision, bool) {
	e, err := a.chain.Entropy(ctx, b.EntropyHeight)
	if errors.Is(err, ErrNoEntropy) {
		latest, lerr := a.chain.Entropy(ctx, 0)
		switch {
		case lerr != nil && !errors.Is(lerr, ErrNoEntropy):
			return e, ignore(IgnoreUnavailable), false
		case b.EntropyHeight > latest.Height+1 && a.now().UnixMilli()-latest.TimeMs <= nodeBehindAfter.Milliseconds():
			return e, reject(RejectFutureEntropy), false
		case b.EntropyHeight > latest.Height:
			return e, ignore(IgnoreEntropyAhead), false
		}
		// Two queries may be served from two committed versions (one just
		// before a commit, one after): ask again now that the state is
		// known to have reached the beacon's height.
		e, err = a.chain.Entropy(ctx, b.EntropyHeight)
		if errors.Is(err, ErrNoEntropy) {
			return e, reject(RejectStaleEntropy), false
		}
	}
	if err != nil {
		return e, ignore(IgnoreUnavailable), false
	}
	if !bytes.Equal(e.Hash, b.EntropyHash) {
		return e, reject(RejectBadEntropy), false
	}
	if a.now().UnixMilli()-e.TimeMs > a.cfg.MaxReportAge.Milliseconds() {
		return e, reject(RejectStaleEntropy), false
	}
	return e, Decision{}, true
}

// nodeBehindAfter: a node whose newest block is older than this is taken
// to be catching up; blocks are seconds apart.
const nodeBehindAfter = 30 * time.Second

// admissionView is verify.Chain as admission sees one beacon: its sender,
// the rules, and its entropy block. History the chain keeps (the denylist,
// reciprocity) is left to the chain; the interval bucket is checked by the
// store, atomically with storing the beacon.
type admissionView struct {
	info    HotspotInfo
	rules   Rules
	entropy Entropy
}

func (v admissionView) Hotspot([]byte) (verify.Hotspot, bool) { return v.info.Rules, true }
func (v admissionView) RegionPlan(r string) (verify.RegionPlan, bool) {
	p, ok := v.rules.Plans[r]
	return p, ok
}
func (admissionView) Denied(string) bool             { return false }
func (admissionView) DeniedEdge(string, string) bool { return false }
func (v admissionView) EntropyTimeMs(h int64, hash []byte) (int64, bool) {
	return v.entropy.TimeMs, h == v.entropy.Height && bytes.Equal(hash, v.entropy.Hash)
}
func (admissionView) LastBeaconBucket(string) (int64, bool) { return 0, false }
func (admissionView) LastWitnessMs(string) (int64, bool)    { return 0, false }
func (admissionView) LastBeaconMs(string) (int64, bool)     { return 0, false }

// AdmitWitness judges a sealed witness report and, if it is acceptable,
// stores it (unsealed: the relayer submits it whole). A witness report is
// taken only for a beacon this node holds, while that beacon's admission
// window is open, and once per witness per beacon. Its signature covers the
// payload, which it does not carry: a hotspot that never received the
// beacon cannot sign a report that passes.
func (a *Admission) AdmitWitness(ctx context.Context, data []byte) Decision {
	if len(data) > a.cfg.MaxMessageBytes {
		return reject(RejectOversized)
	}
	s, err := wire.DecodeSealedWitness(data)
	switch {
	case errors.Is(err, wire.ErrUnsealed):
		return reject(RejectUnsealed)
	case err != nil:
		return reject(RejectMalformed)
	}
	if !a.fresh(s.Witness.TimestampNs) {
		return reject(RejectStaleTimestamp)
	}
	win, held := a.windows.get(s.PayloadHash)
	if !held && a.overload.shedding(a.now()) {
		// Most likely a report of a beacon refused as overloaded: not
		// worth a lookup, a signature check and a wait.
		return ignore(IgnoreOverloaded)
	}
	if _, vd, ok := a.sender(ctx, s.Witness.Pubkey); !ok {
		return vd
	}
	if !held {
		// Waiting costs a slot: only for a report its witness did send
		// (anyone can name a registered hotspot's key).
		if !s.SealValid() {
			return reject(RejectBadSignature)
		}
		if win, held = a.windows.await(ctx, s.PayloadHash, string(s.Witness.Pubkey), beaconWait); !held {
			return ignore(IgnoreUnknownBeacon)
		}
	}
	now := a.now().UnixMilli()
	if now > win.arrivedMs+a.cfg.WitnessAdmission.Milliseconds() {
		return ignore(IgnoreWindowClosed)
	}
	w := s.Unseal(win.payload)
	if !w.VerifySignature() {
		return reject(RejectBadSignature)
	}
	stored, err := a.store.PutWitness(s.PayloadHash, WitnessEntry{ID: [32]byte(w.Pubkey), ArrivedMs: now, Raw: wire.EncodeWitness(w)})
	switch {
	case errors.Is(err, ErrLate):
		return ignore(IgnoreLate)
	case errors.Is(err, ErrQueueFull):
		return ignore(IgnoreDiskFull)
	case err != nil:
		a.logger.Error("ingest queue write failed", "err", err)
		return ignore(IgnoreStoreError)
	case !stored:
		return ignore(IgnoreDuplicate)
	}
	return accept()
}

// beaconWait bounds how long a witness report waits for its beacon: an
// honest witness can outrun the beacon by the beacon's delivery and
// sharing, tens of milliseconds. The wait holds a validation slot, so the
// waiters are few (maxBeaconWaiters, at most maxWaitsPerWitness from one
// witness) and only reports from registered, asserted hotspots wait.
const (
	beaconWait       = 2 * time.Second
	maxBeaconWaiters = 256
)

// pubsubValidator adapts a check to go-libp2p-pubsub and counts decisions.
func (a *Admission) pubsubValidator(label string, check func(context.Context, peer.ID, []byte) Decision) pubsub.ValidatorEx {
	return func(ctx context.Context, from peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		return a.count(label, func() Decision { return check(ctx, from, msg.Data) }).Result
	}
}

// count runs a check and counts its decision under the topic label.
func (a *Admission) count(label string, check func() Decision) Decision {
	a.m.Received.WithLabelValues(label).Inc()
	start := time.Now()
	d := check()
	a.m.Validation.WithLabelValues(label).Observe(time.Since(start).Seconds())
	switch d.Result {
	case pubsub.ValidationAccept:
		a.m.Accepted.WithLabelValues(label).Inc()
	case pubsub.ValidationReject:
		a.m.Rejected.WithLabelValues(label, d.Reason).Inc()
	default:
		a.m.Ignored.WithLabelValues(label, d.Reason).Inc()
	}
	return d
}
