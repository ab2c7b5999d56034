package forwarder

import (
	"context"

	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// SettledEntropy is the bridge's Config.Entropy: the entropy of the block
// before the newest the node reports, or the newest if that one is not
// there (the chain's first recorded block, or a failed query).
//
// A beacon goes on air before its report reaches the validators, and the
// witnesses' reports follow it by a fraction of a second. A validator
// whose node has not committed the beacon's entropy block yet answers
// RETRY (ingest: entropy_ahead) and takes the beacon only on a later try,
// possibly after the 2 s a witness report waits for its beacon: those
// witnesses would be lost. The node's newest block H was committed after
// more than two thirds of the validators voted for it, and a validator
// votes on H only once it has committed H-1: so H-1 is already in the
// state of most validators' nodes when the beacon goes out, and any node
// within a block of the chain. One block older costs nothing: the entropy
// lifespan is 3 minutes, blocks are seconds apart.
func SettledEntropy(q poctypes.QueryClient) func(ctx context.Context) (poctypes.BlockEntropy, error) {
	return func(ctx context.Context) (poctypes.BlockEntropy, error) {
		res, err := q.Entropy(ctx, &poctypes.QueryEntropyRequest{})
		if err != nil {
			return poctypes.BlockEntropy{}, err
		}
		newest := res.Entropy
		if newest.Height <= 1 {
			return newest, nil
		}
		prev, err := q.Entropy(ctx, &poctypes.QueryEntropyRequest{Height: newest.Height - 1})
		if err != nil || prev.Entropy.Height != newest.Height-1 || len(prev.Entropy.Hash) == 0 {
			return newest, nil
		}
		return prev.Entropy, nil
	}
}
