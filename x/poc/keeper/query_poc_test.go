package keeper_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// Before it is judged, a PoC is answered from its open record: who beaconed,
// who relayed, how many reports it holds and when it closes.
func TestPocQueryShowsAnOpenPoc(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	beacon := f.beacon("beaconer", 1)
	res, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.NoError(t, err)

	q, err := f.query.Poc(f.ctx, &types.QueryPocRequest{BeaconId: hex.EncodeToString(res.BeaconId)})
	require.NoError(t, err)
	require.True(t, q.Open)
	require.Equal(t, b, q.Poc.Beaconer)
	require.Equal(t, f.relayer, q.Poc.Relayer)
	require.Equal(t, uint32(1), q.Poc.WitnessReports)
	require.Equal(t, f.ctx.BlockHeight(), q.Poc.OpenedHeight)
	p, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, f.ctx.BlockTime().UnixMilli()+p.CloseGraceMs, q.CloseAtMs)
	require.Empty(t, q.Witnesses, "verdicts come at close")
}
