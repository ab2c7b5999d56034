package keeper

import (
	"context"

	"github.com/uber/h3-go/v4"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// HexScale returns a cell's current scale and its ancestors' counts.
func (q queryServer) HexScale(ctx context.Context, req *types.QueryHexScaleRequest) (*types.QueryHexScaleResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "cell is required")
	}
	cell, err := hotspottypes.ParseCell(req.Cell)
	if err != nil {
		return nil, err
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	table, err := q.k.hexTable(ctx, p)
	if err != nil {
		return nil, err
	}
	minRes := int(table[0].Res)
	if cell.Resolution() < minRes {
		return nil, status.Errorf(codes.InvalidArgument, "cell resolution must be at least %d", minRes)
	}
	scale, err := q.k.scaleOf(ctx, p, uint64(cell))
	if err != nil {
		return nil, err
	}
	gen, err := q.k.hexGeneration(ctx)
	if err != nil {
		return nil, err
	}
	res := &types.QueryHexScaleResponse{Scale: scale}
	for r := min(cell.Resolution(), verify.PopulationResolution); r >= int(table[len(table)-1].Res); r-- {
		a, err := h3.Cell(uint64(cell)).Parent(r)
		if err != nil {
			return nil, err
		}
		hc, found, err := q.k.hexCount(ctx, gen, uint64(a))
		if err != nil {
			return nil, err
		}
		if found {
			res.Counts = append(res.Counts, hc)
		}
	}
	if e, err := q.k.HexEpoch.Get(ctx); err == nil {
		res.ComputedEpoch = e
	}
	return res, nil
}
