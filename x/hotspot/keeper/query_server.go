package keeper

import (
	"context"
	"encoding/binary"

	"cosmossdk.io/collections"
	collcodec "cosmossdk.io/collections/codec"
	"cosmossdk.io/collections/indexes"

	"github.com/pocnet/pocd/x/hotspot/types"
)

type queryServer struct{ k *Keeper }

// NewQueryServerImpl returns the x/hotspot Query service; one file per query.
func NewQueryServerImpl(k *Keeper) types.QueryServer { return queryServer{k: k} }

var _ types.QueryServer = queryServer{}

// boundedIndex adapts a Multi index to query.Collection so it can be paginated
// with query.CollectionFilteredPaginate, clamped to the raw key range [lo, hi).
// nil bounds mean unbounded.
type boundedIndex[R any] struct {
	m      *indexes.Multi[R, string, types.Hotspot]
	lo, hi []byte
}

func (b boundedIndex[R]) IterateRaw(ctx context.Context, start, end []byte, order collections.Order) (collections.Iterator[collections.Pair[R, string], collections.NoValue], error) {
	if b.lo != nil && (start == nil || string(start) < string(b.lo)) {
		start = b.lo
	}
	if b.hi != nil && (end == nil || string(end) > string(b.hi)) {
		end = b.hi
	}
	it, err := b.m.IterateRaw(ctx, start, end, order)
	return collections.Iterator[collections.Pair[R, string], collections.NoValue](it), err
}

func (b boundedIndex[R]) KeyCodec() collcodec.KeyCodec[collections.Pair[R, string]] {
	return b.m.KeyCodec()
}

// uint64RawBound is the raw encoding of a Pair[uint64, _] key prefix.
func uint64RawBound(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
