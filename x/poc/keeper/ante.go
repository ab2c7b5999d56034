package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// RejectRecordedBeacons fails a transaction that relays a beacon the chain
// has already recorded. It runs in the ante handler, so in CheckTx too: a
// losing relayer's copy never enters the mempool or a block. (Two copies
// that both reach the mempool before either is included are caught by
// MsgSubmitPoc itself with the same error.)
func (k *Keeper) RejectRecordedBeacons(ctx sdk.Context, tx sdk.Tx) error {
	for _, msg := range tx.GetMsgs() {
		m, ok := msg.(*types.MsgSubmitPoc)
		if !ok {
			continue
		}
		id := m.Beacon.ToVerify().ID()
		seen, err := k.Pocs.Has(ctx, id[:])
		if err != nil {
			return err
		}
		if seen {
			return types.ErrDuplicateBeacon.Wrapf("beacon %x is already recorded", id)
		}
	}
	return nil
}
