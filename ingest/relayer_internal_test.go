package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// For every beacon the validators' turns are a permutation of 0..n-1 times
// relay-jitter: exactly one relays first, and every validator is first for
// about 1/n of the beacons.
func TestRelayTurnsArePerBeaconPermutations(t *testing.T) {
	ids := [][]byte{[]byte("val0"), []byte("val1"), []byte("val2"), []byte("val3")}
	relayers := make([]*Relayer, len(ids))
	for i, self := range ids {
		r := &Relayer{cfg: Config{RelayJitter: 4 * time.Second}, self: self}
		for j, p := range ids {
			if j != i {
				r.peers = append(r.peers, p)
			}
		}
		relayers[i] = r
	}
	first := make([]int, len(ids))
	for b := 0; b < 4000; b++ {
		var id [32]byte
		copy(id[:], fmt.Sprint(b))
		seen := map[time.Duration]bool{}
		for i, r := range relayers {
			d := r.turn(id)
			require.False(t, seen[d], "two validators share a turn")
			seen[d] = true
			if d == 0 {
				first[i]++
			}
		}
		for k := 0; k < len(ids); k++ {
			require.True(t, seen[time.Duration(k)*4*time.Second])
		}
	}
	for i, n := range first {
		require.InDelta(t, 1000, n, 150, "validator %d is first for about a quarter of the beacons", i)
	}
	alone := &Relayer{cfg: Config{RelayJitter: 4 * time.Second}, self: ids[0]}
	require.Zero(t, alone.turn([32]byte{1}), "a validator without peers relays at once")
}

// With the default config and x/poc's default params, four validators'
// turns fit in the close grace: the first rank's relay opens the PoC for
// close_grace_ms; the last rank relays (4 - 1) x relay-jitter later, plus a
// relay round and two 5 s blocks to land. And the default witness window
// is past the chain's witness lag, so it alone decides when a beacon is due.
func TestDefaultRelayTurnsFitCloseGrace(t *testing.T) {
	cfg := DefaultConfig()
	p := poctypes.DefaultParams()
	grace := time.Duration(p.CloseGraceMs) * time.Millisecond
	const validators = 4
	last := (validators-1)*cfg.RelayJitter + cfg.RelayInterval + 2*5*time.Second
	require.Less(t, last, grace, "the last rank's relay lands while the PoC is open")
	require.GreaterOrEqual(t, cfg.WitnessWindow, time.Duration(p.WitnessLagMs)*time.Millisecond+relayTimeSlack)
}
