package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"time"

	"cosmossdk.io/log/v2"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// Relayer turns queued reports into MsgSubmitPoc. A beacon is ready once its
// witness window, plus this node's turn for it, has passed: the validators
// (this node and its configured ingest peers) are ranked per beacon by a
// hash of the beacon and their peer IDs; rank k waits k * relay-jitter, so
// normally exactly one validator relays and the next one steps in only if
// the PoC is still missing. Before submitting, the relayer asks the chain
// whether the PoC is already there and drops its copy quietly if so. A
// beacon leaves the queue only when the chain shows the PoC, when the chain
// refuses it for a reason a retry cannot cure, or when it expires.
type Relayer struct {
	cfg    Config
	chain  Chain
	store  *Store
	m      *Metrics
	logger log.Logger
	now    func() time.Time
	self   []byte   // this node's gossip peer ID
	peers  [][]byte // the other validators' ingest peer IDs (config peers)
	// resubmitAfter: a submitted beacon not on chain after this many blocks
	// is submitted again (its transaction was dropped from the mempool).
	resubmitAfter int64
	// checkedHeight is the height at which submitted beacons were last
	// looked up: they can only appear on chain in a new block.
	checkedHeight int64
	// inFlight maps this process's accepted relay transactions to their
	// beacons, so one GetTx confirms a whole batch. It is memory only:
	// after a restart submitted beacons are confirmed one by one.
	inFlight   map[string][][32]byte
	noTxLookup bool
	expiredAt  time.Time // last expiry scan
}

// expireEvery spaces the expiry scans: a report is deleted at most this
// long after its report-ttl.
const expireEvery = 10 * time.Second

// turn is this node's extra wait for a beacon: its rank among the
// validators for this beacon times relay-jitter.
func (r *Relayer) turn(id [32]byte) time.Duration {
	if r.cfg.RelayJitter <= 0 || len(r.peers) == 0 {
		return 0
	}
	score := func(p []byte) [32]byte { return sha256.Sum256(append(id[:], p...)) }
	mine := score(r.self)
	rank := 0
	for _, p := range r.peers {
		if s := score(p); bytes.Compare(s[:], mine[:]) < 0 {
			rank++
		}
	}
	return time.Duration(rank) * r.cfg.RelayJitter
}

// Run relays until ctx ends.
func (r *Relayer) Run(ctx context.Context) {
	every(ctx, r.cfg.RelayInterval, func() {
		if err := r.Step(ctx); err != nil && ctx.Err() == nil {
			r.logger.Error("relay step failed", "err", err)
		}
	})
}

// Step runs one relay round: expire, confirm submitted beacons, submit ready
// ones. Exported for tests, which drive it without a ticker.
func (r *Relayer) Step(ctx context.Context) error {
	now := r.now()
	// Expiry scans the whole queue, witnesses included: every
	// expireEvery, not every round.
	if now.Sub(r.expiredAt) >= expireEvery {
		st, err := r.store.Expire(now.Add(-r.cfg.ReportTTL).UnixMilli())
		if err != nil {
			return err
		}
		r.expiredAt = now
		if st.Beacons > 0 {
			r.m.Dropped.WithLabelValues("expired").Add(float64(st.Beacons))
			r.logger.Info("expired queued beacons", "beacons", st.Beacons, "witnesses", st.Witnesses)
		}
	}
	beacons, err := r.store.Beacons()
	if err != nil {
		return err
	}
	r.m.Queued.Set(float64(len(beacons)))
	if len(beacons) == 0 {
		return nil
	}
	height, err := r.chain.Height(ctx)
	if err != nil {
		return err
	}
	newBlock := height > r.checkedHeight
	r.checkedHeight = height
	confirmed := map[[32]byte]bool{}
	if newBlock {
		if confirmed, err = r.confirmBatches(ctx); err != nil {
			return err
		}
	}
	var ready []BeaconEntry
	for _, b := range beacons {
		switch b.State {
		case StateSubmitted:
			if confirmed[b.ID] {
				r.m.Included.Inc()
				r.observeLatency(b, now)
				if err := r.store.Complete(b, now.UnixMilli()); err != nil {
					return err
				}
				continue
			}
			if !newBlock || height <= b.SubmittedAt || r.tracked(b.ID) && height <= b.SubmittedAt+r.resubmitAfter {
				continue
			}
			relayer, on, err := r.chain.PocRelayer(ctx, b.ID[:])
			if err != nil {
				return err
			}
			if on {
				if relayer == r.chain.RelayerAddress() {
					r.m.Included.Inc()
					r.observeLatency(b, now)
				} else {
					r.m.Dropped.WithLabelValues("peer_relayed").Inc()
				}
				if err := r.store.Complete(b, now.UnixMilli()); err != nil {
					return err
				}
				continue
			}
			if height > b.SubmittedAt+r.resubmitAfter {
				b.State = StatePending
				if err := r.store.Update(b); err != nil {
					return err
				}
				ready = append(ready, b)
			}
		default:
			turn := r.turn(b.ID)
			if now.UnixMilli() < b.ArrivedMs+(r.cfg.WitnessWindow+turn).Milliseconds() {
				continue
			}
			if turn == 0 && len(r.peers) > 0 && b.Attempts == 0 {
				// First in this beacon's order: the others are still
				// waiting their turn, so there is nothing to look up.
				ready = append(ready, b)
				continue
			}
			_, on, err := r.chain.PocRelayer(ctx, b.ID[:])
			if err != nil {
				return err
			}
			if on {
				r.m.Dropped.WithLabelValues("peer_relayed").Inc()
				if err := r.store.Complete(b, now.UnixMilli()); err != nil {
					return err
				}
				continue
			}
			ready = append(ready, b)
		}
	}
	if len(ready) == 0 || r.chain.RelayerAddress() == "" {
		return nil
	}
	maxW, err := r.chain.MaxWitnesses(ctx)
	if err != nil {
		return err
	}
	// Oldest first; solo beacons (refused in a batch before) go alone.
	sort.SliceStable(ready, func(i, j int) bool { return ready[i].ArrivedMs < ready[j].ArrivedMs })
	var batch []BeaconEntry
	var msgs []*poctypes.MsgSubmitPoc
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := r.submit(ctx, height, batch, msgs)
		batch, msgs = nil, nil
		return err
	}
	for _, b := range ready {
		msg, err := r.buildMsg(b, maxW)
		if err != nil && !errors.Is(err, errUndecodable) {
			return err // a store error: retried next round
		}
		if err != nil {
			r.logger.Error("dropping undecodable queued beacon", "beacon", b.ID, "err", err)
			r.m.Dropped.WithLabelValues("refused").Inc()
			if err := r.store.Complete(b, now.UnixMilli()); err != nil {
				return err
			}
			continue
		}
		if b.Solo {
			if err := flush(); err != nil {
				return err
			}
		}
		batch, msgs = append(batch, b), append(msgs, msg)
		if b.Solo || len(batch) >= r.cfg.MaxPocsPerTx {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func (r *Relayer) buildMsg(b BeaconEntry, maxW int) (*poctypes.MsgSubmitPoc, error) {
	beacon, err := DecodeBeacon(b.Raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUndecodable, err)
	}
	if err := r.store.CloseWitnesses(b.PayloadHash, r.now().UnixMilli()); err != nil {
		return nil, err
	}
	ws, err := r.store.Witnesses(b.PayloadHash)
	if err != nil {
		return nil, err
	}
	msg := &poctypes.MsgSubmitPoc{Relayer: r.chain.RelayerAddress(), Beacon: poctypes.BeaconFromVerify(beacon)}
	// Witnesses in arrival order: the chain selects among valid ones, and
	// a spammer that floods reports cannot push out the early, honest ones.
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].ArrivedMs < ws[j].ArrivedMs })
	for _, w := range ws {
		if len(msg.Witnesses) == maxW {
			break
		}
		wr, err := DecodeWitness(w.Raw)
		if err != nil {
			continue // validated on arrival; cannot happen short of disk corruption
		}
		msg.Witnesses = append(msg.Witnesses, poctypes.WitnessFromVerify(wr))
	}
	return msg, nil
}

// confirmBatches looks up this process's relay transactions: the beacons
// of each one included successfully are returned; a failed or long-missing
// transaction is forgotten, and its beacons are then looked up one by one.
func (r *Relayer) confirmBatches(ctx context.Context) (map[[32]byte]bool, error) {
	done := map[[32]byte]bool{}
	hashes := make([]string, 0, len(r.inFlight))
	for h := range r.inFlight {
		hashes = append(hashes, h)
	}
	sort.Strings(hashes)
	for _, h := range hashes {
		found, code, err := r.chain.TxResult(ctx, h)
		if err != nil {
			// No transaction index on this node ([tx_index] indexer =
			// "null"), or it is failing: confirm beacon by beacon instead.
			r.logger.Info("relay batches unconfirmable by hash; confirming PoCs one by one", "err", err)
			r.inFlight, r.noTxLookup = nil, true
			return done, nil
		}
		if !found {
			continue
		}
		if code == 0 {
			for _, id := range r.inFlight[h] {
				done[id] = true
			}
		}
		delete(r.inFlight, h)
	}
	return done, nil
}

// tracked reports whether a beacon is in a relay transaction whose fate
// confirmBatches will learn.
func (r *Relayer) tracked(id [32]byte) bool {
	for _, ids := range r.inFlight {
		for _, x := range ids {
			if x == id {
				return true
			}
		}
	}
	return false
}

// errUndecodable marks a queued beacon that no longer decodes (it was
// validated on arrival, so only disk corruption gets here): it is dropped.
var errUndecodable = errors.New("undecodable queued beacon")

// refusalIsFinal: the chain refused the message for what it is, so sending
// it again cannot help.
func refusalIsFinal(codespace string, code uint32) bool {
	if codespace == poctypes.ModuleName {
		return code == poctypes.ErrMalformedReport.ABCICode() || code == poctypes.ErrTooManyWitnesses.ABCICode() ||
			code == poctypes.ErrDuplicateBeacon.ABCICode()
	}
	return codespace == sdkerrors.RootCodespace && code == sdkerrors.ErrTxTooLarge.ABCICode()
}

func (r *Relayer) submit(ctx context.Context, height int64, batch []BeaconEntry, msgs []*poctypes.MsgSubmitPoc) error {
	res, err := r.chain.Submit(ctx, msgs)
	if err != nil {
		r.m.RelayErrs.Inc()
		r.logger.Error("relay broadcast failed; will retry", "beacons", len(batch), "err", err)
		return nil
	}
	now := r.now()
	if res.OK() {
		r.m.Relayed.Add(float64(len(batch)))
		if !r.noTxLookup {
			if r.inFlight == nil {
				r.inFlight = map[string][][32]byte{}
			}
			ids := make([][32]byte, len(batch))
			for i := range batch {
				ids[i] = batch[i].ID
			}
			r.inFlight[res.TxHash] = ids
		}
		for i := range batch {
			r.m.RelayedW.Add(float64(len(msgs[i].Witnesses)))
			batch[i].State, batch[i].SubmittedAt, batch[i].SubmittedMs = StateSubmitted, height, now.UnixMilli()
			batch[i].Attempts++
			if err := r.store.Update(batch[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if len(batch) == 1 && refusalIsFinal(res.Codespace, res.Code) {
		reason := "refused"
		if res.Codespace == poctypes.ModuleName && res.Code == poctypes.ErrDuplicateBeacon.ABCICode() {
			reason = "peer_relayed" // another validator's copy got there first
		} else {
			r.logger.Error("chain refused PoC; dropping it", "beacon", batch[0].ID, "code", res.Code, "log", res.Log)
		}
		r.m.Dropped.WithLabelValues(reason).Inc()
		return r.store.Complete(batch[0], now.UnixMilli())
	}
	// A batch was refused (one bad or duplicate message fails the whole
	// transaction), or a transient refusal: retry each beacon on its own.
	r.m.RelayErrs.Inc()
	r.logger.Info("relay refused; retrying beacons individually", "beacons", len(batch), "code", res.Code, "codespace", res.Codespace, "log", res.Log)
	for i := range batch {
		batch[i].Solo = true
		batch[i].Attempts++
		if err := r.store.Update(batch[i]); err != nil {
			return err
		}
	}
	return nil
}

func (r *Relayer) observeLatency(b BeaconEntry, now time.Time) {
	if beacon, err := DecodeBeacon(b.Raw); err == nil {
		r.m.Latency.Observe(now.Sub(time.Unix(0, beacon.TimestampNs)).Seconds())
	}
}
