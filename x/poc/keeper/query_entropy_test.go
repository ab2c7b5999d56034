package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// A hotspot that beacons with an older block's hash (and a verifier
// checking one) asks for that height; without a height, or with none, the
// newest hash is the answer.
func TestEntropyQueryAtAHeight(t *testing.T) {
	f := setup(t)
	newer := f.ctx.WithBlockHeight(entropyHeight + 1).WithHeaderHash([]byte("h101-h101-h101-h101-h101-h101-12"))
	require.NoError(t, f.k.BeginBlock(newer))

	at, err := f.query.Entropy(newer, &types.QueryEntropyRequest{Height: entropyHeight})
	require.NoError(t, err)
	require.Equal(t, int64(entropyHeight), at.Entropy.Height)
	require.Equal(t, f.entropy, at.Entropy.Hash)

	for _, req := range []*types.QueryEntropyRequest{nil, {}} {
		latest, err := f.query.Entropy(newer, req)
		require.NoError(t, err)
		require.Equal(t, int64(entropyHeight+1), latest.Entropy.Height)
		require.Equal(t, []byte("h101-h101-h101-h101-h101-h101-12"), latest.Entropy.Hash)
	}

	_, err = f.query.Entropy(newer, &types.QueryEntropyRequest{Height: entropyHeight - 1})
	require.ErrorIs(t, err, types.ErrPocNotFound)
}
