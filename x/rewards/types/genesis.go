package types

import sdkmath "cosmossdk.io/math"

// DefaultGenesis: default parameters, nothing settled.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), Minted: sdkmath.ZeroInt()}
}

// Validate checks parameters and that minted equals the settled emissions.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	if gs.Minted.IsNil() || gs.Minted.IsNegative() {
		return ErrInvalidGenesis.Wrap("minted must be non-negative")
	}
	sum := sdkmath.ZeroInt()
	for _, e := range gs.Epochs {
		if e.Epoch > gs.LastSettledEpoch {
			return ErrInvalidGenesis.Wrapf("epoch %d is after the last settled epoch %d", e.Epoch, gs.LastSettledEpoch)
		}
		sum = sum.Add(e.Emission)
	}
	if !sum.Equal(gs.Minted) {
		return ErrInvalidGenesis.Wrapf("minted %s != sum of epoch emissions %s", gs.Minted, sum)
	}
	return nil
}
