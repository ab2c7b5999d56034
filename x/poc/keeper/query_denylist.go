package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/x/poc/types"
)

// Denylist pages through denied hotspots; edges are listed in full (they
// are few and set by governance).
func (q queryServer) Denylist(ctx context.Context, req *types.QueryDenylistRequest) (*types.QueryDenylistResponse, error) {
	if req == nil {
		req = &types.QueryDenylistRequest{}
	}
	hotspots, page, err := query.CollectionPaginate(ctx, q.k.DeniedHotspots, req.Pagination,
		func(h string, _ collections.NoValue) (string, error) { return h, nil })
	if err != nil {
		return nil, err
	}
	res := &types.QueryDenylistResponse{Hotspots: hotspots, Pagination: page}
	err = q.k.DeniedEdges.Walk(ctx, nil, func(e collections.Pair[string, string]) (bool, error) {
		res.Edges = append(res.Edges, types.Edge{A: e.K1(), B: e.K2()})
		return false, nil
	})
	return res, err
}
