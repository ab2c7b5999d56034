package app_test

import (
	"testing"

	"cosmossdk.io/log/v2"
	dbm "github.com/cosmos/cosmos-db"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/app"
)

// The SDK's start command closes the app twice on SIGTERM; on pebble (the
// database `pocd init` chooses) a second close of the database panicked,
// so every graceful stop ended in a panic. Close is idempotent.
func TestAppClosesItsPebbleDatabaseOnce(t *testing.T) {
	db, err := dbm.NewDB("application", dbm.PebbleDBBackend, t.TempDir())
	require.NoError(t, err)
	a := app.New(log.NewNopLogger(), db, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	require.NoError(t, a.Close())
	require.NotPanics(t, func() { require.NoError(t, a.Close()) })
}
