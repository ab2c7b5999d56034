package keeper

import (
	"github.com/pocnet/pocd/x/hotspot/types"
)

type msgServer struct{ k *Keeper }

// NewMsgServerImpl returns the x/hotspot Msg service. Each handler lives in
// its own msg_*.go file; every handler validates fully before its first write,
// so a rejected message changes nothing.
func NewMsgServerImpl(k *Keeper) types.MsgServer { return msgServer{k: k} }

var _ types.MsgServer = msgServer{}
