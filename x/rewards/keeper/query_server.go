package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/rewards/types"
)

type queryServer struct{ k *Keeper }

// NewQueryServerImpl returns the x/rewards Query service.
func NewQueryServerImpl(k *Keeper) types.QueryServer { return queryServer{k: k} }

var _ types.QueryServer = queryServer{}

// EpochRewards returns an epoch's settlement.
func (q queryServer) EpochRewards(ctx context.Context, req *types.QueryEpochRewardsRequest) (*types.QueryEpochRewardsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "epoch is required")
	}
	er, err := q.k.EpochRewards.Get(ctx, req.Epoch)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, types.ErrNotSettled.Wrapf("epoch %d", req.Epoch)
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryEpochRewardsResponse{Rewards: er}, nil
}

// HotspotRewards pages through a hotspot's paid epochs, oldest first.
func (q queryServer) HotspotRewards(ctx context.Context, req *types.QueryHotspotRewardsRequest) (*types.QueryHotspotRewardsResponse, error) {
	if req == nil || req.Hotspot == "" {
		return nil, status.Error(codes.InvalidArgument, "hotspot is required")
	}
	out, page, err := query.CollectionPaginate(ctx, q.k.HotspotRewards, req.Pagination,
		func(_ collections.Pair[string, int64], r types.HotspotReward) (types.HotspotReward, error) {
			return r, nil
		},
		query.WithCollectionPaginationPairPrefix[string, int64](req.Hotspot))
	if err != nil {
		return nil, err
	}
	return &types.QueryHotspotRewardsResponse{Rewards: out, Pagination: page}, nil
}

// OwnerRewards is what an account was paid, and what its hotspots are owed
// from epochs settled but still being paid out.
func (q queryServer) OwnerRewards(ctx context.Context, req *types.QueryOwnerRewardsRequest) (*types.QueryOwnerRewardsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "owner is required")
	}
	owner, err := q.k.addressCodec.StringToBytes(req.Owner)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "owner: %v", err)
	}
	paid, err := q.k.OwnerPaid.Get(ctx, req.Owner)
	if errors.Is(err, collections.ErrNotFound) {
		paid, err = sdkmath.ZeroInt(), nil
	}
	if err != nil {
		return nil, err
	}
	owed := sdkmath.ZeroInt()
	hotspots, err := q.k.hotspots.HotspotsOf(ctx, owner)
	if err != nil {
		return nil, err
	}
	it, err := q.k.Payouts.Iterate(ctx, nil)
	if err != nil {
		return nil, err
	}
	cursors, err := it.Values()
	if err != nil {
		return nil, err
	}
	for _, cur := range cursors {
		er, err := q.k.EpochRewards.Get(ctx, cur.Epoch)
		if err != nil {
			return nil, err
		}
		for _, h := range hotspots {
			if done, err := q.k.HotspotRewards.Has(ctx, collections.Join(h, cur.Epoch)); err != nil || done {
				if err != nil {
					return nil, err
				}
				continue
			}
			sh, err := q.k.poc.HotspotShares(ctx, cur.Epoch, h)
			if err != nil {
				return nil, err
			}
			b, w := amounts(er, sh)
			owed = owed.Add(b).Add(w)
		}
	}
	return &types.QueryOwnerRewardsResponse{Paid: paid, Owed: owed}, nil
}

// Emission answers "emission of epoch E" and "minted so far".
func (q queryServer) Emission(ctx context.Context, req *types.QueryEmissionRequest) (*types.QueryEmissionResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	last, err := q.k.LastSettled.Get(ctx)
	if err != nil {
		return nil, err
	}
	minted, err := q.k.Minted.Get(ctx)
	if err != nil {
		return nil, err
	}
	epoch := req.GetEpoch()
	if epoch <= 0 {
		epoch = last + 1
	}
	secs, err := q.k.epochSeconds(ctx, p)
	if err != nil {
		return nil, err
	}
	return &types.QueryEmissionResponse{
		Epoch: epoch, Emission: p.EpochEmission(epoch, secs), Minted: minted,
		LastSettledEpoch: last, NextHalvingEpoch: p.NextHalvingEpoch(epoch, secs),
	}, nil
}

// Params returns the parameters.
func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryParamsResponse{Params: p}, nil
}
