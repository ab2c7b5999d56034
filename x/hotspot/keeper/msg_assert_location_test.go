package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/geo"
	"github.com/pocnet/pocd/x/hotspot/types"
)

func assertMsg(f *fixture, hs, cell string) *types.MsgAssertLocation {
	return &types.MsgAssertLocation{Owner: f.owner, Hotspot: hs, Location: cell, Gain: 12, Elevation: 5, Region: "US915"}
}

func ownerPaid(f *fixture) sdk.Coins {
	return f.pool.paid[sdk.AccAddress([]byte("owner_______________")).String()]
}

func TestAssertLocationFeesAndNonce(t *testing.T) {
	f := setup(t)
	addr := f.add(t, "a")
	onboarding := types.DefaultParams().OnboardingFee
	locFee := types.DefaultParams().LocationFee

	res, err := f.msgs.AssertLocation(f.ctx, assertMsg(f, addr, res12(0, 0, 0)))
	require.NoError(t, err)
	require.Equal(t, uint64(1), res.Nonce)
	require.Equal(t, onboarding.Add(locFee...).String(), ownerPaid(f).String(), "first assertion charges the location fee")

	// Gain and elevation only: free, nonce still counts.
	m := assertMsg(f, addr, res12(0, 0, 0))
	m.Gain, m.Elevation = 30, 20
	res, err = f.msgs.AssertLocation(f.ctx, m)
	require.NoError(t, err)
	require.Equal(t, uint64(2), res.Nonce)
	require.Equal(t, onboarding.Add(locFee...).String(), ownerPaid(f).String(), "gain/elevation update is free")

	// Accept the cell in any hex case and with 0x: it is the same location, so free.
	res, err = f.msgs.AssertLocation(f.ctx, assertMsg(f, addr, "0x"+upper(res12(0, 0, 0))))
	require.NoError(t, err)
	require.Equal(t, onboarding.Add(locFee...).String(), ownerPaid(f).String())

	// New cell: charged again.
	_, err = f.msgs.AssertLocation(f.ctx, assertMsg(f, addr, res12(1, 0, 0)))
	require.NoError(t, err)
	require.Equal(t, onboarding.Add(locFee...).Add(locFee...).String(), ownerPaid(f).String())

	h, err := f.k.GetHotspot(f.ctx, addr)
	require.NoError(t, err)
	require.Equal(t, res12(1, 0, 0), h.Location)
	require.Equal(t, uint64(4), h.LocationNonce)
	require.Equal(t, int32(12), h.Gain)
	require.Equal(t, "US915", h.Region)
	require.Equal(t, int64(7), h.AssertedHeight)
	want := geo.CellCenter(mustCell(t, res12(1, 0, 0)))
	require.Equal(t, types.Vec3{X: want.X, Y: want.Y, Z: want.Z}, h.LocationCenter, "centre stored with the location")
}

func mustCell(t *testing.T, s string) uint64 {
	c, err := types.ParseCell(s)
	require.NoError(t, err)
	return uint64(c)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func TestAssertLocationRejections(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(f *fixture, m *types.MsgAssertLocation)
		target error
	}{
		{"unknown hotspot", func(f *fixture, m *types.MsgAssertLocation) {
			m.Hotspot = "12D3KooWNraH1DNwetvx2kMwtrFaADdwWawoKXCwXnwbK1i8UtWg"
		}, types.ErrHotspotNotFound},
		{"unknown name", func(f *fixture, m *types.MsgAssertLocation) { m.Hotspot = "no-such-name" }, types.ErrHotspotNotFound},
		{"not the owner", func(f *fixture, m *types.MsgAssertLocation) { m.Owner = f.other }, types.ErrNotOwner},
		{"bad owner address", func(f *fixture, m *types.MsgAssertLocation) { m.Owner = "nope" }, sdkerrors.ErrInvalidAddress},
		{"resolution 11", func(f *fixture, m *types.MsgAssertLocation) { m.Location = "8b28308280c0fff" }, types.ErrWrongResolution},
		{"not hex", func(f *fixture, m *types.MsgAssertLocation) { m.Location = "somewhere" }, types.ErrMalformedCell},
		{"invalid digit", func(f *fixture, m *types.MsgAssertLocation) { m.Location = "8c2a1072b59ffff" }, types.ErrMalformedCell},
		{"gain below min", func(f *fixture, m *types.MsgAssertLocation) { m.Gain = 9 }, types.ErrGainOutOfBounds},
		{"gain above max", func(f *fixture, m *types.MsgAssertLocation) { m.Gain = 151 }, types.ErrGainOutOfBounds},
		{"unknown region", func(f *fixture, m *types.MsgAssertLocation) { m.Region = "MARS1" }, types.ErrUnknownRegion},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			addr := f.add(t, "a")
			m := assertMsg(f, addr, res12(0, 0, 0))
			tc.edit(f, m)
			before := f.snapshot(t)
			_, err := f.msgs.AssertLocation(f.ctx, m)
			require.ErrorIs(t, err, tc.target)
			require.Equal(t, before, f.snapshot(t), "state changed after a rejected message")
		})
	}
	t.Run("cannot pay the location fee", func(t *testing.T) {
		f := setup(t)
		addr := f.add(t, "a")
		f.pool.balance[sdk.AccAddress([]byte("owner_______________")).String()] = sdk.NewCoins()
		before := f.snapshot(t)
		_, err := f.msgs.AssertLocation(f.ctx, assertMsg(f, addr, res12(0, 0, 0)))
		require.ErrorIs(t, err, sdkerrors.ErrInsufficientFunds)
		require.Equal(t, before, f.snapshot(t))
	})
	t.Run("gain bounds are inclusive", func(t *testing.T) {
		f := setup(t)
		addr := f.add(t, "a")
		for _, g := range []int32{10, 150} {
			m := assertMsg(f, addr, res12(0, 0, 0))
			m.Gain = g
			_, err := f.msgs.AssertLocation(f.ctx, m)
			require.NoError(t, err, "gain %d", g)
		}
	})
}
