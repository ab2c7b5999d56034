package ingest

import (
	"context"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/libp2p/go-libp2p/core/peer"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/geo"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// HotspotStatus is whether a report's sender may report.
type HotspotStatus int

const (
	HotspotUnknown HotspotStatus = iota
	HotspotUnasserted
	HotspotAsserted
)

// HotspotInfo is what admission needs to know about a report's sender.
type HotspotInfo struct {
	Status HotspotStatus
	// Rules is the hotspot as the beacon rules see it (mode, region,
	// gain); its location is not needed at admission and left empty.
	Rules verify.Hotspot
}

// Rules are the chain's PoC parameters and region plans, which admission
// applies to a beacon before it holds it.
type Rules struct {
	Params verify.Params
	Plans  map[string]verify.RegionPlan
}

// Entropy is a recorded block hash.
type Entropy struct {
	Height int64
	Hash   []byte
	TimeMs int64
}

// ErrNoEntropy means the chain has no entropy at that height (pruned, or
// not yet produced).
var ErrNoEntropy = errors.New("no entropy at that height")

// Chain is the node as ingest sees it. The gRPC implementation talks to the
// node's own gRPC server; tests substitute a fake.
type Chain interface {
	Hotspot(ctx context.Context, address string) (HotspotInfo, error)
	Entropy(ctx context.Context, height int64) (Entropy, error) // 0 = newest
	Rules(ctx context.Context) (Rules, error)
	// IngestPeers are the ingest peer IDs validators registered with their
	// relayers: the only peers that may share beacons.
	IngestPeers(ctx context.Context) (map[peer.ID]bool, error)
	// Recorded reports which of the beacons the chain has recorded (open
	// or judged), with who relayed each, as of the committed height it
	// also returns.
	Recorded(ctx context.Context, ids [][32]byte) (height int64, recorded map[[32]byte]OnChain, err error)
	RelayParams(ctx context.Context) (RelayParams, error)
	// Submit broadcasts one relay transaction with gas as its gas limit.
	Submit(ctx context.Context, msgs []*poctypes.MsgSubmitPoc, gas uint64) (chainclient.Result, error)
	RelayerAddress() string
}

// OnChain is a recorded PoC as the relayer sees it.
type OnChain struct {
	// Open: the PoC still takes witness reports from registered relayers;
	// otherwise it is judged.
	Open bool
	// Relayers contributed to it, the one that opened it first.
	Relayers []string
	// WitnessReports the PoC holds.
	WitnessReports int
	// Held: while open, the keys (poctypes.ReportKey) of the reports it
	// holds. A copy carries only the reports missing from it.
	Held map[[32]byte]bool
}

// Has reports whether relayer is among the PoC's relayers.
func (o OnChain) Has(relayer string) bool {
	for _, r := range o.Relayers {
		if r == relayer {
			return true
		}
	}
	return false
}

// RelayParams are the chain's parameters a relay must respect.
type RelayParams struct {
	// MaxWitnesses is the most witness reports one relay may carry.
	MaxWitnesses int
	// EarliestRelay is how long after a beacon's own timestamp a relay of
	// it can pass CheckTx: the chain's witness lag (it refuses a relay
	// whose block time is earlier, ErrRelayTooEarly) plus some slack for
	// the last block's time trailing the clock.
	EarliestRelay time.Duration
}

// relayTimeSlack is the slack in RelayParams.EarliestRelay: CheckTx judges
// a relay at the last committed block's time, up to two blocks behind the
// clock (measured with 1 s blocks: 1 s of slack left half the relays of a
// load test refused as too early at first).
const relayTimeSlack = 2 * time.Second

// GRPCChain implements Chain over gRPC with a signer for relaying (nil: no
// relaying). Hotspot lookups are cached: registrations are permanent, so a
// known hotspot is cached for a minute; an unknown one for five seconds, so
// a freshly onboarded hotspot is accepted quickly.
type GRPCChain struct {
	conn   *grpc.ClientConn
	signer *chainclient.Signer

	mu      sync.Mutex
	cache   map[string]cachedHotspot
	entropy map[int64]Entropy
	// latest is the newest entropy, shared for latestEntropyTTL: every
	// beacon that names a block this node has not committed yet polls
	// for it (Validator.waitForHeight), and each gRPC query costs the
	// node a store version lookup; unshared, the polls took a seventh of
	// a devnet validator's CPU.
	latest   Entropy
	latestAt time.Time

	rules     Rules
	rulesAt   time.Time
	ingestIDs map[peer.ID]bool
	peersAt   time.Time

	// now is the clock the caches' lifetimes are measured on.
	now func() time.Time
}

// latestEntropyTTL is well under a block: a poll sees a new block at most
// this much later than it would have.
const latestEntropyTTL = 200 * time.Millisecond

type cachedHotspot struct {
	info  HotspotInfo
	until time.Time
}

// rulesTTL and peersTTL: how stale parameters and the ingest peer registry
// may be. A parameter change or a new validator takes effect this much
// later at admission; the chain itself applies the parameters in force.
const (
	rulesTTL = 30 * time.Second
	peersTTL = 10 * time.Second
)

// NewGRPCChain wraps a connection to a pocd gRPC server.
func NewGRPCChain(conn *grpc.ClientConn, signer *chainclient.Signer) *GRPCChain {
	return &GRPCChain{conn: conn, signer: signer, cache: map[string]cachedHotspot{}, entropy: map[int64]Entropy{}, now: time.Now}
}

func (c *GRPCChain) Hotspot(ctx context.Context, address string) (HotspotInfo, error) {
	now := c.now()
	c.mu.Lock()
	if e, ok := c.cache[address]; ok && now.Before(e.until) {
		c.mu.Unlock()
		return e.info, nil
	}
	c.mu.Unlock()
	info := HotspotInfo{Status: HotspotUnknown}
	ttl := 5 * time.Second
	res, err := hotspottypes.NewQueryClient(c.conn).Hotspot(ctx, &hotspottypes.QueryHotspotRequest{Id: address})
	switch {
	case err == nil:
		info = HotspotInfo{Status: HotspotUnasserted, Rules: poctypes.VerifyHotspot(res.Hotspot)}
		if res.Hotspot.Location != "" {
			info.Status, ttl = HotspotAsserted, time.Minute
		}
		info.Rules.Location, info.Rules.Center = 0, geo.Vec3{}
	case status.Code(err) == codes.NotFound:
	default:
		return HotspotInfo{}, err
	}
	c.mu.Lock()
	if len(c.cache) > 1_000_000 {
		c.cache = map[string]cachedHotspot{} // crude bound; lookups refill it
	}
	c.cache[address] = cachedHotspot{info: info, until: now.Add(ttl)}
	c.mu.Unlock()
	return info, nil
}

func (c *GRPCChain) Rules(ctx context.Context) (Rules, error) {
	c.mu.Lock()
	if c.rules.Plans != nil && c.now().Sub(c.rulesAt) < rulesTTL {
		defer c.mu.Unlock()
		return c.rules, nil
	}
	c.mu.Unlock()
	pp, err := poctypes.NewQueryClient(c.conn).Params(ctx, &poctypes.QueryParamsRequest{})
	if err != nil {
		return Rules{}, err
	}
	hp, err := hotspottypes.NewQueryClient(c.conn).Params(ctx, &hotspottypes.QueryParamsRequest{})
	if err != nil {
		return Rules{}, err
	}
	r := Rules{Params: pp.Params.Verify(), Plans: map[string]verify.RegionPlan{}}
	for _, p := range hp.Params.RegionPlans {
		r.Plans[p.Region] = poctypes.VerifyRegionPlan(p)
	}
	c.mu.Lock()
	c.rules, c.rulesAt = r, c.now()
	c.mu.Unlock()
	return r, nil
}

func (c *GRPCChain) IngestPeers(ctx context.Context) (map[peer.ID]bool, error) {
	c.mu.Lock()
	if c.ingestIDs != nil && c.now().Sub(c.peersAt) < peersTTL {
		defer c.mu.Unlock()
		return c.ingestIDs, nil
	}
	c.mu.Unlock()
	ids := map[peer.ID]bool{}
	req := &poctypes.QueryRelayersRequest{Pagination: &query.PageRequest{Limit: 1000}}
	for {
		res, err := poctypes.NewQueryClient(c.conn).Relayers(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, r := range res.Relayers {
			if id, err := peer.Decode(r.IngestPeer); err == nil {
				ids[id] = true
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		req.Pagination.Key = res.Pagination.NextKey
	}
	c.mu.Lock()
	c.ingestIDs, c.peersAt = ids, c.now()
	c.mu.Unlock()
	return ids, nil
}

func (c *GRPCChain) Entropy(ctx context.Context, height int64) (Entropy, error) {
	c.mu.Lock()
	e, ok := c.entropy[height]
	if height == 0 {
		e, ok = c.latest, c.latest.Height > 0 && c.now().Sub(c.latestAt) < latestEntropyTTL
	}
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	res, err := poctypes.NewQueryClient(c.conn).Entropy(ctx, &poctypes.QueryEntropyRequest{Height: height})
	if err != nil {
		if status.Code(err) == codes.NotFound || errors.Is(err, poctypes.ErrPocNotFound) {
			return Entropy{}, ErrNoEntropy
		}
		return Entropy{}, err
	}
	e = Entropy{Height: res.Entropy.Height, Hash: res.Entropy.Hash, TimeMs: res.Entropy.TimeMs}
	c.mu.Lock()
	if height == 0 && e.Height >= c.latest.Height {
		// Not backwards: two polls may be answered out of order.
		c.latest, c.latestAt = e, c.now()
	}
	if len(c.entropy) > 4096 {
		c.entropy = map[int64]Entropy{}
	}
	c.entropy[e.Height] = e
	c.mu.Unlock()
	return e, nil
}

// recordedChunk beacons per RecordedPocs request, the most the chain takes
// with report keys: an open PoC's answer carries a 32-byte key per report
// it holds, up to 4 x max_witnesses_per_msg of them, and recordedMaxRecv
// leaves room for a chunk of full ones at the parameter cap (3.5 MB).
const (
	recordedChunk   = poctypes.MaxRecordedPocsWithKeys
	recordedMaxRecv = 8 << 20
)

func (c *GRPCChain) Recorded(ctx context.Context, ids [][32]byte) (int64, map[[32]byte]OnChain, error) {
	q := poctypes.NewQueryClient(c.conn)
	out := map[[32]byte]OnChain{}
	var height int64
	for start := 0; start == 0 || start < len(ids); start += recordedChunk {
		chunk := ids[start:min(len(ids), start+recordedChunk)]
		req := &poctypes.QueryRecordedPocsRequest{BeaconIds: make([]string, len(chunk)), ReportKeys: true}
		for i, id := range chunk {
			req.BeaconIds[i] = hex.EncodeToString(id[:])
		}
		res, err := q.RecordedPocs(ctx, req, grpc.MaxCallRecvMsgSize(recordedMaxRecv))
		if err != nil {
			return 0, nil, err
		}
		// Chunks may be answered at successive heights: report the
		// lowest, which every answer is at least as new as.
		if height == 0 || res.Height < height {
			height = res.Height
		}
		for _, r := range res.Recorded {
			var id [32]byte
			if b, err := hex.DecodeString(r.BeaconId); err == nil && len(b) == 32 {
				copy(id[:], b)
				rec := OnChain{Open: r.Open, Relayers: r.Relayers, WitnessReports: int(r.WitnessReports)}
				if len(r.ReportKeys) > 0 {
					rec.Held = make(map[[32]byte]bool, len(r.ReportKeys))
					for _, k := range r.ReportKeys {
						if len(k) == 32 {
							rec.Held[[32]byte(k)] = true
						}
					}
				}
				if len(rec.Relayers) == 0 && r.Relayer != "" { // a node that predates relayers
					rec.Relayers = []string{r.Relayer}
				}
				out[id] = rec
			}
		}
	}
	return height, out, nil
}

func (c *GRPCChain) RelayParams(ctx context.Context) (RelayParams, error) {
	res, err := poctypes.NewQueryClient(c.conn).Params(ctx, &poctypes.QueryParamsRequest{})
	if err != nil {
		return RelayParams{}, err
	}
	return RelayParams{
		MaxWitnesses:  int(res.Params.MaxWitnessesPerMsg),
		EarliestRelay: time.Duration(res.Params.WitnessLagMs)*time.Millisecond + relayTimeSlack,
	}, nil
}

// errNoRelayer is returned by Submit without a signer.
var errNoRelayer = errors.New("no relayer key configured")

func (c *GRPCChain) Submit(ctx context.Context, msgs []*poctypes.MsgSubmitPoc, gas uint64) (chainclient.Result, error) {
	if c.signer == nil {
		return chainclient.Result{}, errNoRelayer
	}
	sdkMsgs := make([]sdk.Msg, len(msgs))
	for i, m := range msgs {
		sdkMsgs[i] = m
	}
	return c.signer.Broadcast(ctx, gas, sdkMsgs...)
}

func (c *GRPCChain) RelayerAddress() string {
	if c.signer == nil {
		return ""
	}
	return c.signer.Address()
}
