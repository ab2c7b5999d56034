package sim

import (
	"context"
	"encoding/hex"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// onChain is what the chain judged of one beacon.
type onChain struct {
	found    bool // judged: an open PoC has no verdicts yet
	reason   string
	height   int64 // the block whose relay opened the PoC
	verdicts map[string]string
}

// verdicts looks beacons up on chain and keeps what it found. The sim looks
// its beacons up while it runs (watchVerdicts), not only at its end: the
// chain keeps full PoC records for record_retention_blocks (an hour of 1 s
// blocks by default), so a long run's first beacons would be gone from the
// chain by the time it summarises.
type verdicts struct {
	q  poctypes.QueryClient
	mu sync.Mutex
	m  map[[32]byte]*onChain
}

func newVerdicts(q poctypes.QueryClient) *verdicts {
	return &verdicts{q: q, m: map[[32]byte]*onChain{}}
}

// lookup returns the beacon's verdicts, asking the chain unless it was
// already found judged.
func (v *verdicts) lookup(ctx context.Context, id [32]byte) (*onChain, error) {
	v.mu.Lock()
	c, ok := v.m[id]
	v.mu.Unlock()
	if ok && c.found {
		return c, nil
	}
	res, err := v.q.Poc(ctx, &poctypes.QueryPocRequest{BeaconId: hex.EncodeToString(id[:])})
	switch {
	case status.Code(err) == codes.NotFound:
		c = &onChain{}
	case err != nil:
		return nil, err
	case res.Open: // relayed; judged when its close grace has passed
		c = &onChain{}
	default:
		c = &onChain{found: true, reason: reasonName(res.Poc.Reason), height: res.Poc.OpenedHeight, verdicts: map[string]string{}}
		for _, w := range res.Witnesses {
			c.verdicts[w.Witness] = reasonName(w.Reason)
		}
	}
	v.mu.Lock()
	v.m[id] = c
	v.mu.Unlock()
	return c, nil
}

// watchVerdicts looks up, every period until ctx ends, the beacons sent
// within the last recent that are not yet found judged. A beacon older
// than that cannot be relayed any more (twice the entropy lifespan, 6 min
// by default), so it is looked up once more only at the end.
func (r *runner) watchVerdicts(ctx context.Context, period, recent time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			r.mu.Lock()
			var ids [][32]byte
			for _, b := range r.beacons {
				if now.Sub(b.at) < recent {
					ids = append(ids, b.id)
				}
			}
			r.mu.Unlock()
			for _, id := range ids {
				if _, err := r.verdicts.lookup(ctx, id); err != nil {
					if ctx.Err() == nil {
						r.Logf("looking up PoCs: %v", err)
					}
					break
				}
			}
		}
	}
}
