package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/poc/types"
)

// PocsByBeaconer pages through a hotspot's beacons, oldest first.
func (q queryServer) PocsByBeaconer(ctx context.Context, req *types.QueryPocsByBeaconerRequest) (*types.QueryPocsByBeaconerResponse, error) {
	if req == nil || req.Hotspot == "" {
		return nil, status.Error(codes.InvalidArgument, "hotspot is required")
	}
	out, page, err := query.CollectionPaginate(ctx, q.k.PocsByBeaconer, req.Pagination,
		func(_ collections.Pair[string, uint64], id []byte) (types.PocRecord, error) {
			return q.k.Pocs.Get(ctx, id)
		},
		query.WithCollectionPaginationPairPrefix[string, uint64](req.Hotspot))
	if err != nil {
		return nil, err
	}
	return &types.QueryPocsByBeaconerResponse{Pocs: out, Pagination: page}, nil
}
