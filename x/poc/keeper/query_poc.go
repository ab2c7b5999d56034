package keeper

import (
	"context"
	"encoding/hex"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
)

// Poc returns a beacon's verdict with all its witness verdicts.
func (q queryServer) Poc(ctx context.Context, req *types.QueryPocRequest) (*types.QueryPocResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "beacon_id is required")
	}
	id, err := hex.DecodeString(req.BeaconId)
	if err != nil || len(id) != 32 {
		return nil, status.Error(codes.InvalidArgument, "beacon_id must be 32 bytes of hex")
	}
	rec, err := q.k.Pocs.Get(ctx, id)
	if isNotFound(err) {
		return q.openPoc(ctx, id, req.BeaconId)
	} else if err != nil {
		return nil, err
	}
	res := &types.QueryPocResponse{Poc: rec}
	it, err := q.k.Witnesses.Iterate(ctx, collections.NewSuperPrefixedTripleRange[string, uint64, string](rec.Beaconer, rec.Seq))
	if err != nil {
		return nil, err
	}
	res.Witnesses, err = it.Values()
	return res, err
}

// openPoc answers for a PoC not judged yet: what is known so far.
func (q queryServer) openPoc(ctx context.Context, id []byte, hexID string) (*types.QueryPocResponse, error) {
	open, err := q.k.OpenPocs.Get(ctx, id)
	if isNotFound(err) {
		return nil, types.ErrPocNotFound.Wrapf("no beacon %s", hexID)
	} else if err != nil {
		return nil, err
	}
	b := open.Beacon
	rec := types.PocRecord{
		BeaconId: id, EntropyHeight: b.EntropyHeight, EntropyHash: b.EntropyHash, TimestampNs: b.TimestampNs,
		FrequencyHz: b.FrequencyHz, TxPowerDbm: b.TxPowerDbm, OpenedHeight: open.OpenedHeight,
		WitnessReports: uint32(len(open.Witnesses)),
	}
	if addr, err := hotspottypes.HotspotAddress(b.Pubkey); err == nil {
		rec.Beaconer = addr
	}
	rec.Relayer, rec.CoRelayers = open.Relayers()
	return &types.QueryPocResponse{Poc: rec, Open: true, CloseAtMs: open.CloseAtMs}, nil
}
