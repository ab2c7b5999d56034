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
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := sdk.ValidateAuthority(sdkCtx, s.k.authority, msg.Authority); err != nil {
		return nil, err
	}
	if err := checkDenylistEntries(msg.Hotspots, msg.Edges); err != nil {
		return nil, err
	}
	for _, h := range msg.Hotspots {
		if err := s.k.DeniedHotspots.Set(ctx, h); err != nil {
			return nil, err
		}
	}
	for _, e := range msg.Edges {
		c := types.CanonicalEdge(e.A, e.B)
		if err := s.k.DeniedEdges.Set(ctx, collections.Join(c.A, c.B)); err != nil {
			return nil, err
		}
	}
	return &types.MsgAddToDenylistResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventDenylistUpdated{
		AddedHotspots: msg.Hotspots, AddedEdges: edgePtrs(msg.Edges),
	})
}

// RemoveFromDenylist lifts denials (governance only); absent entries are ignored.
func (s msgServer) RemoveFromDenylist(ctx context.Context, msg *types.MsgRemoveFromDenylist) (*types.MsgRemoveFromDenylistResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := sdk.ValidateAuthority(sdkCtx, s.k.authority, msg.Authority); err != nil {
		return nil, err
	}
	if err := checkDenylistEntries(msg.Hotspots, msg.Edges); err != nil {
		return nil, err
	}
	for _, h := range msg.Hotspots {
		if err := s.k.DeniedHotspots.Remove(ctx, h); err != nil {
			return nil, err
		}
	}
	for _, e := range msg.Edges {
		c := types.CanonicalEdge(e.A, e.B)
		if err := s.k.DeniedEdges.Remove(ctx, collections.Join(c.A, c.B)); err != nil {
			return nil, err
		}
	}
	return &types.MsgRemoveFromDenylistResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventDenylistUpdated{
		RemovedHotspots: msg.Hotspots, RemovedEdges: edgePtrs(msg.Edges),
	})
}

func edgePtrs(es []types.Edge) []*types.Edge {
	out := make([]*types.Edge, len(es))
	for i := range es {
		out[i] = &es[i]
	}
	return out
}
