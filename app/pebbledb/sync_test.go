package pebbledb

import (
	"testing"

	"github.com/cockroachdb/pebble/vfs"
	"github.com/stretchr/testify/require"
)

// crashAfter opens a database on a strict in-memory file system, runs
// writes, "crashes" (everything not synced is dropped) and returns the
// reopened database.
func crashAfter(t *testing.T, writes func(db *DB)) *DB {
	t.Helper()
	fs := vfs.NewStrictMem()
	require.NoError(t, fs.MkdirAll("data", 0o755))
	db, err := open("application", "data", 1<<20, fs)
	require.NoError(t, err)
	// Pebble syncs its own directory; the ones above it are the node's
	// home, made long before.
	for _, dir := range []string{"", "data"} {
		d, err := fs.OpenDir(dir)
		require.NoError(t, err)
		require.NoError(t, d.Sync())
		require.NoError(t, d.Close())
	}
	writes(db)
	fs.SetIgnoreSyncs(true) // from here nothing reaches the disk
	require.NoError(t, db.Close())
	fs.ResetToSyncedState()
	fs.SetIgnoreSyncs(false)
	db, err = open("application", "data", 1<<20, fs)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func read(t *testing.T, db *DB, key string) []byte {
	t.Helper()
	v, err := db.Get([]byte(key))
	require.NoError(t, err)
	return v
}

// Each synced write survives a crash on its own, and an unsynced one does
// not (so the crash is real). IAVL's commit ends in synced writes: a sync
// lost here would lose committed state.
func TestSyncedWritesSurviveACrash(t *testing.T) {
	db := crashAfter(t, func(db *DB) {
		require.NoError(t, db.Set([]byte("k"), []byte("1")))
		b := db.NewBatch()
		require.NoError(t, b.Set([]byte("b"), []byte("2")))
		require.NoError(t, b.Write())
	})
	require.Nil(t, read(t, db, "k"), "the crash is real: an unsynced write is gone")
	require.Nil(t, read(t, db, "b"), "and an unsynced batch")

	db = crashAfter(t, func(db *DB) { require.NoError(t, db.SetSync([]byte("k"), []byte("1"))) })
	require.Equal(t, []byte("1"), read(t, db, "k"), "SetSync")

	db = crashAfter(t, func(db *DB) {
		b := db.NewBatch()
		require.NoError(t, b.Set([]byte("k"), []byte("1")))
		require.NoError(t, b.WriteSync())
	})
	require.Equal(t, []byte("1"), read(t, db, "k"), "WriteSync")

	db = crashAfter(t, func(db *DB) {
		require.NoError(t, db.SetSync([]byte("k"), []byte("1")))
		require.NoError(t, db.DeleteSync([]byte("k")))
	})
	require.Nil(t, read(t, db, "k"), "DeleteSync")
}
