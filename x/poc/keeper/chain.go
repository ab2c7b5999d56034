package keeper

import (
	"bytes"
	"errors"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// chainView implements verify.Chain over the store at ctx. Store errors
// other than "not found" are kept and reported after judging, so a broken
// store fails the transaction instead of yielding a wrong verdict.
type chainView struct {
	k   *Keeper
	ctx sdk.Context
	err error
}

func (c *chainView) fail(err error) {
	if err != nil && !errors.Is(err, collections.ErrNotFound) && c.err == nil {
		c.err = err
	}
}

func (c *chainView) Hotspot(pubkey []byte) (verify.Hotspot, bool) {
	addr, err := hotspottypes.HotspotAddress(pubkey)
	if err != nil {
		return verify.Hotspot{}, false
	}
	h, err := c.k.hotspots.GetHotspot(c.ctx, addr)
	if err != nil {
		if !errors.Is(err, hotspottypes.ErrHotspotNotFound) {
			c.fail(err)
		}
		return verify.Hotspot{}, false
	}
	return types.VerifyHotspot(h), true
}

// registered reports whether pubkey is a registered hotspot's key (a store
// error is kept in err, as for Hotspot).
func (c *chainView) registered(pubkey []byte) bool {
	_, ok := c.Hotspot(pubkey)
	return ok
}

func (c *chainView) RegionPlan(region string) (verify.RegionPlan, bool) {
	rp, ok, err := c.k.hotspots.RegionPlan(c.ctx, region)
	c.fail(err)
	if !ok {
		return verify.RegionPlan{}, false
	}
	return types.VerifyRegionPlan(rp), true
}

func (c *chainView) Denied(address string) bool {
	ok, err := c.k.DeniedHotspots.Has(c.ctx, address)
	c.fail(err)
	return ok
}

func (c *chainView) DeniedEdge(a, b string) bool {
	e := types.CanonicalEdge(a, b)
	ok, err := c.k.DeniedEdges.Has(c.ctx, collections.Join(e.A, e.B))
	c.fail(err)
	return ok
}

func (c *chainView) EntropyTimeMs(height int64, hash []byte) (int64, bool) {
	e, err := c.k.Entropy.Get(c.ctx, height)
	c.fail(err)
	if err != nil || !bytes.Equal(e.Hash, hash) {
		return 0, false
	}
	return e.TimeMs, true
}

func (c *chainView) activity(address string) (types.HotspotActivity, bool) {
	a, err := c.k.Activity.Get(c.ctx, address)
	c.fail(err)
	return a, err == nil
}

func (c *chainView) LastBeaconBucket(address string) (int64, bool) {
	a, ok := c.activity(address)
	return a.LastBeaconBucket, ok && a.HasBucket
}

func (c *chainView) LastWitnessMs(address string) (int64, bool) {
	a, ok := c.activity(address)
	return a.LastWitnessMs, ok && a.LastWitnessMs != 0
}

func (c *chainView) LastBeaconMs(address string) (int64, bool) {
	a, ok := c.activity(address)
	return a.LastBeaconMs, ok && a.LastBeaconMs != 0
}
