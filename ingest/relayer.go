package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"cosmossdk.io/log/v2"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/wire"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// Relayer turns queued reports into MsgSubmitPoc. A beacon is ready once its
// witness window, plus this node's turn for it, has passed: the validators
// (this node and its configured ingest peers) are ranked per beacon by a
// hash of the beacon and their peer IDs; rank k waits k * relay-jitter.
// The first relay opens the PoC on chain; it stays open for x/poc's
// close_grace_ms, and a later relay of it by another validator adds the
// witness reports the chain does not hold yet. So when its turn comes, a
// validator asks the chain about the beacon: if its own relay is already
// there (it opened the PoC or added to it) the beacon is done (included);
// if the PoC is judged without it, it drops its copy (peer_relayed); if the
// PoC is still open without it, it submits its copy; if it is not on chain,
// it submits its copy once the first relay has had time to land
// (landingWait). A beacon leaves the queue only when the chain shows this
// node's relay or the judged PoC, when the chain refuses it for a reason a
// retry cannot cure, or when it expires.
//
// The chain lists a validator's relay among the PoC's relayers once it
// lands, whether or not it added a report, so a copy whose transaction left
// the mempool unincluded (or failed with a batch) is sent again while the
// PoC is open, as a relay that would open it is. A copy carries only the
// witness reports the open PoC lacks (RecordedPocs returns the keys of the
// reports it holds), and is not sent when it lacks none: with gossip the
// validators hold the same reports, and full copies of every PoC doubled
// the bytes in a devnet's blocks and slowed it until it stalled under
// faults (docs/ci.md).
//
// Nothing is submitted before the chain can take it: a relay whose block
// time precedes the beacon's timestamp plus x/poc's witness_lag_ms is
// refused (ErrRelayTooEarly), so a beacon also waits for that (plus a
// little slack) by this node's clock.
//
// Each round asks the chain one question (x/poc's RecordedPocs, for every
// submitted beacon and every due one that needs the check) and makes a
// synced store write per transaction and one for the beacons that leave:
// at 2,000 reports a second, per-beacon lookups and writes made the round
// longer than a block.
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
	expiredAt     time.Time // last expiry scan
	// tooEarly: beacons the chain refused as too early (ErrRelayTooEarly),
	// with the height it judged them at. CheckTx uses the last block's
	// time, so they wait for the next block.
	tooEarly map[[32]byte]int64
	// overload learns from this node's inclusions whether admission must
	// shed (nil in tests that drive Step alone).
	overload *overload
	// landing is how long this node's relays have lately taken from
	// falling due to landing on chain, a moving average (landed).
	landing time.Duration
	// earliestRelay is the chain's RelayParams.EarliestRelay as last read.
	earliestRelay time.Duration
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

// landingWait is how much longer than its turn a validator that does not
// rank first waits before it relays a beacon the chain does not show yet
// (awaitsFirstRelay): as long as this node's own relays have lately taken
// from falling due to landing on chain.
//
// On a congested chain a relay waits in the mempool longer than
// relay-jitter. A validator whose turn came found the first relay not yet
// on chain and sent a whole copy of it: on the four-validator devnet at 500
// reports/s, 70 % more witness reports were relayed than included, and
// every node paid CheckTx for each copy (docs/benchmarks.md). Now it waits
// for the first relay to land, which takes about as long as its own relays
// take (the validators run the same code on similar machines), and then
// adds only the reports the open PoC lacks, or nothing. If the first-ranked
// validator never relays (it is down, or withholds), the copy goes out that
// much later.
//
// A PoC already open is not affected: its additions go out at the turn, as
// before, so they land within close_grace_ms. The wait is capped at twice
// max-relay-delay, the delay past which this node counts itself overloaded
// and sheds new beacons: landing stays near it under overload, and a copy
// held back longer would near the chain's stale-relay bound (twice
// entropy_lifespan_ms after the beacon) for a beacon admitted old. With
// max-relay-delay 0 (shedding off) there is no wait.
func (r *Relayer) landingWait() time.Duration {
	return min(r.landing, r.landingCap())
}

// landingCap bounds landingWait and every landing sample.
func (r *Relayer) landingCap() time.Duration { return 2 * r.cfg.MaxRelayDelay }

// awaitsFirstRelay: b is not on chain, this node does not rank first for
// it, and the first relay may still be on its way (landingWait).
func (r *Relayer) awaitsFirstRelay(b BeaconEntry, now time.Time) bool {
	turn := r.turn(b.ID)
	return turn > 0 && now.Before(dueAt(b, r.cfg.WitnessWindow, turn+r.landingWait()))
}

// landed folds one of this node's relays, made as the first-ranked validator
// and seen on chain at now, into landing: the time from when it could first
// have gone out (its witness window ended, and the chain would take a beacon
// stamped at stamped; zero: unknown) to now. That includes any wait in this node's
// own relayer as well as in the mempool: on the devnet under overload a
// validator's relayer fell behind, and counting from submission let the
// others copy its relays.
//
// Only relays at their first attempt are samples (complete passes only
// first-ranked ones): a copy held back (awaitsFirstRelay) or a relay sent
// again would measure this node's own wait and feed on it. Each sample is clamped to the
// cap, so one relay after an outage cannot set it. The first sample is taken
// as it is, then landing moves an eighth of the way to each new one.
func (r *Relayer) landed(now time.Time, b BeaconEntry, stamped time.Time) {
	if b.SubmittedMs <= 0 || b.Attempts != 1 {
		return
	}
	from := dueAt(b, r.cfg.WitnessWindow, 0)
	if !stamped.IsZero() {
		// A beacon stamped ahead waits for the chain (EarliestRelay).
		from = later(from, stamped.Add(r.earliestRelay))
	}
	sample := min(now.Sub(from), r.landingCap())
	if r.landing == 0 {
		r.landing = sample
	} else {
		r.landing += (sample - r.landing) / landingSamples
	}
	r.m.Landing.Set(r.landing.Seconds())
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

const landingSamples = 8

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
	pending := -1 // unknown until the queue is read: counts as work
	if r.overload != nil {
		defer func() { r.overload.roundDone(r.now(), pending) }()
	}
	// Expiry scans the whole queue, witnesses included: every
	// expireEvery, not every round.
	if now.Sub(r.expiredAt) >= expireEvery {
		st, err := r.store.Expire(now.UnixMilli(), now.Add(-r.cfg.ReportTTL).UnixMilli())
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
	oldest := now.UnixMilli()
	for _, b := range beacons {
		oldest = min(oldest, b.ArrivedMs)
	}
	r.m.OldestQueued.Set(float64(now.UnixMilli()-oldest) / 1000)
	if len(beacons) == 0 {
		pending = r.stepOverload(now, nil, nil)
		return nil
	}
	// A pending beacon is due when its window and this node's turn have
	// passed. Every submitted beacon and every due one is looked up, except
	// a due beacon this node ranks first for and has not tried yet: the
	// others are still waiting their turn, so it cannot be on chain.
	due := make([]bool, len(beacons))
	ask := make([][32]byte, 0, len(beacons))
	for i, b := range beacons {
		if b.State == StateSubmitted {
			ask = append(ask, b.ID)
			continue
		}
		turn := r.turn(b.ID)
		if now.Before(dueAt(b, r.cfg.WitnessWindow, turn)) {
			continue
		}
		due[i] = true
		if turn > 0 || len(r.peers) == 0 || b.Attempts > 0 {
			ask = append(ask, b.ID)
		}
	}
	pending = r.stepOverload(now, due, beacons)
	height, onChain, err := r.chain.Recorded(ctx, ask)
	if err != nil {
		return err
	}
	// Beacons leaving the queue this round, removed together: every store
	// write is synced.
	var done doneSet
	var ready []BeaconEntry
	me := r.chain.RelayerAddress()
	for i, b := range beacons {
		rec, on := onChain[b.ID]
		switch {
		case on && me != "" && rec.Has(me):
			// Our relay opened the PoC or added to it (possibly submitted
			// before a restart that lost the state update).
			done.add(b, "included")
			continue
		case on && !rec.Open:
			// Judged without our copy: another validator's got there.
			done.add(b, "peer_relayed")
			continue
		}
		// Not on chain, or open without our copy: ours may open it or add
		// the witness reports the chain lacks.
		if b.State == StateSubmitted {
			if height > b.SubmittedAt+r.resubmitAfter {
				// Its transaction left the mempool unincluded. It stays
				// "submitted" in the store until a resubmission is
				// accepted; if that fails, the next round gets here again.
				ready = append(ready, b)
			}
			continue
		}
		if due[i] && (on || !r.awaitsFirstRelay(b, now)) {
			ready = append(ready, b)
		}
	}
	if err := r.complete(now, &done); err != nil {
		return err
	}
	if len(ready) == 0 || me == "" {
		return nil
	}
	rp, err := r.chain.RelayParams(ctx)
	if err != nil {
		return err
	}
	r.earliestRelay = rp.EarliestRelay
	// Not before the chain takes it: the beacon's own timestamp plus the
	// witness lag. (A beacon stamped in the future waits here instead of
	// failing every batch it would join.)
	// Nor again at the height that refused it as too early.
	maps.DeleteFunc(r.tooEarly, func(_ [32]byte, h int64) bool { return h < height })
	ready = slices.DeleteFunc(ready, func(b BeaconEntry) bool {
		if _, refused := r.tooEarly[b.ID]; refused {
			return true
		}
		beacon, err := wire.DecodeBeacon(b.Raw)
		return err == nil && now.Before(time.Unix(0, beacon.TimestampNs).Add(rp.EarliestRelay))
	})
	if len(ready) == 0 {
		return nil
	}
	maxW := rp.MaxWitnesses
	// Oldest first; solo beacons (refused in a batch before) go alone.
	sort.SliceStable(ready, func(i, j int) bool { return ready[i].ArrivedMs < ready[j].ArrivedMs })
	// Close every ready beacon's witness set in one write before reading any.
	phs := make([]wire.PayloadHash, len(ready))
	for i, b := range ready {
		phs[i] = b.PayloadHash
	}
	if err := r.store.CloseWitnesses(now.UnixMilli(), phs...); err != nil {
		return err
	}
	var batch []BeaconEntry
	var msgs []*poctypes.MsgSubmitPoc
	gas := uint64(poctypes.RelayTxGas)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := r.submit(ctx, height, batch, msgs, gas)
		batch, msgs, gas = nil, nil, poctypes.RelayTxGas
		return err
	}
	var stop error
	for _, b := range ready {
		// Held is set only for an open PoC (and a judged one left the
		// queue above).
		rec, on := onChain[b.ID]
		msg, err := r.buildMsg(b, maxW, rec.Held)
		if err != nil && !errors.Is(err, errUndecodable) {
			return err // a store error: retried next round
		}
		if err != nil {
			r.logger.Error("dropping undecodable queued beacon", "beacon", b.ID, "err", err)
			done.add(b, "refused")
			continue
		}
		if on && rec.Open && (len(msg.Witnesses) == 0 || rec.Held == nil && len(msg.Witnesses) <= rec.WitnessReports) {
			// Open without our copy, but it already holds every report we
			// hold (with gossip, the usual case): a copy would cost every
			// node a transaction for nothing. It waits for the verdict
			// (peer_relayed). A node that does not list report keys
			// (older than them) gets the count comparison instead.
			continue
		}
		if b.Solo {
			if stop = flush(); stop != nil {
				break
			}
		}
		batch, msgs = append(batch, b), append(msgs, msg)
		gas += poctypes.RelayMsgGasLimit(len(msg.Witnesses), r.heldWhenLanding(b, msg, rec, on, maxW))
		if b.Solo || len(batch) >= r.cfg.MaxPocsPerTx {
			if stop = flush(); stop != nil {
				break
			}
		}
	}
	if stop == nil {
		stop = flush()
	}
	var unauthorized *unauthorizedError
	if errors.As(stop, &unauthorized) {
		// Every relay this round would fail the same way: say so once and
		// try again next round (the registration may be on its way).
		r.logger.Error("the chain refuses this node's relays: its relayer account is not registered by a bonded validator; "+
			"register it with `pocd tx poc register-relayer <relayer-address> --from <validator-key>`",
			"relayer", me, "beacons_waiting", len(ready), "log", unauthorized.log)
		stop = nil
	}
	if stop != nil {
		return stop
	}
	return r.complete(r.now(), &done)
}

// unauthorizedError: the chain refused a relay because the relayer account
// is not a bonded validator's registered relayer (x/poc code 9).
type unauthorizedError struct{ log string }

func (e *unauthorizedError) Error() string { return "unauthorized relayer: " + e.log }

// doneSet collects beacons leaving the queue with the reason they leave:
// "included" (this node's relay is on chain) or a dropped_total reason.
type doneSet struct {
	entries []BeaconEntry
	reasons []string
}

func (d *doneSet) add(b BeaconEntry, reason string) {
	d.entries, d.reasons = append(d.entries, b), append(d.reasons, reason)
}

// complete removes the set's beacons from the queue in one write and then
// counts them; the set is emptied.
func (r *Relayer) complete(now time.Time, d *doneSet) error {
	if len(d.entries) == 0 {
		return nil
	}
	if err := r.store.Complete(now.UnixMilli(), d.entries...); err != nil {
		return err
	}
	for i, b := range d.entries {
		if d.reasons[i] != "included" {
			r.m.Dropped.WithLabelValues(d.reasons[i]).Inc()
			continue
		}
		r.m.Included.Inc()
		var stamped time.Time // the beacon's own timestamp; zero if it no longer decodes
		if beacon, err := wire.DecodeBeacon(b.Raw); err == nil {
			stamped = time.Unix(0, beacon.TimestampNs)
			r.m.Latency.Observe(now.Sub(stamped).Seconds())
		}
		// Only its own first relays teach landing and overload: a later
		// rank's copy may have waited for the first relay on purpose
		// (awaitsFirstRelay).
		if r.turn(b.ID) != 0 {
			continue
		}
		r.landed(now, b, stamped)
		if r.overload != nil {
			r.overload.included(now, now.Sub(dueAt(b, r.cfg.WitnessWindow, 0)))
			r.m.Overloaded.Set(boolGauge(r.overload.shedding(now)))
		}
	}
	*d = doneSet{}
	return nil
}

// buildMsg makes the relay of a queued beacon: its witness reports in
// arrival order, up to maxW, leaving out those whose keys are in held (the
// reports the open PoC already has).
func (r *Relayer) buildMsg(b BeaconEntry, maxW int, held map[[32]byte]bool) (*poctypes.MsgSubmitPoc, error) {
	beacon, err := wire.DecodeBeacon(b.Raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUndecodable, err)
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
		wr, err := wire.DecodeWitness(w.Raw)
		if err != nil {
			continue // validated on arrival; cannot happen short of disk corruption
		}
		w := poctypes.WitnessFromVerify(wr)
		if held != nil && held[poctypes.ReportKey(w)] {
			continue
		}
		// The chain takes the beacon's payload for a report without one:
		// 51 bytes less per report in every block and index.
		if bytes.Equal(w.Payload, msg.Beacon.Payload) {
			w.Payload = nil
		}
		msg.Witnesses = append(msg.Witnesses, w)
	}
	return msg, nil
}

// errUndecodable marks a queued beacon that no longer decodes (it was
// validated on arrival, so only disk corruption gets here): it is dropped.
var errUndecodable = errors.New("undecodable queued beacon")

// refusalIsFinal: the chain refused the message for what it is, so sending
// it again cannot help.
func refusalIsFinal(codespace string, code uint32) bool {
	if codespace == poctypes.ModuleName {
		// A beacon its hotspot did not sign (ingest checked the signature
		// on arrival, so only corruption gets here) and one too old to
		// relay are final too; an unregistered relayer
		// (ErrUnauthorizedRelayer) and a relay before the witness window
		// can have closed (ErrRelayTooEarly) are not.
		return code == poctypes.ErrMalformedReport.ABCICode() || code == poctypes.ErrTooManyWitnesses.ABCICode() ||
			code == poctypes.ErrDuplicateBeacon.ABCICode() || code == poctypes.ErrBadBeaconSignature.ABCICode() ||
			code == poctypes.ErrStaleRelay.ABCICode()
	}
	return codespace == sdkerrors.RootCodespace && code == sdkerrors.ErrTxTooLarge.ABCICode()
}

// heldWhenLanding is how many witness reports the open PoC b's relay may
// meet when it lands, for its gas limit: an addition reads and rewrites the
// whole record (poctypes.RelayHeldReportGas). An open PoC holds what the
// chain said, and each other validator may add up to a relay's worth (maxW)
// meanwhile, up to what an open PoC can hold. Relays to open PoCs are few
// (gossip gives every validator the same reports), so this generosity costs
// little.
//
// A PoC not on chain is opened by this relay when it is this node's first
// try as the first-ranked validator: the others wait for it. Otherwise
// another validator's relay, which may carry maxW reports, can land first in
// the same block. So can it when this node holds no reports of the beacon:
// it missed them (it took the beacon late, from a peer), and a validator that
// holds them may not have waited. Relays of no reports landing on a PoC just
// opened with 14 ran out of gas on the devnet, both as copies and as
// first-ranked relays.
func (r *Relayer) heldWhenLanding(b BeaconEntry, msg *poctypes.MsgSubmitPoc, rec OnChain, on bool, maxW int) int {
	switch {
	case on:
		return min(rec.WitnessReports+len(r.peers)*maxW, poctypes.MaxOpenWitnessesFactor*maxW)
	case r.turn(b.ID) == 0 && b.Attempts == 0 && len(msg.Witnesses) > 0:
		return 0
	default:
		return maxW
	}
}

func (r *Relayer) submit(ctx context.Context, height int64, batch []BeaconEntry, msgs []*poctypes.MsgSubmitPoc, gas uint64) error {
	res, err := r.chain.Submit(ctx, msgs, gas)
	if err != nil {
		r.m.RelayErrs.Inc()
		r.logger.Error("relay broadcast failed; will retry", "beacons", len(batch), "err", err)
		return nil
	}
	now := r.now()
	if res.OK() {
		r.m.Relayed.Add(float64(len(batch)))
		for i := range batch {
			r.m.RelayedW.Add(float64(len(msgs[i].Witnesses)))
			batch[i].State, batch[i].SubmittedAt, batch[i].SubmittedMs = StateSubmitted, height, now.UnixMilli()
			batch[i].Attempts++
		}
		return r.store.Update(batch...)
	}
	if res.Codespace == poctypes.ModuleName {
		switch res.Code {
		case poctypes.ErrUnauthorizedRelayer.ABCICode():
			// Nothing about the beacons: the caller stops the round.
			r.m.RelayErrs.Inc()
			return &unauthorizedError{log: res.Log}
		case poctypes.ErrRelayTooEarly.ABCICode():
			// The chain's last block time trails the beacons' windows:
			// the same batch passes after the next block or so.
			r.m.RelayErrs.Inc()
			r.logger.Info("relay before the chain's block time passed the witness window; retrying after the next block",
				"beacons", len(batch), "log", res.Log)
			if r.tooEarly == nil {
				r.tooEarly = map[[32]byte]int64{}
			}
			for _, b := range batch {
				r.tooEarly[b.ID] = height
			}
			return nil
		}
	}
	if len(batch) == 1 && refusalIsFinal(res.Codespace, res.Code) {
		reason := "refused"
		if res.Codespace == poctypes.ModuleName && res.Code == poctypes.ErrDuplicateBeacon.ABCICode() {
			// Judged, or open past its close time: another validator's
			// copy got there first.
			reason = "peer_relayed"
		} else if res.Codespace == poctypes.ModuleName && res.Code == poctypes.ErrStaleRelay.ABCICode() {
			reason = "expired" // older than the chain relays (twice the entropy lifespan)
			r.logger.Info("chain refused a PoC as too old to relay; dropping it", "beacon", batch[0].ID, "log", res.Log)
		} else {
			r.logger.Error("chain refused PoC; dropping it", "beacon", batch[0].ID, "code", res.Code, "log", res.Log)
		}
		if err := r.store.Complete(now.UnixMilli(), batch[0]); err != nil {
			return err
		}
		r.m.Dropped.WithLabelValues(reason).Inc()
		return nil
	}
	// A batch was refused (one bad or duplicate message fails the whole
	// transaction), or a transient refusal: retry each beacon on its own.
	r.m.RelayErrs.Inc()
	r.logger.Info("relay refused; retrying beacons individually", "beacons", len(batch), "code", res.Code, "codespace", res.Codespace, "log", res.Log)
	for i := range batch {
		batch[i].Solo = true
		batch[i].Attempts++
	}
	return r.store.Update(batch...)
}

// dueAt is when a queued beacon falls due for this node's relay: its
// witness window and this node's turn after it arrived.
func dueAt(b BeaconEntry, window, turn time.Duration) time.Time {
	return time.UnixMilli(b.ArrivedMs).Add(window + turn)
}

// stepOverload tells overload how many of this node's relays are due or
// awaiting inclusion, and returns that count.
func (r *Relayer) stepOverload(now time.Time, due []bool, beacons []BeaconEntry) int {
	if r.overload == nil {
		return 0
	}
	pending := 0
	for i, b := range beacons {
		if due[i] || b.State == StateSubmitted {
			pending++
		}
	}
	r.overload.step(now, pending)
	r.m.Overloaded.Set(boolGauge(r.overload.shedding(now)))
	return pending
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
