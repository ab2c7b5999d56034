package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

func isNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// scaleOf is a location's transmit scale from the stored hex counts, read
// with the table they were built with.
func (k *Keeper) scaleOf(ctx context.Context, p types.Params, location uint64) (uint32, error) {
	gen, err := k.hexGeneration(ctx)
	if err != nil {
		return 0, err
	}
	table, err := k.hexTable(ctx, p)
	if err != nil {
		return 0, err
	}
	var storeErr error
	s := verify.ScaleFromCounts(types.VerifyHexTable(table), location, func(cell uint64) (verify.HexCount, bool) {
		hc, found, err := k.hexCount(ctx, gen, cell)
		if err != nil && storeErr == nil {
			storeErr = err
		}
		if !found {
			return verify.HexCount{}, false
		}
		return hc.ToVerify(), true
	})
	return s, storeErr
}

// withHotspotPrefix pages only the keys (hotspot, seq, other) of one hotspot:
// the Witnesses and Witnessed indexes share this layout.
func withHotspotPrefix(hotspot string) func(*query.CollectionsPaginateOptions[collections.Triple[string, uint64, string]]) {
	return func(o *query.CollectionsPaginateOptions[collections.Triple[string, uint64, string]]) {
		p := collections.TriplePrefix[string, uint64, string](hotspot)
		o.Prefix = &p
	}
}
