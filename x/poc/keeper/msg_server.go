package keeper

import "github.com/pocnet/pocd/x/poc/types"

type msgServer struct{ k *Keeper }

// NewMsgServerImpl returns the x/poc Msg service; one file per message.
func NewMsgServerImpl(k *Keeper) types.MsgServer { return msgServer{k: k} }

var _ types.MsgServer = msgServer{}
