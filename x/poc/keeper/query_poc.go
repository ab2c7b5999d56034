package keeper

import (
	"context"
	"encoding/hex"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/poc/types"
)

// Poc returns a beacon's verdict with all its witness verdicts.
func (q queryServer) Poc(ctx context.Context, req *types.QueryPocRequest) (*types.QueryPocResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "beacon_id is required")
	}
	id, err := hex.DecodeString(req.BeaconId)
	if err != nil || len(id) != 32 {
		return nil, status.Error(codes.InvalidArgument, "beacon_id must be 32 bytes of hex")
	}
	rec, err := q.k.Pocs.Get(ctx, id)
	if isNotFound(err) {
		return nil, types.ErrPocNotFound.Wrapf("no beacon %s", req.BeaconId)
	} else if err != nil {
		return nil, err
	}
	res := &types.QueryPocResponse{Poc: rec}
	it, err := q.k.Witnesses.Iterate(ctx, collections.NewSuperPrefixedTripleRange[string, uint64, string](rec.Beaconer, rec.Seq))
	if err != nil {
		return nil, err
	}
	res.Witnesses, err = it.Values()
	return res, err
}
