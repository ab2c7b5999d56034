package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// The close budget: PoCs that together fit it exactly close in one block,
// and a PoC with more reports than the whole budget (two relayers' copies)
// still closes, alone, in the next block: a backlog always drains.
func TestCloseBudgetFitsExactlyAndNeverStallsOnABigPoc(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.BeaconIntervalMs = 0 // several beacons of one hotspot
	p.MaxCloseWitnessesPerBlock = types.MinCloseWitnessesPerBlock
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	budget := int(p.MaxCloseWitnessesPerBlock)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	for j := 0; j < budget+16; j++ {
		f.hotspot(t, fmt.Sprintf("good%d", j), cellAt(t, 5, float64(j*5)))
	}
	f.seasoned(t, b)
	witnesses := func(beacon *verify.Beacon, from, to int) []verify.Witness {
		var ws []verify.Witness
		for j := from; j < to; j++ {
			ws = append(ws, f.witness(fmt.Sprintf("good%d", j), beacon, int64(j), -950))
		}
		return ws
	}
	judged := func(id []byte) bool {
		ok, err := f.k.Pocs.Has(f.ctx, id)
		require.NoError(t, err)
		return ok
	}

	// Two PoCs of half the budget each: both close in one block.
	var halves [][]byte
	for i := 0; i < 2; i++ {
		beacon := f.beacon("beaconer", byte(10+i))
		res, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, witnesses(beacon, 0, budget/2)...))
		require.NoError(t, err)
		halves = append(halves, res.BeaconId)
	}
	f.closeDue(t)
	require.True(t, judged(halves[0]))
	require.True(t, judged(halves[1]), "the second PoC fits the budget left exactly")

	// One PoC with more reports than the budget, from two relayers.
	second := bech([]byte("relayer2____________"))
	f.registerRelayer(t, bech([]byte("operator2___________")), second)
	beacon := f.beacon("beaconer", 20)
	res, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, witnesses(beacon, 0, budget/2+8)...))
	require.NoError(t, err)
	m := f.msg(beacon, witnesses(beacon, budget/2+8, budget+16)...)
	m.Relayer = second
	_, err = f.msgs.SubmitPoc(f.ctx, m)
	require.NoError(t, err)
	open, err := f.k.OpenPocs.Get(f.ctx, res.BeaconId)
	require.NoError(t, err)
	require.Greater(t, len(open.Witnesses), budget, "the PoC holds more reports than a block's budget")
	f.closeDue(t)
	require.True(t, judged(res.BeaconId), "a PoC bigger than the budget still closes")
}
