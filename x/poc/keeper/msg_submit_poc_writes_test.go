package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// listeningStore is the root multistore's write listener (the one state
// streaming uses).
type listeningStore interface {
	AddListeners([]storetypes.StoreKey)
	PopStateCache() []*storetypes.StoreKVPair
}

// writtenKeys runs fn and returns the x/poc store keys it wrote or deleted.
func (f *fixture) writtenKeys(t *testing.T, fn func()) map[string]bool {
	t.Helper()
	ms, ok := f.ctx.MultiStore().(listeningStore)
	require.True(t, ok, "the test context's multistore is the root store")
	ms.AddListeners([]storetypes.StoreKey{f.pkey})
	ms.PopStateCache()
	fn()
	out := map[string]bool{}
	for _, kv := range ms.PopStateCache() {
		out[string(kv.Key)] = true
	}
	return out
}

// A relay that changes nothing writes nothing: a hostile relayer repeating
// what it already relayed, or a hotspot beaconing again in a used interval
// bucket, must not make every such message rewrite an open PoC of up to
// hundreds of reports, or an activity record. A validator's first relay is
// written even when it adds no report: its ingest learns its relay landed.
func TestRelaysThatChangeNothingWriteNothing(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	beacon := f.beacon("beaconer", 1)
	msg := f.msg(beacon, f.witness("good", beacon, 300, -950))
	openKey, err := collections.EncodeKeyWithPrefix(types.OpenPocsKey.Bytes(), f.k.OpenPocs.KeyCodec(), beaconID(beacon))
	require.NoError(t, err)
	activityKey, err := collections.EncodeKeyWithPrefix(f.k.Activity.GetPrefix(), f.k.Activity.KeyCodec(), b)
	require.NoError(t, err)

	w := f.writtenKeys(t, func() {
		_, err := f.msgs.SubmitPoc(f.ctx, msg)
		require.NoError(t, err)
	})
	require.True(t, w[string(openKey)], "the first relay opens the PoC")
	require.True(t, w[string(activityKey)], "and uses up the beacon's interval bucket")

	w = f.writtenKeys(t, func() {
		_, err := f.msgs.SubmitPoc(f.ctx, msg)
		require.NoError(t, err)
	})
	require.Empty(t, w, "the same relayer's repeat adds nothing and writes nothing")

	rel2 := bech([]byte("relayer2____________"))
	f.registerRelayer(t, bech([]byte("operator2___________")), rel2)
	again := f.msg(beacon, f.witness("good", beacon, 300, -950))
	again.Relayer = rel2
	w = f.writtenKeys(t, func() {
		_, err := f.msgs.SubmitPoc(f.ctx, again)
		require.NoError(t, err)
	})
	require.True(t, w[string(openKey)], "another validator's first relay is recorded though it adds no report")
	open, err := f.k.OpenPocs.Get(f.ctx, beaconID(beacon))
	require.NoError(t, err)
	require.Len(t, open.Witnesses, 1)
	require.Len(t, open.Relays, 2)

	// Another beacon in the same interval bucket: refused as irregular, and
	// the bucket already recorded is not written again.
	sameBucket := f.beacon("beaconer", 2)
	w = f.writtenKeys(t, func() {
		_, err := f.msgs.SubmitPoc(f.ctx, f.msg(sameBucket))
		require.NoError(t, err)
	})
	require.True(t, w[string(must(collections.EncodeKeyWithPrefix(types.OpenPocsKey.Bytes(), f.k.OpenPocs.KeyCodec(), beaconID(sameBucket))))])
	require.False(t, w[string(activityKey)], "a used bucket is not rewritten")
	second, err := f.k.OpenPocs.Get(f.ctx, beaconID(sameBucket))
	require.NoError(t, err)
	require.Equal(t, types.REASON_IRREGULAR_INTERVAL, second.BeaconReason)
}

// A PoC is open until close_at_ms, exclusive: a relay in a block at exactly
// that time is refused, one a millisecond earlier still adds its reports.
func TestRelayAtTheCloseTimeIsRefused(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.hotspot(t, "late", cellAt(t, 6, 90))
	f.seasoned(t, b)
	beacon := f.beacon("beaconer", 1)
	_, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.NoError(t, err)
	open, err := f.k.OpenPocs.Get(f.ctx, beaconID(beacon))
	require.NoError(t, err)

	rel2 := bech([]byte("relayer2____________"))
	f.registerRelayer(t, bech([]byte("operator2___________")), rel2)
	m := f.msg(beacon, f.witness("late", beacon, 400, -950))
	m.Relayer = rel2
	_, err = f.msgs.SubmitPoc(f.ctx.WithBlockTime(time.UnixMilli(open.CloseAtMs)), m)
	require.ErrorIs(t, err, types.ErrDuplicateBeacon)
	_, err = f.msgs.SubmitPoc(f.ctx.WithBlockTime(time.UnixMilli(open.CloseAtMs-1)), m)
	require.NoError(t, err)
	open, err = f.k.OpenPocs.Get(f.ctx, beaconID(beacon))
	require.NoError(t, err)
	require.Len(t, open.Witnesses, 2)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
