package keeper_test

import (
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/hotspot/types"
)

func TestAddHotspot(t *testing.T) {
	f := setup(t)
	k := hotspotKey("a")
	res, err := f.msgs.AddHotspot(f.ctx, f.addMsg(k, f.owner, types.HOTSPOT_MODE_FULL))
	require.NoError(t, err)

	wantAddr, err := types.HotspotAddress(pub(k))
	require.NoError(t, err)
	require.Equal(t, wantAddr, res.Address)
	require.Equal(t, types.HotspotName(pub(k)), res.Name)

	h, err := f.k.GetHotspot(f.ctx, res.Name)
	require.NoError(t, err)
	require.Equal(t, f.owner, h.Owner)
	require.Equal(t, types.HOTSPOT_MODE_FULL, h.Mode)
	require.Equal(t, int64(7), h.AddedHeight)
	require.Empty(t, h.Location)

	fee := types.DefaultParams().OnboardingFee
	require.Equal(t, fee.String(), f.pool.paid[sdk.AccAddress([]byte("owner_______________")).String()].String())

	var added *types.EventHotspotAdded
	for _, ev := range f.ctx.EventManager().Events() {
		if ev.Type == "pocd.hotspot.v1.EventHotspotAdded" {
			msg, err := sdk.ParseTypedEvent(abciEvent(ev))
			require.NoError(t, err)
			added = msg.(*types.EventHotspotAdded)
		}
	}
	require.NotNil(t, added, "EventHotspotAdded emitted")
	require.Equal(t, res.Address, added.Address)
	require.Equal(t, fee, added.Fee)
}

func TestAddHotspotRejections(t *testing.T) {
	k := hotspotKey("a")
	cases := []struct {
		name   string
		msg    func(f *fixture) *types.MsgAddHotspot
		prep   func(t *testing.T, f *fixture)
		target error
	}{
		{"bad owner address", func(f *fixture) *types.MsgAddHotspot {
			m := f.addMsg(k, f.owner, types.HOTSPOT_MODE_FULL)
			m.Owner = "cosmos1xyz"
			return m
		}, nil, sdkerrors.ErrInvalidAddress},
		{"unspecified mode", func(f *fixture) *types.MsgAddHotspot {
			return f.addMsg(k, f.owner, types.HOTSPOT_MODE_UNSPECIFIED)
		}, nil, types.ErrInvalidMode},
		{"malformed key", func(f *fixture) *types.MsgAddHotspot {
			m := f.addMsg(k, f.owner, types.HOTSPOT_MODE_FULL)
			m.HotspotPubkey = m.HotspotPubkey[:31]
			return m
		}, nil, types.ErrMalformedKey},
		{"signature by another key", func(f *fixture) *types.MsgAddHotspot {
			m := f.addMsg(k, f.owner, types.HOTSPOT_MODE_FULL)
			m.HotspotSignature = ed25519.Sign(hotspotKey("b"), types.AddHotspotSignBytes(testChainID, f.owner, pub(k), types.HOTSPOT_MODE_FULL))
			return m
		}, nil, types.ErrBadSignature},
		{"signature for another owner (replay)", func(f *fixture) *types.MsgAddHotspot {
			m := f.addMsg(k, f.other, types.HOTSPOT_MODE_FULL)
			m.Owner = f.owner
			return m
		}, nil, types.ErrBadSignature},
		{"signature for another mode", func(f *fixture) *types.MsgAddHotspot {
			m := f.addMsg(k, f.owner, types.HOTSPOT_MODE_DATA_ONLY)
			m.Mode = types.HOTSPOT_MODE_FULL
			return m
		}, nil, types.ErrBadSignature},
		{"signature for another chain", func(f *fixture) *types.MsgAddHotspot {
			m := f.addMsg(k, f.owner, types.HOTSPOT_MODE_FULL)
			m.HotspotSignature = ed25519.Sign(k, types.AddHotspotSignBytes("other-chain", f.owner, pub(k), types.HOTSPOT_MODE_FULL))
			return m
		}, nil, types.ErrBadSignature},
		{"empty signature", func(f *fixture) *types.MsgAddHotspot {
			m := f.addMsg(k, f.owner, types.HOTSPOT_MODE_FULL)
			m.HotspotSignature = nil
			return m
		}, nil, types.ErrBadSignature},
		{"duplicate key", func(f *fixture) *types.MsgAddHotspot {
			return f.addMsg(k, f.other, types.HOTSPOT_MODE_FULL)
		}, func(t *testing.T, f *fixture) { f.add(t, "a") }, types.ErrDuplicateHotspot},
		{"cannot pay the onboarding fee", func(f *fixture) *types.MsgAddHotspot {
			return f.addMsg(k, f.owner, types.HOTSPOT_MODE_FULL)
		}, func(t *testing.T, f *fixture) {
			f.pool.balance[sdk.AccAddress([]byte("owner_______________")).String()] = sdk.NewCoins()
		}, sdkerrors.ErrInsufficientFunds},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			if tc.prep != nil {
				tc.prep(t, f)
			}
			before := f.snapshot(t)
			_, err := f.msgs.AddHotspot(f.ctx, tc.msg(f))
			require.ErrorIs(t, err, tc.target)
			require.Equal(t, before, f.snapshot(t), "state changed after a rejected message")
		})
	}
}
