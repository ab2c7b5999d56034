package cmd

import (
	"fmt"
	"path/filepath"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/cosmos/cosmos-sdk/server"

	"github.com/pocnet/pocd/app/pebbledb"
)

// appDBConfig is app.toml's [app-db].
type appDBConfig struct {
	PebbleCacheMB int64 `mapstructure:"pebble-cache-mb"`
}

const pebbleCacheKey = "app-db.pebble-cache-mb"

// maxPebbleCacheMB (1 TiB) refuses a typo rather than a machine: far more
// than any node's memory, and far from where MiB overflow bytes.
const maxPebbleCacheMB = 1 << 20

func defaultAppDBConfig() appDBConfig {
	return appDBConfig{PebbleCacheMB: pebbledb.DefaultCacheBytes >> 20}
}

const appDBConfigTemplate = `
###############################################################################
###                         Application database                            ###
###############################################################################

[app-db]
# pebble's block cache for the application database (app-db-backend =
# "pebbledb"), in MiB. It keeps decompressed blocks of the state's files, so
# a tree node IAVL's own cache (iavl-cache-size) misses is not read and
# decompressed from the OS page cache again. It fills only with what is
# read. docs/operator-guide.md, "Memory".
pebble-cache-mb = {{ .AppDB.PebbleCacheMB }}
`

// appDBOpener opens the application database as the SDK's start command
// does, except that a pebble database gets [app-db] pebble-cache-mb of
// block cache (app/pebbledb) instead of cosmos-db's 8 MB, and logs the size.
// settings returns the start command's server context (app.toml, flags and
// environment merged, and its logger) by the time the node opens its
// database. An app.toml written before [app-db] existed gets the default.
func appDBOpener(settings func() *server.Context) func(rootDir string, backend dbm.BackendType) (dbm.DB, error) {
	return func(rootDir string, backend dbm.BackendType) (dbm.DB, error) {
		dataDir := filepath.Join(rootDir, "data")
		if backend != dbm.PebbleDBBackend {
			return dbm.NewDB("application", backend, dataDir)
		}
		svrCtx := settings()
		mb := defaultAppDBConfig().PebbleCacheMB
		if svrCtx.Viper.IsSet(pebbleCacheKey) {
			mb = svrCtx.Viper.GetInt64(pebbleCacheKey)
		}
		if mb <= 0 || mb > maxPebbleCacheMB {
			return nil, fmt.Errorf("%s must be 1..%d MiB, got %d", pebbleCacheKey, maxPebbleCacheMB, mb)
		}
		db, err := pebbledb.Open("application", dataDir, mb<<20)
		if err != nil {
			return nil, err
		}
		svrCtx.Logger.Info("application database opened", "backend", backend, "pebble_cache_mib", db.CacheBytes()>>20)
		return db, nil
	}
}
