package types

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
	for _, p := range gs.Pocs {
		if len(p.BeaconId) != 32 || p.Seq == 0 || p.Seq >= gs.NextSeq {
			return ErrInvalidGenesis.Wrapf("bad poc record seq %d", p.Seq)
		}
	}
	return nil
}
