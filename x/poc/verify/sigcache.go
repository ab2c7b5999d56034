package verify

import (
	"crypto/ed25519"
	"crypto/sha256"
	"sync"
)

// A relayed report's signature is checked twice on a validator: when the
// report arrives over gossip (ingest refuses forgeries before storing them)
// and again when the block that includes it executes. verifiedSigs
// remembers the signatures that verified, so the block's check of a report
// this process has already checked costs a hash instead of an ed25519
// verification (13 % of a loaded node's CPU, all of it on the thread that
// executes blocks, before it existed: docs/benchmarks.md).
//
// It cannot change a verdict. Only (key, message, signature) triples that
// ed25519.Verify accepted are added, ed25519.Verify is a pure function of
// the triple, and the cache key is a SHA-256 of the whole triple, so a hit
// returns exactly what verifying again would. What is in the cache (which
// differs between nodes) decides only how long the check takes; gas is
// charged per witness whether or not it hits.
var verifiedSigs = newSigCache(1 << 17)

// sigCache is a fixed-size set of verified triples; the oldest entry is
// evicted first. At 2,000 reports a second it holds about a minute, longer
// than a report waits between ingest and its block. It grows as it is
// used, so a process that never verifies (a CLI) pays nothing for it.
type sigCache struct {
	size int
	mu   sync.Mutex
	set  map[[32]byte]struct{}
	ring [][32]byte // insertion order, for eviction
	next int
}

// A size of 0 disables it (benchmarks of the uncached path use that).
func newSigCache(size int) *sigCache {
	return &sigCache{size: size, set: map[[32]byte]struct{}{}}
}

// sigKey hashes the triple. Key and signature have fixed sizes (checked by
// the caller), so plain concatenation is unambiguous.
func sigKey(pub, msg, sig []byte) [32]byte {
	h := sha256.New()
	h.Write(pub)
	h.Write(sig)
	h.Write(msg)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *sigCache) has(k [32]byte) bool {
	c.mu.Lock()
	_, ok := c.set[k]
	c.mu.Unlock()
	return ok
}

func (c *sigCache) add(k [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.set[k]; ok {
		return
	}
	if len(c.ring) < c.size {
		c.ring = append(c.ring, k)
	} else {
		delete(c.set, c.ring[c.next])
		c.ring[c.next] = k
		c.next = (c.next + 1) % len(c.ring)
	}
	c.set[k] = struct{}{}
}

// verify is ed25519.Verify with the cache in front.
func (c *sigCache) verify(pub, msg, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	if c.size == 0 {
		return ed25519.Verify(pub, msg, sig)
	}
	k := sigKey(pub, msg, sig)
	if c.has(k) {
		return true
	}
	if !ed25519.Verify(pub, msg, sig) {
		// Not cached: a flood of forgeries must not evict genuine entries.
		return false
	}
	c.add(k)
	return true
}
