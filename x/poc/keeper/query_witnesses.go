package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/poc/types"
)

// Witnesses pages through who witnessed a hotspot's beacons, oldest first.
func (q queryServer) Witnesses(ctx context.Context, req *types.QueryWitnessesRequest) (*types.QueryWitnessesResponse, error) {
	if req == nil || req.Hotspot == "" {
		return nil, status.Error(codes.InvalidArgument, "hotspot is required")
	}
	out, page, err := query.CollectionPaginate(ctx, q.k.Witnesses, req.Pagination,
		func(_ collections.Triple[string, uint64, string], w types.WitnessRecord) (types.WitnessRecord, error) {
			return w, nil
		},
		withHotspotPrefix(req.Hotspot))
	if err != nil {
		return nil, err
	}
	return &types.QueryWitnessesResponse{Witnesses: out, Pagination: page}, nil
}
