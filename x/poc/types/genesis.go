package types

import (
	"bytes"

	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/x/poc/verify"
)

// DefaultGenesis has default parameters and nothing else.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams(), NextSeq: 1} }

// Validate checks the parameters and entry shapes.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	for _, e := range gs.DeniedEdges {
		if e.A == "" || e.B == "" || e.A == e.B {
			return ErrInvalidGenesis.Wrapf("bad denied edge %v", e)
		}
	}
	validators, accounts, ingestPeers := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range gs.Relayers {
		if r.Validator == "" || r.Relayer == "" || validators[r.Validator] || accounts[r.Relayer] {
			return ErrInvalidGenesis.Wrapf("relayer registrations: one relay account per validator and one validator per account (%s, %s)", r.Validator, r.Relayer)
		}
		validators[r.Validator], accounts[r.Relayer] = true, true
		if err := ValidateIngestPeer(r.IngestPeer); err != nil {
			return ErrInvalidGenesis.Wrapf("relayer registration of %s: %v", r.Validator, err)
		}
		if r.IngestPeer != "" {
			if ingestPeers[r.IngestPeer] {
				return ErrInvalidGenesis.Wrapf("relayer registrations: ingest peer %s registered by two validators", r.IngestPeer)
			}
			ingestPeers[r.IngestPeer] = true
		}
	}
	judged := make(map[string]bool, len(gs.Pocs))
	for _, p := range gs.Pocs {
		judged[string(p.BeaconId)] = true
	}
	for _, o := range gs.OpenPocs {
		id := o.Beacon.ToVerify().ID()
		if !bytes.Equal(o.BeaconId, id[:]) || len(o.Relays) == 0 || o.CloseAtMs <= 0 || judged[string(o.BeaconId)] {
			return ErrInvalidGenesis.Wrapf("open poc %x: the id must be its beacon's, with a relayer and a close time, and not judged", o.BeaconId)
		}
		// Closing does not verify an open PoC's reports again: relaying
		// verified them, and so must the genesis that carries them.
		for i, w := range o.Witnesses {
			if vw := w.WithPayload(o.Beacon.Payload).ToVerify(); !vw.VerifySignature() {
				return ErrInvalidGenesis.Wrapf("open poc %x: witness report %d is not signed by its hotspot", o.BeaconId, i)
			}
		}
	}
	// Record sequence numbers start at 1: with next_seq 0 the first PoC
	// judged after import would get sequence 0, which no export validates.
	if gs.NextSeq == 0 {
		return ErrInvalidGenesis.Wrap("next_seq must be at least 1")
	}
	for _, p := range gs.Pocs {
		if len(p.BeaconId) != 32 || p.Seq == 0 || p.Seq >= gs.NextSeq {
			return ErrInvalidGenesis.Wrapf("bad poc record seq %d", p.Seq)
		}
		if p.Height < 0 {
			return ErrInvalidGenesis.Wrapf("poc record seq %d: negative height", p.Seq)
		}
	}
	return gs.validateHex()
}

// validateHex checks the hex counts and a rebuild in progress: each cell
// once, at the resolution it claims (a rebuild walks one resolution as a
// key range), and a rebuild exported as ExportGenesis writes it.
func (gs GenesisState) validateHex() error {
	if len(gs.HexTable) > 0 {
		if err := ValidateHexParams(gs.HexTable); err != nil {
			return ErrInvalidGenesis.Wrapf("hex_table: %v", err)
		}
	}
	seen := make(map[uint64]bool, len(gs.HexCounts))
	for _, c := range gs.HexCounts {
		if !h3.Cell(c.Cell).IsValid() || h3.Cell(c.Cell).Resolution() != int(c.Res) || seen[c.Cell] {
			return ErrInvalidGenesis.Wrapf("hex count of cell %x: a valid cell at its res, once", c.Cell)
		}
		// A clipped count above the unclipped one would scale above 1.
		if c.Clipped > c.Unclipped || c.Clipped > c.Limit {
			return ErrInvalidGenesis.Wrapf("hex count of cell %x: clipped must not exceed unclipped or limit", c.Cell)
		}
		seen[c.Cell] = true
	}
	staged := make(map[uint64]bool, len(gs.HexStaging))
	var active uint64
	for _, c := range gs.HexStaging {
		if !h3.Cell(c.Cell).IsValid() || h3.Cell(c.Cell).Resolution() != verify.PopulationResolution || c.Count == 0 || staged[c.Cell] ||
			active+c.Count < active {
			return ErrInvalidGenesis.Wrapf("hex staging of cell %x: a valid res-%d cell, once, with a count", c.Cell, verify.PopulationResolution)
		}
		staged[c.Cell] = true
		active += c.Count
	}
	r := gs.HexRebuild
	switch {
	case r == nil && len(gs.HexStaging) > 0:
		return ErrInvalidGenesis.Wrap("hex staging without a rebuild in progress")
	case r == nil:
		return nil
	case r.Cells != uint64(len(gs.HexStaging)) || r.Active != active:
		return ErrInvalidGenesis.Wrap("hex rebuild: cells and active must count the staged res-11 cells and hotspots")
	case r.Stage == HEX_REBUILD_STAGE_WALK:
		return nil
	case r.Stage != HEX_REBUILD_STAGE_SUM || r.Level != 0 || r.CellCursor != 0:
		return ErrInvalidGenesis.Wrap("hex rebuild: a walk, or a roll-up at its start (stage SUM, level 0, no cursor)")
	}
	if err := ValidateHexParams(r.HexParams); err != nil {
		return ErrInvalidGenesis.Wrapf("hex rebuild's table: %v", err)
	}
	return nil
}
