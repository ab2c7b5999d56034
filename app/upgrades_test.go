package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/app/upgrades"
)

// The pattern is ready for the first upgrade: anything listed in upgrades.All
// gets a handler registered with x/upgrade when the app is built.
func TestUpgradesAreRegistered(t *testing.T) {
	saved := upgrades.All
	t.Cleanup(func() { upgrades.All = saved })
	upgrades.All = append(upgrades.All, upgrades.Upgrade{Name: "v2-test"})

	a := newApp(t)
	require.True(t, a.UpgradeKeeper.HasHandler("v2-test"))
	require.False(t, a.UpgradeKeeper.HasHandler("never-declared"))
}
