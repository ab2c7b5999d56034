package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// Hotspots pages through all hotspots, one owner's (owner index) or one
// region's (region index); with both filters it walks the owner index and
// keeps the region's.
func (q queryServer) Hotspots(ctx context.Context, req *types.QueryHotspotsRequest) (*types.QueryHotspotsResponse, error) {
	if req == nil {
		req = &types.QueryHotspotsRequest{}
	}
	if err := types.CheckPage(req.Pagination); err != nil {
		return nil, err
	}
	load := func(pk string) (types.Hotspot, error) { return q.k.Hotspots.Get(ctx, pk) }
	var (
		out     []types.Hotspot
		pageRes *query.PageResponse
		err     error
	)
	switch {
	case req.Owner != "":
		owner, aerr := q.k.addressCodec.StringToBytes(req.Owner)
		if aerr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "owner: %v", aerr)
		}
		out, pageRes, err = query.CollectionFilteredPaginate(ctx,
			boundedIndex[sdk.AccAddress]{m: q.k.Hotspots.Indexes.Owner}, req.Pagination,
			func(key collections.Pair[sdk.AccAddress, string], _ collections.NoValue) (bool, error) {
				if req.Region == "" {
					return true, nil
				}
				h, err := load(key.K2())
				return h.Region == req.Region, err
			},
			func(key collections.Pair[sdk.AccAddress, string], _ collections.NoValue) (types.Hotspot, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[sdk.AccAddress, string](owner))
	case req.Region != "":
		out, pageRes, err = query.CollectionPaginate(ctx,
			boundedIndex[string]{m: q.k.Hotspots.Indexes.Region}, req.Pagination,
			func(key collections.Pair[string, string], _ collections.NoValue) (types.Hotspot, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[string, string](req.Region))
	default:
		out, pageRes, err = query.CollectionPaginate(ctx, q.k.Hotspots, req.Pagination,
			func(_ string, h types.Hotspot) (types.Hotspot, error) { return h, nil })
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryHotspotsResponse{Hotspots: out, Pagination: pageRes}, nil
}
