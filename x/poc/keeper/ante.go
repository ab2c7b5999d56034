package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// CheckRelays refuses, in CheckTx as in a block, a transaction carrying a
// relay the chain would refuse: from an account that is not a bonded
// validator's registered relayer, with a beacon its hotspot did not sign,
// of a beacon already judged or closed, or before its witness window can
// have closed, or long stale. The app runs it after the SDK's ante handler
// (fee and signature checks): only a transaction that could pay its fee
// makes the node verify a beacon signature. (A refused relay's fee is
// rolled back with the rest of the ante state, as for any failed ante.)
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
		if _, err := k.checkRelay(ctx, *p, m); err != nil {
			return err
		}
	}
	return nil
}
