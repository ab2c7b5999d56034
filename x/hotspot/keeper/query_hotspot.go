package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// Hotspot looks one hotspot up by address or name.
func (q queryServer) Hotspot(ctx context.Context, req *types.QueryHotspotRequest) (*types.QueryHotspotResponse, error) {
	if req == nil || req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id (address or name) is required")
	}
	h, err := q.k.GetHotspot(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return &types.QueryHotspotResponse{Hotspot: h}, nil
}
