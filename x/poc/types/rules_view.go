package types

import (
	"github.com/pocnet/pocd/geo"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// VerifyHotspot maps a registry entry to what the rules need. The keeper
// judges with it; ingest applies the beacon rules with it at admission.
func VerifyHotspot(h hotspottypes.Hotspot) verify.Hotspot {
	v := verify.Hotspot{
		Address: h.Address, DataOnly: h.Mode == hotspottypes.HOTSPOT_MODE_DATA_ONLY,
		Gain: h.Gain, Region: h.Region,
	}
	if h.Location != "" {
		if cell, err := hotspottypes.ParseLocation(h.Location); err == nil {
			v.Asserted, v.Location = true, uint64(cell)
			v.Center = geo.Vec3{X: h.LocationCenter.X, Y: h.LocationCenter.Y, Z: h.LocationCenter.Z}
		}
	}
	return v
}

// VerifyRegionPlan maps a region plan to what the packet checks use.
func VerifyRegionPlan(rp hotspottypes.RegionPlan) verify.RegionPlan {
	return verify.RegionPlan{Channels: rp.ChannelFrequenciesHz, DataRate: rp.DataRate, MaxEIRPDdbm: rp.MaxEirpDdbm}
}
