package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/poc/types"
)

// RewardShares returns a hotspot's shares in an epoch (zero if none).
func (q queryServer) RewardShares(ctx context.Context, req *types.QueryRewardSharesRequest) (*types.QueryRewardSharesResponse, error) {
	if req == nil || req.Hotspot == "" {
		return nil, status.Error(codes.InvalidArgument, "hotspot is required")
	}
	sh, err := q.k.Shares.Get(ctx, collections.Join(req.Epoch, req.Hotspot))
	if isNotFound(err) {
		sh, err = types.RewardShares{Hotspot: req.Hotspot, Epoch: req.Epoch}, nil
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryRewardSharesResponse{Shares: sh}, nil
}
