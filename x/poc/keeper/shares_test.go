package keeper_test

import (
	"testing"

	"cosmossdk.io/collections"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// SharesAfter is how x/rewards pays an epoch a batch per block: pages follow
// each other by the last address, in address order, and stay in the epoch.
func TestSharesAfterPagesOneEpochInAddressOrder(t *testing.T) {
	f := setup(t)
	addrs := []string{"hs-a", "hs-b", "hs-c", "hs-d", "hs-e"}
	for i, a := range addrs {
		// written out of order: the store, not the writer, orders them
		a = addrs[len(addrs)-1-i]
		require.NoError(t, f.k.Shares.Set(f.ctx, collections.Join(int64(3), a), types.RewardShares{Hotspot: a, Epoch: 3, BeaconShares: uint64(i + 1)}))
	}
	for _, a := range []string{"hs-0", "hs-z"} { // the epochs either side
		require.NoError(t, f.k.Shares.Set(f.ctx, collections.Join(int64(2), a), types.RewardShares{Hotspot: a, Epoch: 2}))
		require.NoError(t, f.k.Shares.Set(f.ctx, collections.Join(int64(4), a), types.RewardShares{Hotspot: a, Epoch: 4}))
	}
	var pages [][]string
	after := ""
	for n := 0; n < 5; n++ {
		page, err := f.k.SharesAfter(f.ctx, 3, after, 2)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		var names []string
		for _, sh := range page {
			require.Equal(t, int64(3), sh.Epoch)
			names = append(names, sh.Hotspot)
		}
		pages = append(pages, names)
		after = page[len(page)-1].Hotspot
	}
	require.Equal(t, [][]string{{"hs-a", "hs-b"}, {"hs-c", "hs-d"}, {"hs-e"}}, pages)
}
