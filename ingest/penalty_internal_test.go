package ingest

import (
	"strconv"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"
)

// A peer's penalty points halve every ten minutes; above nine and a half
// points (ten rejections in a row, less what decayed meanwhile) its
// deliveries are refused as blocked until they decay.
func TestPenaltyPointsHalveAndBlock(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	b := newPenaltyBox(func() time.Time { return now })
	p := peer.ID("p")
	b.penalise(p)
	require.InDelta(t, 1, b.points(p), 1e-9)
	now = now.Add(penaltyHalfLife)
	require.InDelta(t, 0.5, b.points(p), 1e-9)
	now = now.Add(-time.Minute) // a clock stepped back changes nothing
	require.InDelta(t, 0.5, b.points(p), 1e-9)

	q := peer.ID("q")
	for range 9 {
		b.penalise(q)
	}
	require.Empty(t, b.admit(q), "nine points: still admitted")
	b.penalise(q)
	require.Equal(t, IgnoreBlocked, b.admit(q), "ten points")
	now = now.Add(penaltyHalfLife)
	require.Empty(t, b.admit(q), "five points after ten minutes")

	r := peer.ID("r")
	for range 19 {
		b.penalise(r)
	}
	now = now.Add(penaltyHalfLife)
	require.Empty(t, b.admit(r), "exactly nine and a half points")
	b.penalise(r)
	require.Equal(t, IgnoreBlocked, b.admit(r))
}

// Deliveries are paced by a token bucket: a burst of 30, then one a second,
// never more than the burst after a quiet spell.
func TestDeliveriesArePacedByATokenBucket(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	b := newPenaltyBox(func() time.Time { return now })
	p := peer.ID("p")
	for i := range deliveryBurst {
		require.Empty(t, b.admit(p), "delivery %d of the burst", i)
	}
	require.Equal(t, IgnoreRateLimited, b.admit(p))
	now = now.Add(time.Second)
	require.Empty(t, b.admit(p), "one token a second")
	require.Equal(t, IgnoreRateLimited, b.admit(p))
	now = now.Add(500 * time.Millisecond)
	require.Equal(t, IgnoreRateLimited, b.admit(p), "half a token")
	now = now.Add(time.Hour)
	for range deliveryBurst {
		require.Empty(t, b.admit(p))
	}
	require.Equal(t, IgnoreRateLimited, b.admit(p), "a quiet hour refills the burst, no more")
}

// The records are bounded: at 100,000 peers a new one first drops the idle
// records (no penalty left, a full bucket), keeping the penalised and the
// busy; if none is idle (a flood of fresh peer IDs) it starts over.
func TestPenaltyRecordsAreBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	b := newPenaltyBox(func() time.Time { return now })
	for i := range maxPeerRecords - 2 {
		b.peers[peer.ID(strconv.Itoa(i))] = &peerRecord{tokens: deliveryBurst, at: now}
	}
	b.penalise("penalised")
	require.Empty(t, b.admit("busy"))
	require.Len(t, b.peers, maxPeerRecords)
	b.admit("new")
	require.Len(t, b.peers, 3, "the idle records went")
	require.InDelta(t, 1, b.points("penalised"), 1e-9)
	require.Contains(t, b.peers, peer.ID("busy"))

	// Just under the bound nothing is dropped.
	b = newPenaltyBox(func() time.Time { return now })
	for i := range maxPeerRecords - 1 {
		b.peers[peer.ID(strconv.Itoa(i))] = &peerRecord{tokens: deliveryBurst, at: now}
	}
	b.admit("new")
	require.Len(t, b.peers, maxPeerRecords)

	// A record is idle once its points decayed below half a point and its
	// bucket refilled: then dropped, and not before. The others here stay
	// penalised, so what is dropped decides whether the box starts over.
	fill := func(special peerRecord) *penaltyBox {
		b := newPenaltyBox(func() time.Time { return now })
		for i := range maxPeerRecords - 1 {
			b.peers[peer.ID(strconv.Itoa(i))] = &peerRecord{points: 100, tokens: deliveryBurst, at: now}
		}
		special.at = now
		b.peers["special"] = &special
		return b
	}
	start := now
	b = fill(peerRecord{points: 1, tokens: deliveryBurst})
	now = start.Add(penaltyHalfLife) // exactly half a point left: kept, nothing freed
	b.admit("new")
	require.Len(t, b.peers, 1, "nothing idle: started over")
	now = start
	b = fill(peerRecord{points: 1, tokens: deliveryBurst})
	now = start.Add(penaltyHalfLife + time.Second)
	b.admit("new")
	require.Len(t, b.peers, maxPeerRecords, "the decayed record went, the penalised stayed")
	require.NotContains(t, b.peers, peer.ID("special"))
	now = start
	b = fill(peerRecord{tokens: deliveryBurst - 1})
	now = start.Add(time.Second) // its token back
	b.admit("new")
	require.Len(t, b.peers, maxPeerRecords, "the refilled record went")
	require.NotContains(t, b.peers, peer.ID("special"))

	// Every record penalised: start over.
	b = newPenaltyBox(func() time.Time { return now })
	for i := range maxPeerRecords {
		b.peers[peer.ID(strconv.Itoa(i))] = &peerRecord{points: 5, tokens: deliveryBurst, at: now}
	}
	b.admit("new")
	require.Len(t, b.peers, 1)
}
