package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/pocnet/pocd/x/poc/types"
)

// The one home of PoC records: every write and removal of a record and its
// indexes goes through these functions (judging, genesis and pruning alike).

// putPoc writes a judged PoC's record with its beaconer index and its
// pruning index under prunedFrom: the height its retention counts from, the
// judging height except for records a genesis imports (genesis.go).
func (k *Keeper) putPoc(ctx context.Context, rec types.PocRecord, prunedFrom int64) error {
	if err := k.Pocs.Set(ctx, rec.BeaconId, rec); err != nil {
		return err
	}
	if err := k.PocsByHeight.Set(ctx, collections.Join(prunedFrom, rec.BeaconId)); err != nil {
		return err
	}
	if rec.Beaconer == "" {
		return nil
	}
	return k.PocsByBeaconer.Set(ctx, collections.Join(rec.Beaconer, rec.Seq), rec.BeaconId)
}

// putWitness writes a witness verdict with its witness-side index.
func (k *Keeper) putWitness(ctx context.Context, w types.WitnessRecord) error {
	if err := k.Witnesses.Set(ctx, collections.Join3(w.Beaconer, w.Seq, w.Witness), w); err != nil {
		return err
	}
	return k.Witnessed.Set(ctx, collections.Join3(w.Witness, w.Seq, w.Beaconer))
}

// removePoc deletes a record, its witness verdicts and every index, and
// returns how many entries it deleted (pruning's budget counts them). rec
// is the record pruning has read; nil when it is gone, and then only the
// height index entry (height, id) is removed.
func (k *Keeper) removePoc(ctx context.Context, height int64, id []byte, rec *types.PocRecord) (int, error) {
	deleted := 1
	if err := k.PocsByHeight.Remove(ctx, collections.Join(height, id)); err != nil {
		return 0, err
	}
	if rec == nil {
		return deleted, nil
	}
	it, err := k.Witnesses.Iterate(ctx, collections.NewSuperPrefixedTripleRange[string, uint64, string](rec.Beaconer, rec.Seq))
	if err != nil {
		return 0, err
	}
	wkeys, err := it.Keys()
	if err != nil {
		return 0, err
	}
	for _, wk := range wkeys {
		if err := k.Witnesses.Remove(ctx, wk); err != nil {
			return 0, err
		}
		if err := k.Witnessed.Remove(ctx, collections.Join3(wk.K3(), rec.Seq, rec.Beaconer)); err != nil {
			return 0, err
		}
		deleted += 2
	}
	if rec.Beaconer != "" {
		if err := k.PocsByBeaconer.Remove(ctx, collections.Join(rec.Beaconer, rec.Seq)); err != nil {
			return 0, err
		}
		deleted++
	}
	return deleted + 1, k.Pocs.Remove(ctx, id)
}
