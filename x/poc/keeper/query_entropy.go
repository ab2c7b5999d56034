package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	"github.com/pocnet/pocd/x/poc/types"
)

// Entropy returns the newest block hash hotspots may beacon with, or the
// hash recorded at req.Height while it is still kept (twice the entropy
// lifespan).
func (q queryServer) Entropy(ctx context.Context, req *types.QueryEntropyRequest) (*types.QueryEntropyResponse, error) {
	if req != nil && req.Height > 0 {
		e, err := q.k.Entropy.Get(ctx, req.Height)
		if errors.Is(err, collections.ErrNotFound) {
			return nil, types.ErrPocNotFound.Wrapf("no entropy recorded at height %d", req.Height)
		}
		if err != nil {
			return nil, err
		}
		return &types.QueryEntropyResponse{Entropy: e}, nil
	}
	e, err := q.k.LatestEntropy(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryEntropyResponse{Entropy: e}, nil
}
