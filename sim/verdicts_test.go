package sim

import (
	"context"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// pruningChain answers Poc for the beacons it holds, like a node that
// prunes PoC records: a pruned beacon is NotFound.
type pruningChain struct {
	poctypes.QueryClient
	mu    sync.Mutex
	held  map[string]*poctypes.QueryPocResponse
	asked map[string]int
}

func (c *pruningChain) Poc(_ context.Context, req *poctypes.QueryPocRequest, _ ...grpc.CallOption) (*poctypes.QueryPocResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked[req.BeaconId]++
	if r, ok := c.held[req.BeaconId]; ok {
		return r, nil
	}
	return nil, status.Error(codes.NotFound, "no such PoC")
}

func (c *pruningChain) prune(id [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.held, hex.EncodeToString(id[:]))
}

func (c *pruningChain) timesAsked(id [32]byte) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.asked[hex.EncodeToString(id[:])]
}

// A beacon judged during a run keeps its verdicts in the summary after the
// chain has pruned its record (the localnet's short epochs do that within
// minutes); a beacon sent longer ago than the watch's window is not asked
// for while the run goes on.
func TestVerdictsSeenDuringTheRunOutliveThePruning(t *testing.T) {
	recent, old := [32]byte{1}, [32]byte{2}
	chain := &pruningChain{asked: map[string]int{}, held: map[string]*poctypes.QueryPocResponse{
		hex.EncodeToString(recent[:]): {Poc: poctypes.PocRecord{Reason: poctypes.REASON_VALID, OpenedHeight: 7},
			Witnesses: []poctypes.WitnessRecord{{Witness: "w1", Reason: poctypes.REASON_TOO_LATE}}},
	}}
	now := time.Now()
	r := &runner{verdicts: newVerdicts(chain), beacons: []sentBeacon{{id: recent, at: now}, {id: old, at: now.Add(-time.Hour)}}}
	r.Logf = t.Logf
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.watchVerdicts(ctx, time.Millisecond, 10*time.Minute)
	}()
	require.Eventually(t, func() bool { return chain.timesAsked(recent) > 0 }, 10*time.Second, time.Millisecond)
	chain.prune(recent)
	cancel()
	<-done
	require.Zero(t, chain.timesAsked(old), "older than the window: left for the end")

	c, err := r.verdicts.lookup(context.Background(), recent)
	require.NoError(t, err)
	require.True(t, c.found, "judged while the run went on")
	require.Equal(t, "valid", c.reason)
	require.Equal(t, int64(7), c.height)
	require.Equal(t, map[string]string{"w1": "too_late"}, c.verdicts)
	c, err = r.verdicts.lookup(context.Background(), old)
	require.NoError(t, err)
	require.False(t, c.found)
}
