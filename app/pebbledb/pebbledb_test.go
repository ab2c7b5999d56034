package pebbledb_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/pocnet/pocd/app/pebbledb"
)

func open(t *testing.T, dir string) *pebbledb.DB {
	t.Helper()
	db, err := pebbledb.Open("application", dir, 64<<20)
	require.NoError(t, err)
	return db
}

// keys reads an iterator through as key=value strings and closes it:
// keys(t)(db.Iterator(start, end)).
func keys(t *testing.T) func(dbm.Iterator, error) []string {
	return func(it dbm.Iterator, err error) []string {
		t.Helper()
		require.NoError(t, err)
		defer func() { require.NoError(t, it.Close()) }()
		var out []string
		for ; it.Valid(); it.Next() {
			out = append(out, string(it.Key())+"="+string(it.Value()))
		}
		require.NoError(t, it.Error())
		return out
	}
}

// The block cache is the size asked for, and a size that is not positive
// is refused.
func TestOpenSizesTheBlockCache(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	require.EqualValues(t, 64<<20, db.CacheBytes())
	_, err := pebbledb.Open("application", t.TempDir(), 0)
	require.Error(t, err)
}

// What is written survives a reopen, and the files are cosmos-db's: its
// own pebble backend reads them, and this one reads what it wrote, so a
// node can go back and forth (and `pocd export`, which opens through the
// SDK, reads a node's database).
func TestFilesAreCosmosDBs(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	require.NoError(t, db.SetSync([]byte("a"), []byte("1")))
	require.NoError(t, db.Close())

	theirs, err := dbm.NewDB("application", dbm.PebbleDBBackend, dir)
	require.NoError(t, err)
	v, err := theirs.Get([]byte("a"))
	require.NoError(t, err)
	require.Equal(t, []byte("1"), v)
	require.NoError(t, theirs.SetSync([]byte("b"), []byte("2")))
	require.NoError(t, theirs.Close())

	db = open(t, dir)
	defer db.Close()
	require.Equal(t, []string{"a=1", "b=2"}, keys(t)(db.Iterator(nil, nil)))
}

func TestGetSetDelete(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	v, err := db.Get([]byte("missing"))
	require.NoError(t, err)
	require.Nil(t, v, "a missing key reads nil")
	has, err := db.Has([]byte("missing"))
	require.NoError(t, err)
	require.False(t, has)

	require.NoError(t, db.Set([]byte("k"), []byte("v")))
	require.NoError(t, db.Set([]byte("empty"), []byte{}))
	has, err = db.Has([]byte("empty"))
	require.NoError(t, err)
	require.True(t, has, "an empty value is a value")
	v, err = db.Get([]byte("k"))
	require.NoError(t, err)
	require.Equal(t, []byte("v"), v)
	v[0] = 'x'
	again, err := db.Get([]byte("k"))
	require.NoError(t, err)
	require.Equal(t, []byte("v"), again, "a read is a copy")

	require.NoError(t, db.Delete([]byte("k")))
	require.NoError(t, db.DeleteSync([]byte("empty")))
	has, err = db.Has([]byte("k"))
	require.NoError(t, err)
	require.False(t, has)
	has, err = db.Has([]byte("empty"))
	require.NoError(t, err)
	require.False(t, has)
}

// Misuse gets the same errors as from cosmos-db's backends, and writes
// nothing.
func TestMisuseIsRefused(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	_, err := db.Get(nil)
	require.ErrorIs(t, err, pebbledb.ErrKeyEmpty)
	require.ErrorIs(t, db.Set([]byte{}, []byte("v")), pebbledb.ErrKeyEmpty)
	require.ErrorIs(t, db.SetSync([]byte("k"), nil), pebbledb.ErrValueNil)
	require.ErrorIs(t, db.Delete(nil), pebbledb.ErrKeyEmpty)
	require.ErrorIs(t, db.DeleteSync([]byte{}), pebbledb.ErrKeyEmpty)
	_, err = db.Iterator([]byte{}, nil)
	require.ErrorIs(t, err, pebbledb.ErrKeyEmpty)
	_, err = db.ReverseIterator(nil, []byte{})
	require.ErrorIs(t, err, pebbledb.ErrKeyEmpty)
	require.Empty(t, keys(t)(db.Iterator(nil, nil)))

	b := db.NewBatch()
	require.ErrorIs(t, b.Set(nil, []byte("v")), pebbledb.ErrKeyEmpty)
	require.ErrorIs(t, b.Set([]byte("k"), nil), pebbledb.ErrValueNil)
	require.ErrorIs(t, b.Delete([]byte{}), pebbledb.ErrKeyEmpty)
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "closing twice is harmless")
	require.ErrorIs(t, b.Set([]byte("k"), []byte("v")), pebbledb.ErrBatchClosed)
	require.ErrorIs(t, b.Delete([]byte("k")), pebbledb.ErrBatchClosed)
	require.ErrorIs(t, b.Write(), pebbledb.ErrBatchClosed)
	require.ErrorIs(t, b.WriteSync(), pebbledb.ErrBatchClosed)
	_, err = b.GetByteSize()
	require.ErrorIs(t, err, pebbledb.ErrBatchClosed)
	require.Empty(t, keys(t)(db.Iterator(nil, nil)))
}

// Iterators cover [start, end) in either direction, a nil bound open.
func TestIteratorBounds(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	for _, k := range []string{"a", "b", "c", "d"} {
		require.NoError(t, db.Set([]byte(k), []byte(k+k)))
	}
	cases := []struct {
		start, end []byte
		forward    []string
		reverse    []string
	}{
		{nil, nil, []string{"a=aa", "b=bb", "c=cc", "d=dd"}, []string{"d=dd", "c=cc", "b=bb", "a=aa"}},
		{[]byte("b"), nil, []string{"b=bb", "c=cc", "d=dd"}, []string{"d=dd", "c=cc", "b=bb"}},
		{nil, []byte("c"), []string{"a=aa", "b=bb"}, []string{"b=bb", "a=aa"}},
		{[]byte("b"), []byte("d"), []string{"b=bb", "c=cc"}, []string{"c=cc", "b=bb"}},
		{[]byte("bb"), []byte("c0"), []string{"c=cc"}, []string{"c=cc"}},
		{[]byte("x"), nil, nil, nil},
	}
	for _, c := range cases {
		require.Equal(t, c.forward, keys(t)(db.Iterator(c.start, c.end)), "forward [%s, %s)", c.start, c.end)
		require.Equal(t, c.reverse, keys(t)(db.ReverseIterator(c.start, c.end)), "reverse [%s, %s)", c.start, c.end)
	}

	it, err := db.Iterator([]byte("b"), []byte("c"))
	require.NoError(t, err)
	start, end := it.Domain()
	require.Equal(t, []byte("b"), start)
	require.Equal(t, []byte("c"), end)
	k := it.Key()
	k[0] = 'z'
	require.Equal(t, []byte("b"), it.Key(), "a key read is a copy")
	it.Next()
	require.False(t, it.Valid())
	require.Panics(t, func() { it.Key() }, "an exhausted iterator has no key")
	require.Panics(t, func() { it.Next() })
	require.NoError(t, it.Close())
}

// A batch is written at once, and only once.
func TestBatch(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	require.NoError(t, db.Set([]byte("gone"), []byte("x")))
	b := db.NewBatchWithSize(16)
	require.NoError(t, b.Set([]byte("a"), []byte("1")))
	require.NoError(t, b.Delete([]byte("gone")))
	size, err := b.GetByteSize()
	require.NoError(t, err)
	require.Positive(t, size)
	require.Equal(t, []string{"gone=x"}, keys(t)(db.Iterator(nil, nil)), "nothing lands before the write")
	require.NoError(t, b.Write())
	require.Equal(t, []string{"a=1"}, keys(t)(db.Iterator(nil, nil)))
	require.ErrorIs(t, b.Write(), pebbledb.ErrBatchClosed, "a batch is written once")

	b = db.NewBatch()
	require.NoError(t, b.Set([]byte("b"), []byte("2")))
	require.NoError(t, b.WriteSync())
	require.Equal(t, []string{"a=1", "b=2"}, keys(t)(db.Iterator(nil, nil)))
	require.ErrorIs(t, b.WriteSync(), pebbledb.ErrBatchClosed)
}

// An empty value reads back as an empty value, never nil, in every
// direction (pebble gives a reverse iterator nil), and values read through
// an iterator are copies.
func TestEmptyValuesAndCopies(t *testing.T) {
	db := open(t, t.TempDir())
	defer db.Close()
	require.NoError(t, db.Set([]byte("a"), []byte{}))
	require.NoError(t, db.Set([]byte("b"), []byte("bb")))
	require.NoError(t, db.DB().Flush()) // from the files, not only the memtable
	for _, reverse := range []bool{false, true} {
		var it dbm.Iterator
		var err error
		if reverse {
			it, err = db.ReverseIterator(nil, nil)
		} else {
			it, err = db.Iterator(nil, nil)
		}
		require.NoError(t, err)
		for ; it.Valid(); it.Next() {
			v := it.Value()
			if string(it.Key()) == "a" {
				require.NotNil(t, v, "reverse %v", reverse)
				require.Empty(t, v)
				continue
			}
			v[0] = 'x'
			require.Equal(t, []byte("bb"), it.Value(), "a value read is a copy")
		}
		require.NoError(t, it.Close())
	}
	v, err := db.Get([]byte("a"))
	require.NoError(t, err)
	require.NotNil(t, v)
}
