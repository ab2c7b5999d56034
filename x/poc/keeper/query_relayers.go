package keeper

import (
	"context"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/x/poc/types"
)

// Relayers lists the registrations (relay account, ingest peer ID), by
// validator operator.
func (q queryServer) Relayers(ctx context.Context, req *types.QueryRelayersRequest) (*types.QueryRelayersResponse, error) {
	if req == nil {
		req = &types.QueryRelayersRequest{}
	}
	regs, page, err := query.CollectionPaginate(ctx, q.k.Relayers, req.Pagination,
		func(_ string, r types.RelayerRegistration) (types.RelayerRegistration, error) { return r, nil })
	if err != nil {
		return nil, err
	}
	return &types.QueryRelayersResponse{Relayers: regs, Pagination: page}, nil
}
