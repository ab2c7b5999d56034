package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// HotspotsInCell lists the hotspots whose res-12 location lies inside cell
// (any resolution 0..12), in H3 path order, with one range scan of the cell
// index.
func (q queryServer) HotspotsInCell(ctx context.Context, req *types.QueryHotspotsInCellRequest) (*types.QueryHotspotsInCellResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "cell is required")
	}
	if err := types.CheckPage(req.Pagination); err != nil {
		return nil, err
	}
	cell, err := types.ParseCell(req.Cell)
	if err != nil {
		return nil, err
	}
	if cell.Resolution() > types.LocationResolution {
		return nil, types.ErrWrongResolution.Wrapf("cell %s has resolution %d; hotspots are located at resolution %d, so query 0..%d",
			cell, cell.Resolution(), types.LocationResolution, types.LocationResolution)
	}
	lo, hi := cell.DescendantKeyRange()
	idx := boundedIndex[uint64]{m: q.k.Hotspots.Indexes.Cell, lo: uint64RawBound(lo), hi: uint64RawBound(hi + 1)}
	out, pageRes, err := query.CollectionPaginate(ctx, idx, req.Pagination,
		func(key collections.Pair[uint64, string], _ collections.NoValue) (types.Hotspot, error) {
			return q.k.Hotspots.Get(ctx, key.K2())
		})
	if err != nil {
		return nil, err
	}
	return &types.QueryHotspotsInCellResponse{Hotspots: out, Pagination: pageRes}, nil
}
