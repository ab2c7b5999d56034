package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/rewards/types"
)

// OldestQueuedPayout is the lowest epoch with a payout cursor, whatever
// order they were queued in; none when every epoch is paid out.
func TestOldestQueuedPayoutIsTheLowestQueuedEpoch(t *testing.T) {
	f := setup(t)
	_, queued, err := f.k.OldestQueuedPayout(f.ctx)
	require.NoError(t, err)
	require.False(t, queued)
	for _, e := range []int64{5, 2, 9} {
		require.NoError(t, f.k.Payouts.Set(f.ctx, e, types.PayoutCursor{Epoch: e}))
	}
	oldest, queued, err := f.k.OldestQueuedPayout(f.ctx)
	require.NoError(t, err)
	require.True(t, queued)
	require.Equal(t, int64(2), oldest)
}
