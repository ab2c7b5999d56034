package ingest

import (
	"math"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// penaltyBox is gossipsub's peer scoring for what does not travel by
// gossip (direct beacon deliveries): each rejected delivery adds one
// penalty point, points halve every penaltyHalfLife, and a peer with
// blockAt points or more is refused outright until they decay. It also
// paces each peer's deliveries with a token bucket (an honest hotspot
// delivers one beacon per interval, plus a few retries).
type penaltyBox struct {
	mu    sync.Mutex
	now   func() time.Time
	peers map[peer.ID]*peerRecord
}

type peerRecord struct {
	points float64
	tokens float64
	at     time.Time
}

const (
	penaltyHalfLife = 10 * time.Minute
	blockAt         = 10
	deliveryBurst   = 30 // deliveries at once (a beacon retried for a few blocks)
	deliveryRate    = 1  // per second, sustained
	maxPeerRecords  = 100_000
)

func newPenaltyBox(now func() time.Time) *penaltyBox {
	return &penaltyBox{now: now, peers: map[peer.ID]*peerRecord{}}
}

// record returns p's record brought up to now (called with mu held).
func (b *penaltyBox) record(p peer.ID) *peerRecord {
	now := b.now()
	r, ok := b.peers[p]
	if !ok {
		if len(b.peers) >= maxPeerRecords {
			b.forgetIdle(now)
		}
		r = &peerRecord{tokens: deliveryBurst, at: now}
		b.peers[p] = r
		return r
	}
	dt := now.Sub(r.at)
	if dt > 0 {
		r.points *= math.Exp2(-dt.Seconds() / penaltyHalfLife.Seconds())
		r.tokens = math.Min(deliveryBurst, r.tokens+dt.Seconds()*deliveryRate)
		r.at = now
	}
	return r
}

// forgetIdle drops records with no penalty left and a full bucket; if
// that frees nothing (a flood of fresh peer IDs), it starts over.
func (b *penaltyBox) forgetIdle(now time.Time) {
	for p, r := range b.peers {
		if r.points*math.Exp2(-now.Sub(r.at).Seconds()/penaltyHalfLife.Seconds()) < 0.5 &&
			r.tokens+now.Sub(r.at).Seconds()*deliveryRate >= deliveryBurst {
			delete(b.peers, p)
		}
	}
	if len(b.peers) >= maxPeerRecords {
		clear(b.peers)
	}
}

// admit reports whether p may deliver now: "" if so, else the reason.
func (b *penaltyBox) admit(p peer.ID) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.record(p)
	if r.points > blockAt-0.5 { // ten rejections in a row, though points decay meanwhile
		return IgnoreBlocked
	}
	if r.tokens < 1 {
		return IgnoreRateLimited
	}
	r.tokens--
	return ""
}

// penalise adds a penalty point to p.
func (b *penaltyBox) penalise(p peer.ID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.record(p).points++
}

// points is p's current penalty.
func (b *penaltyBox) points(p peer.ID) float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.record(p).points
}
