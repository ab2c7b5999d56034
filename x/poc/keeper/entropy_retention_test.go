package keeper_test

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BeginBlock keeps each block's entropy for twice the entropy lifespan
// (a beacon may name entropy up to a lifespan old, and its witnesses arrive
// later) and drops, in one block, every entry older than that.
func TestEntropyIsKeptForTwiceItsLifespan(t *testing.T) {
	f := setup(t)
	p, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	keep := 2 * p.EntropyLifespanMs
	start := f.ctx.BlockTime().UnixMilli() + 1_000

	block := func(h int64, ms int64) {
		t.Helper()
		hash := sha256.Sum256([]byte(fmt.Sprintf("block %d", h)))
		ctx := f.ctx.WithBlockHeight(h).WithBlockTime(time.UnixMilli(ms)).WithHeaderHash(hash[:])
		require.NoError(t, f.k.BeginBlock(ctx))
	}
	has := func(h int64) bool {
		ok, err := f.k.Entropy.Has(f.ctx, h)
		require.NoError(t, err)
		return ok
	}
	block(1000, start)
	block(1001, start+1)
	block(1002, start+keep/2)

	block(1003, start+keep) // 1000 is exactly twice the lifespan old: kept
	require.True(t, has(1000))
	require.True(t, has(1001))

	block(1004, start+keep+2) // 1000 and 1001 are now older: both go at once
	require.False(t, has(1000))
	require.False(t, has(1001))
	require.True(t, has(1002))
	require.True(t, has(1004))
}
