package types_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
)

// The time parameters are bounded so the relay checks' sums of timestamps
// and windows cannot overflow, and the witness window ends while the
// beacon's entropy is alive.
func TestParamsBoundTheTimeWindows(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	for name, edit := range map[string]func(*types.Params){
		"lifespan over a day":         func(p *types.Params) { p.EntropyLifespanMs = types.MaxEntropyLifespanMs + 1 },
		"lag as long as the lifespan": func(p *types.Params) { p.WitnessLagMs = p.EntropyLifespanMs },
		"lag near the int64 limit":    func(p *types.Params) { p.WitnessLagMs = math.MaxInt64 - 5e12 },
		"lag zero":                    func(p *types.Params) { p.WitnessLagMs = 0 },
		"negative witness lead":       func(p *types.Params) { p.MaxWitnessLeadMs = -1 },
	} {
		p := types.DefaultParams()
		edit(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, name)
	}
	p := types.DefaultParams()
	p.EntropyLifespanMs = types.MaxEntropyLifespanMs
	p.WitnessLagMs = p.EntropyLifespanMs - 1
	require.NoError(t, p.Validate(), "the bounds themselves are allowed")
}
