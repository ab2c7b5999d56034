package keeper

import (
	"github.com/pocnet/pocd/x/poc/types"
)

type queryServer struct{ k *Keeper }

// NewQueryServerImpl returns the x/poc Query service; one file per query.
func NewQueryServerImpl(k *Keeper) types.QueryServer { return queryServer{k: k} }

var _ types.QueryServer = queryServer{}
