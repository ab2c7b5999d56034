package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/pocnet/pocd/x/rewards/types"
)

const day = 24 * 3600

func TestEpochEmissionAcrossHalving(t *testing.T) {
	p := types.DefaultParams()
	// one-day epochs: 5,000,000 HNT / 30 = 166,666.66666666 HNT per day
	first := p.EpochEmission(1, day)
	require.Equal(t, "16666666666666", first.String())
	// epochs 1..730 are in the first two years; 731 is the first halved one
	require.Equal(t, first, p.EpochEmission(730, day))
	require.Equal(t, first.QuoRaw(2), p.EpochEmission(731, day))
	require.Equal(t, first.QuoRaw(4), p.EpochEmission(1461, day))
	require.Equal(t, int64(731), p.NextHalvingEpoch(1, day))
	require.Equal(t, int64(1461), p.NextHalvingEpoch(731, day))
	require.True(t, p.EpochEmission(0, day).IsZero())
	// 10-second devnet epochs: 5e14 * 10 / 2592000
	require.Equal(t, "1929012345", p.EpochEmission(1, 10).String())
}

func TestSplitLosesNothing(t *testing.T) {
	p := types.DefaultParams()
	for _, e := range []int64{0, 1, 7, 99, 16666666666666, 1929012345} {
		b, w, v, c := p.Split(sdkmath.NewInt(e))
		require.Equal(t, e, b.Add(w).Add(v).Add(c).Int64(), "emission %d", e)
	}
	b, w, v, c := p.Split(sdkmath.NewInt(1000))
	require.Equal(t, []int64{160, 640, 100, 100}, []int64{b.Int64(), w.Int64(), v.Int64(), c.Int64()})
	b, w, v, c = p.Split(sdkmath.NewInt(99)) // truncation remainders go to witnesses
	require.Equal(t, []int64{15, 66, 9, 9}, []int64{b.Int64(), w.Int64(), v.Int64(), c.Int64()})
}

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	p := types.DefaultParams()
	p.CommunityShare = sdkmath.LegacyNewDecWithPrec(11, 2)
	require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
	p = types.DefaultParams()
	p.PayoutBatchSize = 0
	require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
}

// Attack 8: history_epochs below the payout horizon let a hotspot's record
// for an epoch be pruned while the epoch could still pay it, so it could be
// paid twice. Such a history is refused, with the rule in the error.
func TestAttackHistoryBelowPayoutHorizonRefused(t *testing.T) {
	p := types.DefaultParams()
	for _, h := range []uint64{0, 1, 30, types.MinHistoryEpochs - 1} {
		p.HistoryEpochs = h
		err := p.Validate()
		require.ErrorIs(t, err, types.ErrInvalidParams, "history_epochs %d", h)
		require.ErrorContains(t, err, "payout horizon")
	}
	p.HistoryEpochs = types.MinHistoryEpochs
	require.NoError(t, p.Validate())
	require.GreaterOrEqual(t, types.DefaultParams().HistoryEpochs, uint64(types.MinHistoryEpochs))
}
