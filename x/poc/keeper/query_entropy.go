package keeper

import (
	"context"

	"github.com/pocnet/pocd/x/poc/types"
)

// Entropy returns the newest block hash hotspots may beacon with.
func (q queryServer) Entropy(ctx context.Context, _ *types.QueryEntropyRequest) (*types.QueryEntropyResponse, error) {
	e, err := q.k.LatestEntropy(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryEntropyResponse{Entropy: e}, nil
}
