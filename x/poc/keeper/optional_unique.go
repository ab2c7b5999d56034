package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	collcodec "cosmossdk.io/collections/codec"
)

// optionalUnique is a unique index on a string field that may be empty: a
// value whose field is "" is not indexed. (indexes.Unique would index "" too,
// so only one value could leave the field empty.)
type optionalUnique[PrimaryKey, Value any] struct {
	refKey func(PrimaryKey, Value) string
	refs   collections.Map[string, PrimaryKey]
}

func newOptionalUnique[PrimaryKey, Value any](sb *collections.SchemaBuilder, prefix collections.Prefix, name string,
	pkCodec collcodec.KeyCodec[PrimaryKey], refKey func(PrimaryKey, Value) string,
) *optionalUnique[PrimaryKey, Value] {
	return &optionalUnique[PrimaryKey, Value]{
		refKey: refKey,
		refs:   collections.NewMap(sb, prefix, name, collections.StringKey, collcodec.KeyToValueCodec(pkCodec)),
	}
}

// Reference implements collections.Index: it drops the old value's
// reference and adds the new one's, refusing one another key holds.
func (i *optionalUnique[PrimaryKey, Value]) Reference(ctx context.Context, pk PrimaryKey, newValue Value, lazyOldValue func() (Value, error)) error {
	old, err := lazyOldValue()
	switch {
	case err == nil:
		if err := i.unreference(ctx, pk, old); err != nil {
			return err
		}
	case errors.Is(err, collections.ErrNotFound):
	default:
		return err
	}
	ref := i.refKey(pk, newValue)
	if ref == "" {
		return nil
	}
	if has, err := i.refs.Has(ctx, ref); err != nil {
		return err
	} else if has {
		return fmt.Errorf("%w: index uniqueness constraint violation: %s", collections.ErrConflict, ref)
	}
	return i.refs.Set(ctx, ref, pk)
}

// Unreference implements collections.Index.
func (i *optionalUnique[PrimaryKey, Value]) Unreference(ctx context.Context, pk PrimaryKey, getValue func() (Value, error)) error {
	v, err := getValue()
	if err != nil {
		return err
	}
	return i.unreference(ctx, pk, v)
}

func (i *optionalUnique[PrimaryKey, Value]) unreference(ctx context.Context, pk PrimaryKey, v Value) error {
	if ref := i.refKey(pk, v); ref != "" {
		return i.refs.Remove(ctx, ref)
	}
	return nil
}

// MatchExact returns the primary key whose value has ref, or
// collections.ErrNotFound.
func (i *optionalUnique[PrimaryKey, Value]) MatchExact(ctx context.Context, ref string) (PrimaryKey, error) {
	if ref == "" {
		var zero PrimaryKey
		return zero, collections.ErrNotFound
	}
	return i.refs.Get(ctx, ref)
}

// Walk visits the indexed references in key order.
func (i *optionalUnique[PrimaryKey, Value]) Walk(ctx context.Context, walk func(ref string, pk PrimaryKey) (stop bool, err error)) error {
	return i.refs.Walk(ctx, nil, walk)
}
