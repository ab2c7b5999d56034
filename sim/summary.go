package sim

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/app/params"

	poctypes "github.com/pocnet/pocd/x/poc/types"
	rewardstypes "github.com/pocnet/pocd/x/rewards/types"
)

// NotOnChain is the outcome of a report the chain never recorded: rejected
// by ingest (stale, duplicate, late) or never relayed.
const NotOnChain = "not_on_chain"

// Figures are the chain's verdicts on one class of witness reports.
type Figures struct {
	Reports  int            `json:"reports"`
	Accepted int            `json:"accepted"`
	Rejected map[string]int `json:"rejected"` // by reason, NotOnChain included
	// AcceptedShare is Accepted / Reports.
	AcceptedShare float64 `json:"accepted_share"`
	// RejectedOtherShare counts rejections other than the distance rules
	// (too close, too far), which honest hotspots meet by placement.
	RejectedOtherShare float64 `json:"rejected_other_share"`
}

func (f *Figures) add(reason string) {
	f.Reports++
	if reason == "valid" {
		f.Accepted++
		return
	}
	if f.Rejected == nil {
		f.Rejected = map[string]int{}
	}
	f.Rejected[reason]++
}

func (f *Figures) finish() {
	if f.Reports == 0 {
		return
	}
	f.AcceptedShare = float64(f.Accepted) / float64(f.Reports)
	other := 0
	for reason, n := range f.Rejected {
		if reason != "below_min_distance" && reason != "max_distance_exceeded" {
			other += n
		}
	}
	f.RejectedOtherShare = float64(other) / float64(f.Reports)
}

// Summary is what a run produced, judged by the chain. Only reports from
// after the warm-up count: until every hotspot has beaconed and witnessed
// once, the reciprocity rule (HIP-106) rejects honest reports by design.
type Summary struct {
	Hotspots        int            `json:"hotspots"`
	Kinds           map[Kind]int   `json:"kinds"`
	DurationSec     float64        `json:"duration_s"`
	Beacons         int            `json:"beacons"`
	BeaconsValid    int            `json:"beacons_valid"`
	BeaconVerdicts  map[string]int `json:"beacon_verdicts"`
	Witnesses       int            `json:"witness_reports"`
	WitnessVerdicts map[string]int `json:"witness_verdicts"`
	// Honest: honest hotspots' reports of honest hotspots' beacons.
	Honest Figures `json:"honest"`
	// HonestOfCheaters: honest reports of cheaters' beacons, which fail
	// with the beaconer (location lie, or no valid witnessing of its own).
	HonestOfCheaters Figures `json:"honest_of_cheater_beacons"`
	// Cheating: every cheating report, and by kind.
	Cheating       Figures           `json:"cheating"`
	CheatingByKind map[Kind]*Figures `json:"cheating_by_kind"`
	WarmupExcluded int               `json:"warmup_excluded_reports"`
	PublishErrors  int               `json:"publish_errors"`
	// Adversaries (--adversaries): per kind, what it sent, what got
	// through, what its hotspots earned.
	Adversaries map[Kind]*AdversaryFigures `json:"adversaries,omitempty"`
	// Earnings over the run's epochs (x/rewards HotspotRewards, epochs
	// settled after the run started): honest hotspots' mean and best, and
	// the sybil keys' real hotspot.
	HonestHotspots     int     `json:"honest_hotspots"`
	HonestEarnedAvgHNT float64 `json:"honest_earned_avg_hnt"`
	HonestEarnedMaxHNT float64 `json:"honest_earned_max_hnt"`
	SybilHostEarnedHNT float64 `json:"sybil_host_earned_hnt,omitempty"`
	// Payouts: epochs settled and paid out during the run.
	Payouts Payouts `json:"payouts"`
}

// Payouts is x/rewards' progress: the last settled epoch and the owner's
// paid amount at the start, and at the end with the epochs between.
type Payouts struct {
	StartSettledEpoch int64   `json:"start_settled_epoch"`
	EndSettledEpoch   int64   `json:"end_settled_epoch"`
	EpochsSettled     int     `json:"epochs_settled"`
	EpochsPaidOut     int     `json:"epochs_paid_out"`
	UnpaidEpochs      []int64 `json:"unpaid_epochs,omitempty"`
	OwnerPaidStart    int64   `json:"owner_paid_start_bones"`
	OwnerPaidEnd      int64   `json:"owner_paid_end_bones"`
}

// gogo is the gRPC codec for x/rewards' responses: their math.Int fields
// are gogoproto custom types, which grpc's default codec cannot decode.
var gogo = grpc.ForceCodec(codec.NewProtoCodec(params.MakeClientEncoding().InterfaceRegistry).GRPCCodec())

// payoutState reads the last settled epoch and the owner's paid amount.
func (r *runner) payoutState(ctx context.Context) Payouts {
	var p Payouts
	q := rewardstypes.NewQueryClient(r.Conn)
	if res, err := q.Emission(ctx, &rewardstypes.QueryEmissionRequest{}, gogo); err == nil {
		p.StartSettledEpoch, p.EndSettledEpoch = res.LastSettledEpoch, res.LastSettledEpoch
	}
	if r.Owner != nil {
		if res, err := q.OwnerRewards(ctx, &rewardstypes.QueryOwnerRewardsRequest{Owner: r.Owner.Address()}, gogo); err == nil && res.Paid.IsInt64() {
			p.OwnerPaidStart, p.OwnerPaidEnd = res.Paid.Int64(), res.Paid.Int64()
		}
	}
	return p
}

// earnings sums a hotspot's rewards for epochs after `after`.
func (r *runner) earnings(ctx context.Context, hotspot string, after int64) (int64, error) {
	q := rewardstypes.NewQueryClient(r.Conn)
	var total int64
	var key []byte
	for {
		res, err := q.HotspotRewards(ctx, &rewardstypes.QueryHotspotRewardsRequest{Hotspot: hotspot, Pagination: &query.PageRequest{Key: key, Limit: 500}}, gogo)
		if err != nil {
			return 0, err
		}
		for _, rw := range res.Rewards {
			if rw.Epoch > after {
				total += rw.BeaconAmount.Int64() + rw.WitnessAmount.Int64()
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return total, nil
		}
		key = res.Pagination.NextKey
	}
}

// summariseRewards fills in earnings and payouts.
func (r *runner) summariseRewards(ctx context.Context, s *Summary) error {
	end := r.payoutState(ctx)
	p := r.payouts
	p.EndSettledEpoch, p.OwnerPaidEnd = end.StartSettledEpoch, end.OwnerPaidStart
	q := rewardstypes.NewQueryClient(r.Conn)
	for e := p.StartSettledEpoch + 1; e <= p.EndSettledEpoch; e++ {
		p.EpochsSettled++
		res, err := q.EpochRewards(ctx, &rewardstypes.QueryEpochRewardsRequest{Epoch: e}, gogo)
		if err == nil && res.Rewards.PaidOut {
			p.EpochsPaidOut++
		} else {
			p.UnpaidEpochs = append(p.UnpaidEpochs, e)
		}
	}
	s.Payouts = p
	var honestSum int64
	host := -1
	if r.Adversaries {
		host = SybilHost(r.Fleet)
	}
	for i, h := range r.Fleet {
		got, err := r.earnings(ctx, h.Address, p.StartSettledEpoch)
		if err != nil {
			return err
		}
		hnt := bonesToHNT(got)
		switch {
		case h.Kind == Honest:
			s.HonestHotspots++
			honestSum += got
			s.HonestEarnedMaxHNT = max(s.HonestEarnedMaxHNT, hnt)
			if i == host {
				s.SybilHostEarnedHNT = hnt
			}
		case IsAdversary(h.Kind):
			f := s.Adversaries[h.Kind]
			f.Hotspots++
			f.EarnedBones += got
			f.EarnedHNT = bonesToHNT(f.EarnedBones)
			f.MaxEarnedHNT = max(f.MaxEarnedHNT, hnt)
		}
	}
	if s.HonestHotspots > 0 {
		s.HonestEarnedAvgHNT = bonesToHNT(honestSum) / float64(s.HonestHotspots)
	}
	return nil
}

func reasonName(r poctypes.Reason) string {
	return strings.ToLower(strings.TrimPrefix(r.String(), "REASON_"))
}

func (r *runner) summarise(ctx context.Context) (*Summary, error) {
	r.mu.Lock()
	beacons := append([]sentBeacon(nil), r.beacons...)
	reports := append([]*published(nil), r.reports...)
	pubErrs := r.pubErrs
	r.mu.Unlock()

	lookup := func(id [32]byte) (*onChain, error) { return r.verdicts.lookup(ctx, id) }
	// Wait for the measured beacons to be judged (the relayer waits out the
	// witness window first, and the chain judges a PoC close_grace_ms after
	// its first relay).
	deadline := time.Now().Add(r.Drain)
	for {
		missing := 0
		for _, b := range beacons {
			if !b.measured || IsAdversary(b.kind) {
				continue
			}
			c, err := lookup(b.id)
			if err != nil {
				return nil, err
			}
			if !c.found {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			if missing > 0 {
				r.Logf("%d measured beacons never reached the chain", missing)
			}
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}

	s := &Summary{Hotspots: len(r.Fleet), Kinds: map[Kind]int{}, DurationSec: time.Since(r.start).Seconds(),
		BeaconVerdicts: map[string]int{}, WitnessVerdicts: map[string]int{}, CheatingByKind: map[Kind]*Figures{}, PublishErrors: pubErrs}
	for _, h := range r.Fleet {
		s.Kinds[h.Kind]++
	}
	if r.Adversaries {
		s.Adversaries = map[Kind]*AdversaryFigures{}
		r.mu.Lock()
		for _, k := range AdversaryKinds {
			f := AdversaryFigures{}
			if g := r.adv[k]; g != nil {
				f = *g
				f.Outcomes, f.Observed = map[string]int{}, map[string]int{}
				for o, n := range g.Outcomes {
					f.Outcomes[o] = n
				}
				for o, n := range g.Observed {
					f.Observed[o] = n
				}
			}
			s.Adversaries[k] = &f
		}
		r.mu.Unlock()
	}
	for _, b := range beacons {
		if !b.measured {
			continue
		}
		c, err := lookup(b.id)
		if err != nil {
			return nil, err
		}
		reason := NotOnChain
		if c.found {
			reason = c.reason
		}
		if IsAdversary(b.kind) {
			// Not in the fleet's beacon figures: an adversary's rejected
			// beacons are not losses.
			f := s.Adversaries[b.kind]
			f.outcome("beacon", reason)
			if reason == "valid" {
				f.Accepted++
			}
			continue
		}
		s.Beacons++
		s.BeaconVerdicts[reason]++
		if reason == "valid" {
			s.BeaconsValid++
		}
	}
	// The cross-replayer's originals, to judge its identical copies.
	originals := map[[32]byte]map[string]bool{}
	for _, p := range reports {
		if p.kind == CrossReplayer && p.variant == "" {
			if originals[p.beaconID] == nil {
				originals[p.beaconID] = map[string]bool{}
			}
			originals[p.beaconID][p.witness] = true
		}
	}
	for _, p := range reports {
		if IsAdversary(p.kind) {
			c, err := lookup(p.beaconID)
			if err != nil {
				return nil, err
			}
			reason := NotOnChain
			if v, ok := c.verdicts[p.witness]; c.found && ok {
				reason = v
			}
			what := "witness"
			if p.variant != "" {
				what = p.variant
			}
			if p.variant == "identical" {
				// The chain keeps one report per witness per beacon: a
				// byte-identical copy never adds one.
				reason = "no_second_report"
				if !c.found {
					reason = NotOnChain
				}
			} else if p.variant == "relabelled" && originals[p.beaconID][p.witness] {
				reason = "shadowed_by_original"
			} else if reason == "valid" {
				s.Adversaries[p.kind].Accepted++
			}
			s.Adversaries[p.kind].outcome(what, reason)
			continue
		}
		if !p.measured {
			s.WarmupExcluded++
			continue
		}
		c, err := lookup(p.beaconID)
		if err != nil {
			return nil, err
		}
		reason := NotOnChain
		if v, ok := c.verdicts[p.witness]; c.found && ok {
			reason = v
			if p.replayHeight > 0 && c.height <= p.replayHeight {
				// The original's verdict: the PoC was opened, with the
				// original report, before the replay (the chain ignores a
				// copy of a report it holds).
				reason = NotOnChain
			}
		}
		s.Witnesses++
		s.WitnessVerdicts[reason]++
		switch {
		case p.kind != Honest:
			s.Cheating.add(reason)
			if s.CheatingByKind[p.kind] == nil {
				s.CheatingByKind[p.kind] = &Figures{}
			}
			s.CheatingByKind[p.kind].add(reason)
		case p.cheatBeaconer:
			s.HonestOfCheaters.add(reason)
		default:
			s.Honest.add(reason)
		}
	}
	if err := r.summariseRewards(ctx, s); err != nil {
		return nil, err
	}
	s.Honest.finish()
	s.HonestOfCheaters.finish()
	s.Cheating.finish()
	for _, f := range s.CheatingByKind {
		f.finish()
	}
	return s, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func fmtReasons(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Print writes the human summary.
func (s *Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "\n=== PoC simulation summary (%.0f s, %d hotspots) ===\n", s.DurationSec, s.Hotspots)
	var kinds []string
	for k, n := range s.Kinds {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "fleet:      %s\n", strings.Join(kinds, ", "))
	fmt.Fprintf(w, "beacons:    %d measured, %d valid; verdicts: %s\n", s.Beacons, s.BeaconsValid, fmtReasons(s.BeaconVerdicts))
	fmt.Fprintf(w, "witnesses:  %d measured reports; verdicts: %s\n", s.Witnesses, fmtReasons(s.WitnessVerdicts))
	line := func(name string, f Figures) {
		fmt.Fprintf(w, "%-34s %5d reports, accepted %6.2f%%, rejected (not distance) %6.2f%%; rejected: %s\n",
			name, f.Reports, 100*f.AcceptedShare, 100*f.RejectedOtherShare, fmtReasons(f.Rejected))
	}
	line("honest witnesses:", s.Honest)
	line("honest, of cheaters' beacons:", s.HonestOfCheaters)
	line("cheating witnesses:", s.Cheating)
	var ks []string
	for k := range s.CheatingByKind {
		ks = append(ks, string(k))
	}
	sort.Strings(ks)
	for _, k := range ks {
		line("  "+k+":", *s.CheatingByKind[Kind(k)])
	}
	fmt.Fprintf(w, "warm-up reports not counted: %d; publish errors: %d\n", s.WarmupExcluded, s.PublishErrors)
	p := s.Payouts
	fmt.Fprintf(w, "payouts:    epochs %d..%d settled during the run: %d, paid out %d; owner paid %.4f HNT during the run\n",
		p.StartSettledEpoch+1, p.EndSettledEpoch, p.EpochsSettled, p.EpochsPaidOut, bonesToHNT(p.OwnerPaidEnd-p.OwnerPaidStart))
	fmt.Fprintf(w, "earnings:   honest hotspots (%d) %.4f HNT on average, best %.4f\n", s.HonestHotspots, s.HonestEarnedAvgHNT, s.HonestEarnedMaxHNT)
	if s.Adversaries == nil {
		return
	}
	fmt.Fprintf(w, "adversaries (sybil keys' real hotspot earned %.4f HNT):\n", s.SybilHostEarnedHNT)
	for _, k := range AdversaryKinds {
		f := s.Adversaries[k]
		if f == nil {
			continue
		}
		fmt.Fprintf(w, "  %-17s %6d sent, %5d ingest-accepted beacons, %4d accepted on chain, %d hotspots earned %.4f HNT; %s",
			k+":", f.Sent, f.IngestAccepted, f.Accepted, f.Hotspots, f.EarnedHNT, fmtReasons(f.Outcomes))
		if len(f.Observed) > 0 {
			fmt.Fprintf(w, "; observed: %s", fmtReasons(f.Observed))
		}
		fmt.Fprintln(w)
	}
}
