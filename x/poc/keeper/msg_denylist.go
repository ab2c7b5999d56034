package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
)

func checkDenylistEntries(hotspots []string, edges []types.Edge) error {
	for _, h := range hotspots {
		if _, err := hotspottypes.PubKeyFromAddress(h); err != nil {
			return types.ErrInvalidDenylist.Wrapf("hotspot %q: %v", h, err)
		}
	}
	for _, e := range edges {
		if e.A == e.B {
			return types.ErrInvalidDenylist.Wrapf("edge (%s, %s) joins a hotspot to itself", e.A, e.B)
		}
		for _, h := range []string{e.A, e.B} {
			if _, err := hotspottypes.PubKeyFromAddress(h); err != nil {
				return types.ErrInvalidDenylist.Wrapf("edge hotspot %q: %v", h, err)
			}
		}
	}
	return nil
}

// AddToDenylist denies hotspots and edges (governance only).
func (s msgServer) AddToDenylist(ctx context.Context, msg *types.MsgAddToDenylist) (*types.MsgAddToDenylistResponse, error) {
	err := s.updateDenylist(ctx, msg.Authority, msg.Hotspots, msg.Edges, true)
	if err != nil {
		return nil, err
	}
	return &types.MsgAddToDenylistResponse{}, nil
}

// RemoveFromDenylist lifts denials (governance only); absent entries are ignored.
func (s msgServer) RemoveFromDenylist(ctx context.Context, msg *types.MsgRemoveFromDenylist) (*types.MsgRemoveFromDenylistResponse, error) {
	err := s.updateDenylist(ctx, msg.Authority, msg.Hotspots, msg.Edges, false)
	if err != nil {
		return nil, err
	}
	return &types.MsgRemoveFromDenylistResponse{}, nil
}

// updateDenylist validates everything, then adds (or removes) every entry.
func (s msgServer) updateDenylist(ctx context.Context, authority string, hotspots []string, edges []types.Edge, add bool) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := sdk.ValidateAuthority(sdkCtx, s.k.authority, authority); err != nil {
		return err
	}
	if err := checkDenylistEntries(hotspots, edges); err != nil {
		return err
	}
	for _, h := range hotspots {
		var err error
		if add {
			err = s.k.DeniedHotspots.Set(ctx, h)
		} else {
			err = s.k.DeniedHotspots.Remove(ctx, h)
		}
		if err != nil {
			return err
		}
	}
	for _, e := range edges {
		c := types.CanonicalEdge(e.A, e.B)
		key := collections.Join(c.A, c.B)
		var err error
		if add {
			err = s.k.DeniedEdges.Set(ctx, key)
		} else {
			err = s.k.DeniedEdges.Remove(ctx, key)
		}
		if err != nil {
			return err
		}
	}
	ev := &types.EventDenylistUpdated{}
	if add {
		ev.AddedHotspots, ev.AddedEdges = hotspots, edgePtrs(edges)
	} else {
		ev.RemovedHotspots, ev.RemovedEdges = hotspots, edgePtrs(edges)
	}
	return sdkCtx.EventManager().EmitTypedEvent(ev)
}

func edgePtrs(es []types.Edge) []*types.Edge {
	out := make([]*types.Edge, len(es))
	for i := range es {
		out[i] = &es[i]
	}
	return out
}
