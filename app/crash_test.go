package app_test

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/cosmos/cosmos-sdk/baseapp"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/app"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

// killableDB is the app database of a process that is killed at its k-th
// write from the moment it is armed: that write and every later one never
// reach the database, those before it do (each write, a batch included, is
// atomic, as pebble's are). The dead process's code may go on running; none
// of it lands.
type killableDB struct {
	dbm.DB
	mu     sync.Mutex
	writes int // since armed
	killAt int // 0: never
	dead   bool
}

func (d *killableDB) arm(k int) { d.mu.Lock(); d.writes, d.killAt = 0, k; d.mu.Unlock() }

// lands counts a write and says whether it reaches the database.
func (d *killableDB) lands() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes++
	if d.killAt > 0 && d.writes >= d.killAt {
		d.dead = true
	}
	return !d.dead
}

func (d *killableDB) Set(k, v []byte) error {
	if !d.lands() {
		return nil
	}
	return d.DB.Set(k, v)
}

func (d *killableDB) SetSync(k, v []byte) error {
	if !d.lands() {
		return nil
	}
	return d.DB.SetSync(k, v)
}

func (d *killableDB) Delete(k []byte) error {
	if !d.lands() {
		return nil
	}
	return d.DB.Delete(k)
}

func (d *killableDB) DeleteSync(k []byte) error {
	if !d.lands() {
		return nil
	}
	return d.DB.DeleteSync(k)
}

func (d *killableDB) NewBatch() dbm.Batch { return &killableBatch{Batch: d.DB.NewBatch(), db: d} }

func (d *killableDB) NewBatchWithSize(n int) dbm.Batch {
	return &killableBatch{Batch: d.DB.NewBatchWithSize(n), db: d}
}

type killableBatch struct {
	dbm.Batch
	db *killableDB
}

func (b *killableBatch) Write() error {
	if !b.db.lands() {
		return b.Batch.Close()
	}
	return b.Batch.Write()
}

func (b *killableBatch) WriteSync() error {
	if !b.db.lands() {
		return b.Batch.Close()
	}
	return b.Batch.WriteSync()
}

// crashKey is the i-th key the crash test writes to x/hotspot's store.
func crashKey(i int) []byte { return []byte(fmt.Sprintf("\xfecrash-test/%06d", i)) }

// seedBlock writes 3,000 keys to one store: committed state the big block
// then reads, rewrites and deletes.
func seedBlock(a *app.App) func(ctx sdk.Context) {
	return func(ctx sdk.Context) {
		st := ctx.KVStore(a.GetKey(hotspottypes.StoreKey))
		for i := range 3000 {
			st.Set(crashKey(i), []byte(fmt.Sprintf("seed %d", i)))
		}
	}
}

// bigBlock changes enough of one store that IAVL saves its next version in
// several batches (it flushes about every 100 KB), as x/poc's store does
// under load: it first reads the committed keys (a summary of what it read
// goes into state, so a wrong read changes the app hash), then deletes a
// third, rewrites a third and adds as many new ones.
func bigBlock(a *app.App) func(ctx sdk.Context) {
	return func(ctx sdk.Context) {
		st := ctx.KVStore(a.GetKey(hotspottypes.StoreKey))
		sum := sha256.New()
		it := st.Iterator(crashKey(0), crashKey(1_000_000))
		for ; it.Valid(); it.Next() {
			sum.Write(it.Key())
			sum.Write(it.Value())
		}
		it.Close()
		for _, i := range []int{0, 1500, 2999, 3500} {
			sum.Write(st.Get(crashKey(i)))
		}
		st.Set([]byte("\xfecrash-sum"), sum.Sum(nil))
		for i := range 1000 {
			st.Delete(crashKey(i))
			st.Set(crashKey(1000+i), []byte(fmt.Sprintf("rewritten %d", i)))
			st.Set(crashKey(3000+i), []byte(fmt.Sprintf("new %d", i)))
		}
	}
}

// pebbleDB is an app database as pocd opens it (app-db-backend =
// "pebbledb"). Not the in-memory one: its iterators hold a lock that IAVL's
// rollback, deleting while it iterates, waits for forever.
func pebbleDB(t *testing.T) dbm.DB {
	t.Helper()
	db, err := dbm.NewDB("application", dbm.PebbleDBBackend, t.TempDir())
	require.NoError(t, err)
	// Closed before the directory is removed (cleanups run last first):
	// pebble exits the process if its files vanish under it.
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

// nodeDefaults are the BaseApp options `pocd init`'s app.toml gives a node
// that bear on a crash: IAVL's fast index off (iavl-disable-fastnode; its
// writes come before the tree's in a commit, and a kill among them leaves an
// index the replay reads wrong values from).
var nodeDefaults = []func(*baseapp.BaseApp){baseapp.SetIAVLDisableFastNode(true)}

// crashChain starts a small chain on db and commits two empty blocks and
// the seed block.
func crashChain(t *testing.T, db dbm.DB) *chain {
	t.Helper()
	cp := cmttypes.DefaultConsensusParams().ToProto()
	c := startChainOn(t, db, "crash-1", exportGenesisTime, 1, oldGenesis(t, oldChainAccounts()), nil, &cp, nodeDefaults...)
	c.blocks(t, 2, blockTime)
	c.block(t, blockTime, seedBlock(c.a))
	return c
}

// TestRestartAfterAKillAtAnyWriteOfACommit kills the node at each write of
// a big block's commit in turn, restarts it on what reached the database
// and replays the block, as CometBFT's handshake does. Every restart must
// come back with the app hash of a node that was never killed. Without
// dropUncommittedVersions, a kill inside a store's multi-batch version left
// that store unable to save the version again ("version does not exist"):
// the panic of docs/devnet.md's known failure.
func TestRestartAfterAKillAtAnyWriteOfACommit(t *testing.T) {
	// The node that is never killed, counting the writes of the big block.
	ref := &killableDB{DB: pebbleDB(t)}
	rc := crashChain(t, ref)
	ref.arm(0)
	rc.block(t, blockTime, bigBlock(rc.a))
	writes := ref.writes
	want := rc.a.LastCommitID()
	rc.block(t, blockTime, nil)
	wantNext := rc.a.LastCommitID()
	require.Greater(t, writes, 5, "the big block's commit takes several writes")

	for k := 1; k <= writes; k++ {
		t.Run(fmt.Sprintf("killed at write %d of %d", k, writes), func(t *testing.T) {
			db := &killableDB{DB: pebbleDB(t)}
			c := crashChain(t, db)
			db.arm(k)
			c.block(t, blockTime, bigBlock(c.a)) // the process dies during it
			require.True(t, db.dead)

			// A new process on what reached the database.
			a := app.New(log.NewNopLogger(), db.DB, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()),
				append([]func(*baseapp.BaseApp){baseapp.SetChainID(c.id)}, nodeDefaults...)...)
			last := a.LastBlockHeight()
			require.Contains(t, []int64{want.Version - 1, want.Version}, last)
			r := &chain{a: a, id: c.id, height: last, time: c.time, hashes: c.hashes}
			if last == want.Version-1 { // the commit info did not land: replay the block
				r.time = c.time.Add(-blockTime)
				r.block(t, blockTime, bigBlock(a))
			}
			require.Equal(t, want, a.LastCommitID())
			r.block(t, blockTime, nil)
			require.Equal(t, wantNext, a.LastCommitID())
		})
	}
}
