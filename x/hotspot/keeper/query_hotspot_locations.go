package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// HotspotLocations pages the cell index in H3 path order, above
// unassertedCellKey, under which the index files hotspots with no location.
// Each entry reads its record for the name.
func (q queryServer) HotspotLocations(ctx context.Context, req *types.QueryHotspotLocationsRequest) (*types.QueryHotspotLocationsResponse, error) {
	var page *query.PageRequest
	if req != nil {
		page = req.Pagination
	}
	if err := types.CheckPage(page); err != nil {
		return nil, err
	}
	out, pageRes, err := query.CollectionPaginate(ctx, boundedIndex[uint64]{m: q.k.Hotspots.Indexes.Cell, lo: uint64RawBound(unassertedCellKey + 1)}, page,
		func(key collections.Pair[uint64, string], _ collections.NoValue) (types.HotspotLocation, error) {
			h, err := q.k.Hotspots.Get(ctx, key.K2())
			if err != nil {
				return types.HotspotLocation{}, err
			}
			return types.HotspotLocation{Address: h.Address, Name: h.Name, Location: h.Location}, nil
		})
	if err != nil {
		return nil, err
	}
	return &types.QueryHotspotLocationsResponse{Locations: out, Pagination: pageRes}, nil
}
