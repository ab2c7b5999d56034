package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// CheckRelays refuses, in CheckTx as in a block, a transaction carrying a
// relay the chain would refuse: from an account that is not a bonded
// validator's registered relayer, with a beacon its hotspot did not sign,
// of a beacon already judged or closed, or before its witness window can
// have closed. The app runs it after the SDK's ante handler, so a refused
// relay has paid its fee in CheckTx terms and a spammer cannot make a node
// verify signatures for free.
func (k *Keeper) CheckRelays(ctx sdk.Context, tx sdk.Tx) error {
	var p *types.Params
	for _, msg := range tx.GetMsgs() {
		m, ok := msg.(*types.MsgSubmitPoc)
		if !ok {
			continue
		}
		if p == nil {
			got, err := k.Params.Get(ctx)
			if err != nil {
				return err
			}
			p = &got
		}
		if _, _, err := k.checkRelay(ctx, *p, m); err != nil {
			return err
		}
	}
	return nil
}
