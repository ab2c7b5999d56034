package app

import (
	"fmt"
	"sort"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/store/v2/iavl"
	"github.com/cosmos/cosmos-sdk/store/v2/rootmulti"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
)

// dropUncommittedVersions wraps a store loader so that a node killed in the
// middle of Commit restarts.
//
// A commit saves every IAVL store's next version and then writes the commit
// info that makes it the latest (synced). IAVL writes a store's version in
// batches of about 100 KB: its fast index, then the new nodes, the root
// last. A process killed among the node writes leaves a store with some
// nodes of version H+1 and no root, while the commit info still says H.
// CometBFT then replays block H+1, and the store's SaveVersion finds H+1
// "existing" (IAVL takes the highest node version as its latest) but cannot
// read its root: Commit panics and the node never comes back (docs/devnet.md,
// "Fixed: a killed node that did not restart"). A store that saved H+1 whole
// is harmless (the replay saves the same hash) but is dropped too: the replay
// writes it again. A kill among the fast-index writes leaves no node of H+1
// to find; `pocd init` turns the fast index off for that reason
// (cmd/pocd/cmd/disk.go).
//
// So after loading, any IAVL store holding a version above the commit info's
// is rolled back to it, as `pocd rollback` would, and the stores are loaded
// again, before CometBFT replays the block.
func dropUncommittedVersions(load baseapp.StoreLoader) baseapp.StoreLoader {
	return func(ms storetypes.CommitMultiStore) error {
		if err := load(ms); err != nil {
			return err
		}
		rs, ok := ms.(*rootmulti.Store)
		if !ok {
			return nil
		}
		committed := rs.LastCommitID().Version
		if committed == 0 {
			return nil
		}
		torn := uncommittedStores(rs, committed)
		if len(torn) == 0 {
			return nil
		}
		if err := rs.RollbackToVersion(committed); err != nil {
			return fmt.Errorf("dropping version %d of stores %v, written by a commit that did not finish: %w", committed+1, torn, err)
		}
		// Load again the way the node asked. Not handled: a kill during the
		// commit of an upgrade block that adds a store (RollbackToVersion
		// cannot load a store the commit info does not list; no upgrade adds
		// one yet), and during the first commit (load fails above).
		return load(ms)
	}
}

// uncommittedStores names the IAVL stores that hold any node of the version
// after committed, in name order.
func uncommittedStores(rs *rootmulti.Store, committed int64) []string {
	var torn []string
	for name := range rs.StoreKeysByName() {
		// GetStoreByName unwraps the inter-block cache.
		if st, ok := rs.GetStoreByName(name).(*iavl.Store); ok && st.VersionExists(committed+1) {
			torn = append(torn, name)
		}
	}
	sort.Strings(torn)
	return torn
}
