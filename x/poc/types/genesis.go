package types

import "bytes"

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
	}
	return nil
}
