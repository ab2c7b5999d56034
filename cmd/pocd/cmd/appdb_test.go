package cmd

import (
	"testing"

	"github.com/stretchr/testify/require"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/cosmos/cosmos-sdk/server"

	"github.com/pocnet/pocd/app/pebbledb"
)

// open runs the node's database opener with app.toml settings.
func open(t *testing.T, backend dbm.BackendType, set map[string]any) (dbm.DB, error) {
	t.Helper()
	svrCtx := server.NewDefaultContext()
	for k, v := range set {
		svrCtx.Viper.Set(k, v)
	}
	db, err := appDBOpener(func() *server.Context { return svrCtx })(t.TempDir(), backend)
	if err == nil {
		t.Cleanup(func() { require.NoError(t, db.Close()) })
	}
	return db, err
}

// The application database on pebble gets the block cache app.toml asks
// for, the default when an app.toml written before [app-db] says nothing,
// and a cache that is not positive, or absurd (a size whose bytes would
// overflow included), refuses to start.
func TestAppDBOpenerSizesPebblesCache(t *testing.T) {
	db, err := open(t, dbm.PebbleDBBackend, map[string]any{pebbleCacheKey: 96})
	require.NoError(t, err)
	require.EqualValues(t, 96<<20, db.(*pebbledb.DB).CacheBytes())

	db, err = open(t, dbm.PebbleDBBackend, nil)
	require.NoError(t, err)
	require.EqualValues(t, pebbledb.DefaultCacheBytes, db.(*pebbledb.DB).CacheBytes())

	for _, bad := range []int64{0, -1, maxPebbleCacheMB + 1, 1<<44 + 1} {
		_, err = open(t, dbm.PebbleDBBackend, map[string]any{pebbleCacheKey: bad})
		require.ErrorContains(t, err, pebbleCacheKey)
	}
}

// Another backend is opened as the SDK opens it; [app-db] is pebble's.
func TestAppDBOpenerLeavesOtherBackendsToCosmosDB(t *testing.T) {
	db, err := open(t, dbm.GoLevelDBBackend, map[string]any{pebbleCacheKey: 0})
	require.NoError(t, err)
	require.IsType(t, &dbm.GoLevelDB{}, db)
}
