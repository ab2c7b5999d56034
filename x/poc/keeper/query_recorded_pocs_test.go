package keeper_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/poc/types"
)

func TestRecordedPocsReportsOnlyRecordedBeacons(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.seasoned(t, b)
	recorded := f.beacon("beaconer", 1)
	_, err := f.msgs.SubmitPoc(f.ctx, f.msg(recorded))
	require.NoError(t, err)
	rid, missing := recorded.ID(), f.beacon("beaconer", 2).ID()
	ridHex, missingHex := hex.EncodeToString(rid[:]), hex.EncodeToString(missing[:])

	res, err := f.query.RecordedPocs(f.ctx, &types.QueryRecordedPocsRequest{BeaconIds: []string{missingHex, ridHex}})
	require.NoError(t, err)
	require.Equal(t, f.ctx.BlockHeight(), res.Height)
	opened := f.ctx.BlockHeight()
	require.Equal(t, []types.RecordedPoc{{BeaconId: ridHex, Relayer: f.relayer, Height: opened, Open: true, Relayers: []string{f.relayer}}}, res.Recorded)
	f.closeDue(t)
	res, err = f.query.RecordedPocs(f.ctx, &types.QueryRecordedPocsRequest{BeaconIds: []string{ridHex}})
	require.NoError(t, err)
	require.Equal(t, []types.RecordedPoc{{BeaconId: ridHex, Relayer: f.relayer, Height: opened, Relayers: []string{f.relayer}}}, res.Recorded)

	// Ids are answered in canonical (lower-case) hex whatever case they came in.
	res, err = f.query.RecordedPocs(f.ctx, &types.QueryRecordedPocsRequest{BeaconIds: []string{strings.ToUpper(ridHex)}})
	require.NoError(t, err)
	require.Len(t, res.Recorded, 1)
	require.Equal(t, ridHex, res.Recorded[0].BeaconId)
}

func TestRecordedPocsRefusesBadRequests(t *testing.T) {
	f := setup(t)
	tooMany := make([]string, types.MaxRecordedPocsQuery+1)
	for i := range tooMany {
		tooMany[i] = strings.Repeat("ab", 32)
	}
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("%064x", i)
	}
	for name, ids := range map[string][]string{
		"not hex": {"zz"}, "short id": {"abcd"}, "too many": tooMany,
		"repeated id": {strings.Repeat("ab", 32), strings.Repeat("AB", 32)},
	} {
		_, err := f.query.RecordedPocs(f.ctx, &types.QueryRecordedPocsRequest{BeaconIds: ids})
		require.Equal(t, codes.InvalidArgument, status.Code(err), name)
	}
	// With report keys the bound is lower.
	_, err := f.query.RecordedPocs(f.ctx, &types.QueryRecordedPocsRequest{BeaconIds: tooMany[:types.MaxRecordedPocsWithKeys], ReportKeys: true})
	require.NoError(t, err)
	_, err = f.query.RecordedPocs(f.ctx, &types.QueryRecordedPocsRequest{BeaconIds: tooMany[:types.MaxRecordedPocsWithKeys+1], ReportKeys: true})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = f.query.RecordedPocs(f.ctx, &types.QueryRecordedPocsRequest{BeaconIds: tooMany[:types.MaxRecordedPocsWithKeys+1]})
	require.NoError(t, err)
	_, err = f.query.RecordedPocs(f.ctx, nil)
	require.Equal(t, codes.InvalidArgument, status.Code(err))
}

// While a PoC is open, RecordedPocs lists the keys of the reports it holds,
// so that another validator's relayer sends only the ones it lacks; a
// judged PoC lists none.
func TestRecordedPocsListsTheReportKeysAnOpenPocHolds(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	w1 := f.hotspot(t, "w1", cellAt(t, 3, 0))
	w2 := f.hotspot(t, "w2", cellAt(t, 3, 90))
	f.seasoned(t, b, w1, w2)
	beacon := f.beacon("beaconer", 1)
	msg := f.msg(beacon, f.witness("w1", beacon, 100, -900), f.witness("w2", beacon, 200, -950))
	_, err := f.msgs.SubmitPoc(f.ctx, msg)
	require.NoError(t, err)
	id := beacon.ID()
	req := &types.QueryRecordedPocsRequest{BeaconIds: []string{hex.EncodeToString(id[:])}}

	res, err := f.query.RecordedPocs(f.ctx, req)
	require.NoError(t, err)
	require.Len(t, res.Recorded, 1)
	require.Empty(t, res.Recorded[0].ReportKeys, "only when asked for")

	req.ReportKeys = true
	res, err = f.query.RecordedPocs(f.ctx, req)
	require.NoError(t, err)
	require.Len(t, res.Recorded, 1)
	k1, k2 := types.ReportKey(msg.Witnesses[0]), types.ReportKey(msg.Witnesses[1])
	require.Equal(t, [][]byte{k1[:], k2[:]}, res.Recorded[0].ReportKeys)
	require.Equal(t, uint32(2), res.Recorded[0].WitnessReports)

	f.closeDue(t)
	res, err = f.query.RecordedPocs(f.ctx, req)
	require.NoError(t, err)
	require.Empty(t, res.Recorded[0].ReportKeys, "judged: nothing more to add")
}
