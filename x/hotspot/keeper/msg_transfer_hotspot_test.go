package keeper_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/pocnet/pocd/x/hotspot/types"
)

func TestTransferHotspot(t *testing.T) {
	f := setup(t)
	addr := f.add(t, "a")
	_, err := f.msgs.AssertLocation(f.ctx, assertMsg(f, addr, res12(0, 0, 0)))
	require.NoError(t, err)

	resp, err := f.msgs.TransferHotspot(f.ctx, &types.MsgTransferHotspot{Owner: f.owner, Hotspot: addr, NewOwner: f.other})
	require.NoError(t, err)
	// The message router marshals the response: a handler that returns
	// none fails the transaction in the app.
	require.NotNil(t, resp)
	h, err := f.k.GetHotspot(f.ctx, addr)
	require.NoError(t, err)
	require.Equal(t, f.other, h.Owner)
	require.Equal(t, res12(0, 0, 0), h.Location, "location survives a transfer")

	// The owner index moved with it.
	res, err := f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Owner: f.owner})
	require.NoError(t, err)
	require.Empty(t, res.Hotspots)
	res, err = f.query.Hotspots(f.ctx, &types.QueryHotspotsRequest{Owner: f.other})
	require.NoError(t, err)
	require.Len(t, res.Hotspots, 1)

	// The old owner can no longer act on it.
	_, err = f.msgs.AssertLocation(f.ctx, assertMsg(f, addr, res12(1, 0, 0)))
	require.ErrorIs(t, err, types.ErrNotOwner)
}

func TestTransferHotspotRejections(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(f *fixture, m *types.MsgTransferHotspot)
		target error
	}{
		{"unknown hotspot", func(f *fixture, m *types.MsgTransferHotspot) { m.Hotspot = "brave-amber-otter" }, types.ErrHotspotNotFound},
		{"not the owner", func(f *fixture, m *types.MsgTransferHotspot) { m.Owner = f.other }, types.ErrNotOwner},
		{"bad new owner", func(f *fixture, m *types.MsgTransferHotspot) { m.NewOwner = "xyz" }, sdkerrors.ErrInvalidAddress},
		{"bad owner", func(f *fixture, m *types.MsgTransferHotspot) { m.Owner = "" }, sdkerrors.ErrInvalidAddress},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			addr := f.add(t, "a")
			m := &types.MsgTransferHotspot{Owner: f.owner, Hotspot: addr, NewOwner: f.other}
			tc.edit(f, m)
			before := f.snapshot(t)
			_, err := f.msgs.TransferHotspot(f.ctx, m)
			require.ErrorIs(t, err, tc.target)
			require.Equal(t, before, f.snapshot(t))
		})
	}
}

// Attack 8: a hotspot transferred to a module account (fee collector,
// distribution, bonded pool: addresses the bank refuses to send to) made
// every x/rewards payout batch that reached it fail. Such a new owner is now
// refused, and nothing changes.
func TestAttackPayoutStoppedByTransferToModuleAccount(t *testing.T) {
	for _, name := range []string{authtypes.FeeCollectorName, "distribution", "bonded_tokens_pool"} {
		t.Run(name, func(t *testing.T) {
			f := setup(t)
			addr := f.add(t, "a")
			before := f.snapshot(t)
			module := bech32(authtypes.NewModuleAddress(name))
			_, err := f.msgs.TransferHotspot(f.ctx, &types.MsgTransferHotspot{Owner: f.owner, Hotspot: addr, NewOwner: module})
			require.ErrorIs(t, err, types.ErrBlockedOwner)
			require.ErrorContains(t, err, module)
			require.Equal(t, before, f.snapshot(t), "a refused transfer changes nothing")
			h, err := f.k.GetHotspot(f.ctx, addr)
			require.NoError(t, err)
			require.Equal(t, f.owner, h.Owner)
		})
	}
	// An ordinary account still receives hotspots.
	f := setup(t)
	addr := f.add(t, "a")
	_, err := f.msgs.TransferHotspot(f.ctx, &types.MsgTransferHotspot{Owner: f.owner, Hotspot: addr, NewOwner: f.other})
	require.NoError(t, err)
}

// The same rule where a hotspot first gets its owner: MsgAddHotspot. (A
// module account cannot sign today, but a message executed on its behalf
// must not register a hotspot it could never be paid for.)
func TestAttackPayoutStoppedByAddHotspotForModuleAccount(t *testing.T) {
	f := setup(t)
	module := bech32(authtypes.NewModuleAddress(authtypes.FeeCollectorName))
	before := f.snapshot(t)
	_, err := f.msgs.AddHotspot(f.ctx, f.addMsg(hotspotKey("m"), module, types.HOTSPOT_MODE_FULL))
	require.ErrorIs(t, err, types.ErrBlockedOwner)
	require.Equal(t, before, f.snapshot(t))
}

// refusingHook is a transfer hook that refuses, as x/rewards would if it
// could not settle the hotspot's rewards with its current owner first.
type refusingHook struct{ called []string }

var errHookRefused = errors.New("settle first")

func (r *refusingHook) BeforeHotspotTransfer(_ context.Context, hotspot string) error {
	r.called = append(r.called, hotspot)
	return errHookRefused
}

func TestTransferHotspotRefusedByHook(t *testing.T) {
	f := setup(t)
	addr := f.add(t, "a")
	hook := &refusingHook{}
	f.k.SetTransferHooks(hook)
	before := f.snapshot(t)
	_, err := f.msgs.TransferHotspot(f.ctx, &types.MsgTransferHotspot{Owner: f.owner, Hotspot: addr, NewOwner: f.other})
	require.ErrorIs(t, err, errHookRefused)
	require.Equal(t, []string{addr}, hook.called)
	require.Equal(t, before, f.snapshot(t), "a transfer the hook refuses changes nothing")
}
