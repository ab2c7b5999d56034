package keeper

import (
	"context"
	"encoding/hex"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/poc/types"
)

// RecordedPocs reports which of the given beacons are recorded, open or
// judged, by which relayers, and which reports an open one holds. A relayer
// asks it once per round for everything it has submitted, instead of one
// Poc query (with every witness verdict) per beacon or a GetTx (with the
// whole transaction and its events) per batch.
func (q queryServer) RecordedPocs(ctx context.Context, req *types.QueryRecordedPocsRequest) (*types.QueryRecordedPocsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "beacon_ids are required")
	}
	limit := types.MaxRecordedPocsQuery
	if req.ReportKeys {
		limit = types.MaxRecordedPocsWithKeys
	}
	if len(req.BeaconIds) > limit {
		return nil, status.Errorf(codes.InvalidArgument, "at most %d beacon_ids per request, got %d", limit, len(req.BeaconIds))
	}
	// Each id once: a request repeating one full open PoC's id would
	// otherwise multiply the answer for free.
	seen := make(map[string]bool, len(req.BeaconIds))
	ids := make([][]byte, len(req.BeaconIds))
	for i, h := range req.BeaconIds {
		id, err := hex.DecodeString(h)
		if err != nil || len(id) != 32 {
			return nil, status.Errorf(codes.InvalidArgument, "beacon_ids[%d] must be 32 bytes of hex", i)
		}
		if seen[string(id)] {
			return nil, status.Errorf(codes.InvalidArgument, "beacon_ids[%d] repeats an earlier id", i)
		}
		seen[string(id)] = true
		ids[i] = id
	}
	res := &types.QueryRecordedPocsResponse{Height: sdk.UnwrapSDKContext(ctx).BlockHeight()}
	for _, id := range ids {
		rec, err := q.k.Pocs.Get(ctx, id)
		if err == nil {
			res.Recorded = append(res.Recorded, types.RecordedPoc{
				BeaconId: hex.EncodeToString(id), Relayer: rec.Relayer, Height: rec.OpenedHeight,
				Relayers: append([]string{rec.Relayer}, rec.CoRelayers...), WitnessReports: rec.WitnessReports,
			})
			continue
		} else if !isNotFound(err) {
			return nil, err
		}
		open, err := q.k.OpenPocs.Get(ctx, id)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		r := types.RecordedPoc{BeaconId: hex.EncodeToString(id), Height: open.OpenedHeight, Open: true,
			WitnessReports: uint32(len(open.Witnesses))}
		if req.ReportKeys {
			r.ReportKeys = open.ReportKeys()
		}
		opener, others := open.Relayers()
		r.Relayer, r.Relayers = opener, append([]string{opener}, others...)
		res.Recorded = append(res.Recorded, r)
	}
	return res, nil
}
