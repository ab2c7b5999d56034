package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/poc/types"
)

// Witnessed pages through whose beacons a hotspot witnessed, oldest first.
func (q queryServer) Witnessed(ctx context.Context, req *types.QueryWitnessedRequest) (*types.QueryWitnessedResponse, error) {
	if req == nil || req.Hotspot == "" {
		return nil, status.Error(codes.InvalidArgument, "hotspot is required")
	}
	out, page, err := query.CollectionPaginate(ctx, q.k.Witnessed, req.Pagination,
		func(key collections.Triple[string, uint64, string], _ collections.NoValue) (types.WitnessRecord, error) {
			return q.k.Witnesses.Get(ctx, collections.Join3(key.K3(), key.K2(), key.K1()))
		},
		withHotspotPrefix(req.Hotspot))
	if err != nil {
		return nil, err
	}
	return &types.QueryWitnessedResponse{Witnessed: out, Pagination: page}, nil
}
