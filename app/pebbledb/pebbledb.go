// Package pebbledb is the application database on pebble with a block cache
// the operator sizes.
//
// The SDK opens the application database through cosmos-db, whose pebble
// backend leaves pebble's block cache at its 8 MB default. Every IAVL node
// the node cache misses is then a read of an sstable block from the page
// cache, decompressed again each time: a million-hotspot state read 950 GB
// that way in one benchmark run (docs/benchmarks.md, "Growth"). This
// package is cosmos-db v1.1.3's pebble backend (Apache-2.0) with the cache
// as a parameter, so the files on disk are the same and either can open
// them. Left out: cosmos-db's ForceSync link-time flag (every write synced),
// which nothing here sets. Like cosmos-db's, it discards pebble's info log.
package pebbledb

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/vfs"

	dbm "github.com/cosmos/cosmos-db"
)

// The errors cosmos-db's backends return for the same misuse.
var (
	ErrKeyEmpty    = errors.New("key cannot be empty")
	ErrValueNil    = errors.New("value cannot be nil")
	ErrBatchClosed = errors.New("batch has been written or closed")
)

// DefaultCacheBytes is the node's block cache unless app.toml says
// otherwise (app-db.pebble-cache-mb): 1 GiB, filled only by what is read.
// At 100,000 hotspots it halved the genesis export and took a third off the
// hex rebuild's worst block against the 8 MB default (docs/benchmarks.md,
// "Growth").
const DefaultCacheBytes = 1 << 30

// DB is a dbm.DB on pebble.
type DB struct {
	db    *pebble.DB
	cache *pebble.Cache // referenced by db while it is open
}

var _ dbm.DB = (*DB)(nil)

// Open opens (creating it if needed) the database name.db under dir, as
// cosmos-db's pebble backend does, with a block cache of cacheBytes shared
// by its sstables. The cache holds only blocks that were read, so a small
// state never fills it.
func Open(name, dir string, cacheBytes int64) (*DB, error) {
	return open(name, dir, cacheBytes, vfs.Default)
}

// open is Open on a file system of the caller's (tests crash a strict
// in-memory one).
func open(name, dir string, cacheBytes int64, fs vfs.FS) (*DB, error) {
	if cacheBytes <= 0 {
		return nil, fmt.Errorf("pebble block cache must be positive, got %d bytes", cacheBytes)
	}
	cache := pebble.NewCache(cacheBytes)
	// The database takes its own reference; this one is only the opener's.
	defer cache.Unref()
	opts := &pebble.Options{
		Logger:                   quietLogger{},
		MaxConcurrentCompactions: func() int { return 3 }, // cosmos-db's choice; pebble's default is 1
		Cache:                    cache,
		FS:                       fs,
	}
	opts.EnsureDefaults()
	p, err := pebble.Open(filepath.Join(dir, name+".db"), opts)
	if err != nil {
		return nil, err
	}
	return &DB{db: p, cache: cache}, nil
}

// CacheBytes is the block cache's capacity.
func (db *DB) CacheBytes() int64 { return db.cache.MaxSize() }

// Get returns nil for a missing key.
func (db *DB) Get(key []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, ErrKeyEmpty
	}
	res, closer, err := db.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer closer.Close()
	return clone(res), nil
}

func (db *DB) Has(key []byte) (bool, error) {
	bz, err := db.Get(key)
	return bz != nil, err
}

func (db *DB) Set(key, value []byte) error     { return db.set(key, value, pebble.NoSync) }
func (db *DB) SetSync(key, value []byte) error { return db.set(key, value, pebble.Sync) }

func (db *DB) set(key, value []byte, o *pebble.WriteOptions) error {
	if len(key) == 0 {
		return ErrKeyEmpty
	}
	if value == nil {
		return ErrValueNil
	}
	return db.db.Set(key, value, o)
}

func (db *DB) Delete(key []byte) error     { return db.delete(key, pebble.NoSync) }
func (db *DB) DeleteSync(key []byte) error { return db.delete(key, pebble.Sync) }

func (db *DB) delete(key []byte, o *pebble.WriteOptions) error {
	if len(key) == 0 {
		return ErrKeyEmpty
	}
	return db.db.Delete(key, o)
}

// Close returns pebble's error (cosmos-db drops it), such as iterators left
// open at shutdown; the SDK logs it.
func (db *DB) Close() error { return db.db.Close() }

// Print writes every key and value in hex to stdout (dbm.DB asks for it).
func (db *DB) Print() error {
	it, err := db.Iterator(nil, nil)
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		fmt.Printf("[%X]:\t[%X]\n", it.Key(), it.Value())
	}
	return it.Error()
}

// Stats reports nothing, as cosmos-db's pebble backend does; pebble's own
// metrics are DB().Metrics().
func (db *DB) Stats() map[string]string { return nil }

// DB is the underlying pebble database.
func (db *DB) DB() *pebble.DB { return db.db }

func (db *DB) NewBatch() dbm.Batch            { return &batch{b: db.db.NewBatch()} }
func (db *DB) NewBatchWithSize(int) dbm.Batch { return db.NewBatch() }
func (db *DB) Iterator(start, end []byte) (dbm.Iterator, error) {
	return db.iterator(start, end, false)
}

func (db *DB) ReverseIterator(start, end []byte) (dbm.Iterator, error) {
	return db.iterator(start, end, true)
}

// iterator covers [start, end); a nil bound is open, an empty one an error.
func (db *DB) iterator(start, end []byte, reverse bool) (dbm.Iterator, error) {
	if (start != nil && len(start) == 0) || (end != nil && len(end) == 0) {
		return nil, ErrKeyEmpty
	}
	src, err := db.db.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		return nil, err
	}
	if reverse {
		src.Last()
	} else {
		src.First()
	}
	return &iterator{src: src, start: start, end: end, reverse: reverse}, nil
}

type batch struct {
	b *pebble.Batch // nil once written or closed
}

func (b *batch) Set(key, value []byte) error {
	switch {
	case len(key) == 0:
		return ErrKeyEmpty
	case value == nil:
		return ErrValueNil
	case b.b == nil:
		return ErrBatchClosed
	}
	return b.b.Set(key, value, nil)
}

func (b *batch) Delete(key []byte) error {
	switch {
	case len(key) == 0:
		return ErrKeyEmpty
	case b.b == nil:
		return ErrBatchClosed
	}
	return b.b.Delete(key, nil)
}

func (b *batch) Write() error     { return b.commit(pebble.NoSync) }
func (b *batch) WriteSync() error { return b.commit(pebble.Sync) }

// commit writes the batch and closes it: it cannot be written twice.
func (b *batch) commit(o *pebble.WriteOptions) error {
	if b.b == nil {
		return ErrBatchClosed
	}
	if err := b.b.Commit(o); err != nil {
		return err
	}
	return b.Close()
}

func (b *batch) Close() error {
	if b.b == nil {
		return nil
	}
	err := b.b.Close()
	b.b = nil
	return err
}

func (b *batch) GetByteSize() (int, error) {
	if b.b == nil {
		return 0, ErrBatchClosed
	}
	return b.b.Len(), nil
}

type iterator struct {
	src        *pebble.Iterator
	start, end []byte
	reverse    bool
	invalid    bool // once invalid, for good
}

func (it *iterator) Domain() ([]byte, []byte) { return it.start, it.end }

func (it *iterator) Valid() bool {
	if it.invalid {
		return false
	}
	if it.src.Error() != nil || !it.src.Valid() {
		it.invalid = true
		return false
	}
	key := it.src.Key()
	if it.reverse && it.start != nil && bytes.Compare(key, it.start) < 0 ||
		!it.reverse && it.end != nil && bytes.Compare(key, it.end) >= 0 {
		it.invalid = true
		return false
	}
	return true
}

func (it *iterator) Key() []byte {
	it.mustBeValid()
	return clone(it.src.Key())
}

func (it *iterator) Value() []byte {
	it.mustBeValid()
	return clone(it.src.Value())
}

func (it *iterator) Next() {
	it.mustBeValid()
	if it.reverse {
		it.src.Prev()
	} else {
		it.src.Next()
	}
}

func (it *iterator) Error() error { return it.src.Error() }
func (it *iterator) Close() error { return it.src.Close() }

func (it *iterator) mustBeValid() {
	if !it.Valid() {
		panic("iterator is invalid")
	}
}

// clone copies out of pebble's buffers, which it reuses. An empty value is
// []byte{}, never nil, as cosmos-db's copy makes it: pebble hands a reverse
// iterator nil for one.
func clone(bz []byte) []byte { return append([]byte{}, bz...) }

// quietLogger drops pebble's info logs, which would interleave with the
// node's JSON logs, and keeps its fatal errors fatal.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}

func (quietLogger) Fatalf(format string, args ...any) { pebble.DefaultLogger.Fatalf(format, args...) }
