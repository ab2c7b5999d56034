package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/x/poc/types"
)

// The list queries page with the caller's pagination and answer a request
// without one (grpc-gateway sends an empty request, a Go client may send
// nil) with everything.
func TestDenylistQueryPages(t *testing.T) {
	f := setup(t)
	denied := []string{f.hotspot(t, "a", cellAt(t, 0, 0)), f.hotspot(t, "b", cellAt(t, 5, 0)), f.hotspot(t, "c", cellAt(t, 9, 0))}
	_, err := f.msgs.AddToDenylist(f.ctx, &types.MsgAddToDenylist{Authority: f.gov, Hotspots: denied})
	require.NoError(t, err)

	all, err := f.query.Denylist(f.ctx, nil)
	require.NoError(t, err)
	require.ElementsMatch(t, denied, all.Hotspots)

	first, err := f.query.Denylist(f.ctx, &types.QueryDenylistRequest{Pagination: &query.PageRequest{Limit: 2}})
	require.NoError(t, err)
	require.Len(t, first.Hotspots, 2)
	require.NotEmpty(t, first.Pagination.NextKey)
	rest, err := f.query.Denylist(f.ctx, &types.QueryDenylistRequest{Pagination: &query.PageRequest{Key: first.Pagination.NextKey}})
	require.NoError(t, err)
	require.Equal(t, all.Hotspots, append(first.Hotspots, rest.Hotspots...))
}

func TestRelayersQueryPages(t *testing.T) {
	f := setup(t)
	f.registerRelayer(t, bech([]byte("operator2___________")), bech([]byte("relayer2____________")))

	all, err := f.query.Relayers(f.ctx, nil)
	require.NoError(t, err)
	require.Len(t, all.Relayers, 2)

	first, err := f.query.Relayers(f.ctx, &types.QueryRelayersRequest{Pagination: &query.PageRequest{Limit: 1}})
	require.NoError(t, err)
	require.Equal(t, all.Relayers[:1], first.Relayers)
	rest, err := f.query.Relayers(f.ctx, &types.QueryRelayersRequest{Pagination: &query.PageRequest{Key: first.Pagination.NextKey}})
	require.NoError(t, err)
	require.Equal(t, all.Relayers[1:], rest.Relayers)
}
