package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/hotspot/types"
)

func TestUpdateParams(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.MaxGain = 100
	p.RegionPlans = p.RegionPlans[:1] // US915 only
	resp, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: p})
	require.NoError(t, err)
	require.NotNil(t, resp, "the message router marshals the response")
	got, err := f.query.Params(f.ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, p, got.Params)

	// New bounds apply at once.
	addr := f.add(t, "a")
	m := assertMsg(f, addr, res12(0, 0, 0))
	m.Gain = 101
	_, err = f.msgs.AssertLocation(f.ctx, m)
	require.ErrorIs(t, err, types.ErrGainOutOfBounds)
	m.Gain, m.Region = 12, "EU868"
	_, err = f.msgs.AssertLocation(f.ctx, m)
	require.ErrorIs(t, err, types.ErrUnknownRegion)
}

func TestUpdateParamsRejections(t *testing.T) {
	cases := []struct {
		name      string
		authority func(f *fixture) string
		edit      func(p *types.Params)
		target    error
	}{
		{"not the authority", func(f *fixture) string { return f.owner }, func(*types.Params) {}, sdkerrors.ErrUnauthorized},
		{"min gain above max", nil, func(p *types.Params) { p.MinGain = 200 }, types.ErrInvalidParams},
		{"no elevation bound", nil, func(p *types.Params) { p.MaxElevation = 0 }, types.ErrInvalidParams},
		{"no regions", nil, func(p *types.Params) { p.RegionPlans = nil }, types.ErrInvalidParams},
		{"duplicate region", nil, func(p *types.Params) { p.RegionPlans = append(p.RegionPlans, p.RegionPlans[0]) }, types.ErrInvalidParams},
		{"channels not ascending", nil, func(p *types.Params) {
			ch := p.RegionPlans[0].ChannelFrequenciesHz
			ch[0], ch[1] = ch[1], ch[0]
		}, types.ErrInvalidParams},
		{"region without channels", nil, func(p *types.Params) { p.RegionPlans[0].ChannelFrequenciesHz = nil }, types.ErrInvalidParams},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			p := types.DefaultParams()
			tc.edit(&p)
			auth := f.gov
			if tc.authority != nil {
				auth = tc.authority(f)
			}
			before := f.snapshot(t)
			_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: auth, Params: p})
			require.ErrorIs(t, err, tc.target)
			require.Equal(t, before, f.snapshot(t))
		})
	}
}
