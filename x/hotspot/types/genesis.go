package types

import "github.com/pocnet/pocd/geo"

// DefaultGenesis has the default parameters and no hotspots.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams()}
}

// Validate checks parameters and every hotspot, and that keys, addresses and
// names are consistent and unique.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	seen := make(map[string]bool, len(gs.Hotspots))
	for i, h := range gs.Hotspots {
		addr, err := HotspotAddress(h.Pubkey)
		if err != nil {
			return ErrInvalidGenesis.Wrapf("hotspot %d: %v", i, err)
		}
		if addr != h.Address {
			return ErrInvalidGenesis.Wrapf("hotspot %d: address %s does not match its key (%s)", i, h.Address, addr)
		}
		if h.Name != HotspotName(h.Pubkey) {
			return ErrInvalidGenesis.Wrapf("hotspot %s: name %q does not match its key", h.Address, h.Name)
		}
		if seen[addr] {
			return ErrInvalidGenesis.Wrapf("hotspot %s listed twice", addr)
		}
		seen[addr] = true
		if err := CheckMode(h.Mode); err != nil {
			return ErrInvalidGenesis.Wrapf("hotspot %s: %v", addr, err)
		}
		if h.Owner == "" {
			return ErrInvalidGenesis.Wrapf("hotspot %s has no owner", addr)
		}
		if h.Location != "" {
			cell, err := ParseLocation(h.Location)
			if err != nil {
				return ErrInvalidGenesis.Wrapf("hotspot %s: %v", addr, err)
			}
			if c := geo.CellCenter(uint64(cell)); h.LocationCenter != (Vec3{X: c.X, Y: c.Y, Z: c.Z}) {
				return ErrInvalidGenesis.Wrapf("hotspot %s: location_center does not match %s", addr, h.Location)
			}
			if _, ok := gs.Params.RegionPlan(h.Region); !ok {
				return ErrInvalidGenesis.Wrapf("hotspot %s: region %q not in params", addr, h.Region)
			}
		}
	}
	return nil
}
