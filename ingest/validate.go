package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"cosmossdk.io/log/v2"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// Verdict reasons. Rejections penalise the sending peer; ignores do not.
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
	RejectStaleTimestamp = "stale_timestamp"

	IgnoreDuplicate    = "duplicate"
	IgnoreLate         = "late"
	IgnoreEntropyAhead = "entropy_ahead"
	IgnoreUnavailable  = "chain_unavailable"
	IgnoreStoreError   = "store_error"
	IgnoreQueueFull    = "queue_full" // dropped by gossipsub before validation: validate-queue full
	IgnoreThrottled    = "throttled"  // dropped by gossipsub before validation: validate-concurrency in flight
)

// Verdict is a validator's decision with its reason.
type Verdict struct {
	Result pubsub.ValidationResult
	Reason string
}

func accept() Verdict              { return Verdict{Result: pubsub.ValidationAccept} }
func reject(reason string) Verdict { return Verdict{Result: pubsub.ValidationReject, Reason: reason} }
func ignore(reason string) Verdict { return Verdict{Result: pubsub.ValidationIgnore, Reason: reason} }

// Validator checks gossiped reports and stores accepted ones before
// acknowledging them.
type Validator struct {
	cfg    Config
	chain  Chain
	store  *Store
	m      *Metrics
	logger log.Logger
	now    func() time.Time
}

func payloadHash(p []byte) [payloadHashLen]byte {
	h := sha256.Sum256(p)
	var out [payloadHashLen]byte
	copy(out[:], h[:])
	return out
}

// DecodeBeacon parses and bounds a gossiped beacon report.
func DecodeBeacon(data []byte) (*verify.Beacon, error) {
	var r poctypes.BeaconReport
	if err := r.Unmarshal(data); err != nil {
		return nil, err
	}
	if len(r.Pubkey) != 32 || len(r.Signature) != 64 || len(r.Payload) == 0 || len(r.Payload) > 256 ||
		len(r.LocalEntropy) > 32 || len(r.EntropyHash) == 0 || len(r.EntropyHash) > 64 || len(r.DataRate) > 32 ||
		r.EntropyHeight <= 0 {
		return nil, errors.New("field out of bounds")
	}
	return r.ToVerify(), nil
}

// DecodeWitness parses and bounds a gossiped witness report.
func DecodeWitness(data []byte) (verify.Witness, error) {
	var r poctypes.WitnessReport
	if err := r.Unmarshal(data); err != nil {
		return verify.Witness{}, err
	}
	if len(r.Pubkey) != 32 || len(r.Signature) != 64 || len(r.Payload) == 0 || len(r.Payload) > 256 || len(r.DataRate) > 32 {
		return verify.Witness{}, errors.New("field out of bounds")
	}
	return r.ToVerify(), nil
}

func (v *Validator) fresh(tsNs int64) bool {
	d := v.now().Sub(time.Unix(0, tsNs))
	return d <= v.cfg.MaxReportAge && d >= -v.cfg.MaxReportAge
}

func (v *Validator) sender(ctx context.Context, pub []byte) (Verdict, bool) {
	addr, err := hotspottypes.HotspotAddress(pub)
	if err != nil {
		return reject(RejectMalformed), false
	}
	st, err := v.chain.Hotspot(ctx, addr)
	switch {
	case err != nil:
		v.logger.Debug("hotspot lookup failed", "err", err)
		return ignore(IgnoreUnavailable), false
	case st == HotspotUnknown:
		return reject(RejectUnknownHotspot), false
	case st == HotspotUnasserted:
		return reject(RejectUnasserted), false
	}
	return Verdict{}, true
}

// CheckBeacon judges a beacon report and, if it is acceptable, stores it.
func (v *Validator) CheckBeacon(ctx context.Context, data []byte) Verdict {
	if len(data) > v.cfg.MaxMessageBytes {
		return reject(RejectOversized)
	}
	b, err := DecodeBeacon(data)
	if err != nil {
		return reject(RejectMalformed)
	}
	if !b.VerifySignature() {
		return reject(RejectBadSignature)
	}
	if vd, ok := v.sender(ctx, b.Pubkey); !ok {
		return vd
	}
	if !v.fresh(b.TimestampNs) {
		return reject(RejectStaleTimestamp)
	}
	e, err := v.chain.Entropy(ctx, b.EntropyHeight)
	if errors.Is(err, ErrNoEntropy) {
		// Compare with the newest entropy this node's state has, not with
		// the block store, which runs ahead of committed state.
		latest, lerr := v.waitForHeight(ctx, b.EntropyHeight)
		if lerr != nil && !errors.Is(lerr, ErrNoEntropy) {
			return ignore(IgnoreUnavailable)
		}
		if b.EntropyHeight > latest.Height {
			return ignore(IgnoreEntropyAhead) // this node is behind; others will judge it
		}
		// Two queries may be served from two committed versions (one
		// just before a commit, one after): ask again now that the state
		// is known to have reached the beacon's height.
		e, err = v.chain.Entropy(ctx, b.EntropyHeight)
		if errors.Is(err, ErrNoEntropy) {
			return reject(RejectStaleEntropy)
		}
	}
	if err != nil {
		return ignore(IgnoreUnavailable)
	}
	if !bytes.Equal(e.Hash, b.EntropyHash) {
		return reject(RejectBadEntropy)
	}
	if v.now().UnixMilli()-e.TimeMs > v.cfg.MaxReportAge.Milliseconds() {
		return reject(RejectStaleEntropy)
	}
	stored, err := v.store.PutBeacon(BeaconEntry{ID: b.ID(), PayloadHash: payloadHash(b.Payload), ArrivedMs: v.now().UnixMilli(), Raw: data})
	if err != nil {
		v.logger.Error("ingest queue write failed", "err", err)
		return ignore(IgnoreStoreError)
	}
	if !stored {
		return ignore(IgnoreDuplicate)
	}
	return accept()
}

// waitForHeight returns the newest entropy, waiting up to entropyWait for
// the node's committed state to reach height: a hotspot may beacon with a
// block this node has received but not yet committed.
func (v *Validator) waitForHeight(ctx context.Context, height int64) (Entropy, error) {
	deadline := time.Now().Add(entropyWait)
	for {
		latest, err := v.chain.Entropy(ctx, 0)
		if err != nil && !errors.Is(err, ErrNoEntropy) {
			return latest, err
		}
		if latest.Height >= height || time.Now().After(deadline) {
			return latest, err
		}
		select {
		case <-ctx.Done():
			return latest, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// entropyWait bounds waitForHeight: about two blocks.
const entropyWait = 3 * time.Second

// CheckWitness judges a witness report and, if it is acceptable, stores it.
func (v *Validator) CheckWitness(ctx context.Context, data []byte) Verdict {
	if len(data) > v.cfg.MaxMessageBytes {
		return reject(RejectOversized)
	}
	w, err := DecodeWitness(data)
	if err != nil {
		return reject(RejectMalformed)
	}
	if !w.VerifySignature() {
		return reject(RejectBadSignature)
	}
	if vd, ok := v.sender(ctx, w.Pubkey); !ok {
		return vd
	}
	if !v.fresh(w.TimestampNs) {
		return reject(RejectStaleTimestamp)
	}
	id := sha256.Sum256(w.SignBytes())
	stored, err := v.store.PutWitness(payloadHash(w.Payload), WitnessEntry{ID: id, ArrivedMs: v.now().UnixMilli(), Raw: data})
	switch {
	case errors.Is(err, ErrLate):
		return ignore(IgnoreLate)
	case err != nil:
		v.logger.Error("ingest queue write failed", "err", err)
		return ignore(IgnoreStoreError)
	case !stored:
		return ignore(IgnoreDuplicate)
	}
	return accept()
}

// pubsubValidator adapts a check to go-libp2p-pubsub and counts verdicts.
func (v *Validator) pubsubValidator(topic string, check func(context.Context, []byte) Verdict) pubsub.ValidatorEx {
	return func(ctx context.Context, _ peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		v.m.Received.WithLabelValues(topic).Inc()
		start := time.Now()
		vd := check(ctx, msg.Data)
		v.m.Validation.WithLabelValues(topic).Observe(time.Since(start).Seconds())
		switch vd.Result {
		case pubsub.ValidationAccept:
			v.m.Accepted.WithLabelValues(topic).Inc()
		case pubsub.ValidationReject:
			v.m.Rejected.WithLabelValues(topic, vd.Reason).Inc()
		default:
			v.m.Ignored.WithLabelValues(topic, vd.Reason).Inc()
		}
		return vd.Result
	}
}
