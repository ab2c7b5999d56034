package sim

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	poctypes "github.com/pocnet/pocd/x/poc/types"
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
}

func reasonName(r poctypes.Reason) string {
	return strings.ToLower(strings.TrimPrefix(r.String(), "REASON_"))
}

func (r *runner) summarise(ctx context.Context) (*Summary, error) {
	q := poctypes.NewQueryClient(r.Conn)
	r.mu.Lock()
	beacons := append([]sentBeacon(nil), r.beacons...)
	reports := append([]*published(nil), r.reports...)
	pubErrs := r.pubErrs
	r.mu.Unlock()

	type onChain struct {
		found    bool // judged: an open PoC has no verdicts yet
		reason   string
		height   int64 // the block whose relay opened the PoC
		verdicts map[string]string
	}
	chain := map[[32]byte]*onChain{}
	lookup := func(id [32]byte) (*onChain, error) {
		if c, ok := chain[id]; ok && c.found {
			return c, nil
		}
		res, err := q.Poc(ctx, &poctypes.QueryPocRequest{BeaconId: hex.EncodeToString(id[:])})
		if status.Code(err) == codes.NotFound {
			chain[id] = &onChain{}
			return chain[id], nil
		}
		if err != nil {
			return nil, err
		}
		if res.Open { // relayed; judged when its close grace has passed
			chain[id] = &onChain{}
			return chain[id], nil
		}
		c := &onChain{found: true, reason: reasonName(res.Poc.Reason), height: res.Poc.OpenedHeight, verdicts: map[string]string{}}
		for _, w := range res.Witnesses {
			c.verdicts[w.Witness] = reasonName(w.Reason)
		}
		chain[id] = c
		return c, nil
	}
	// Wait for the measured beacons to be judged (the relayer waits out the
	// witness window first, and the chain judges a PoC close_grace_ms after
	// its first relay).
	deadline := time.Now().Add(r.Drain)
	for {
		missing := 0
		for _, b := range beacons {
			if !b.measured {
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
	for _, b := range beacons {
		if !b.measured {
			continue
		}
		c, err := lookup(b.id)
		if err != nil {
			return nil, err
		}
		s.Beacons++
		reason := NotOnChain
		if c.found {
			reason = c.reason
		}
		s.BeaconVerdicts[reason]++
		if reason == "valid" {
			s.BeaconsValid++
		}
	}
	for _, p := range reports {
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
}
