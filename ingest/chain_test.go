package ingest

import (
	"context"
	"encoding/hex"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/types/query"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// entropyServer answers x/poc's Entropy query from a height that tests
// move, and counts the queries.
type entropyServer struct {
	poctypes.UnimplementedQueryServer
	height  atomic.Int64
	queries atomic.Int64
}

func (s *entropyServer) Entropy(_ context.Context, req *poctypes.QueryEntropyRequest) (*poctypes.QueryEntropyResponse, error) {
	s.queries.Add(1)
	h := req.Height
	if h == 0 {
		h = s.height.Load()
	}
	if h > s.height.Load() {
		return nil, status.Error(codes.NotFound, "no entropy at that height")
	}
	return &poctypes.QueryEntropyResponse{Entropy: poctypes.BlockEntropy{Height: h, Hash: []byte{byte(h)}, TimeMs: h * 1000}}, nil
}

// serveLoopback serves what register adds on a loopback port and returns a
// GRPCChain connected to it; both are closed when the test ends.
func serveLoopback(t *testing.T, register func(*grpc.Server)) *GRPCChain {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	register(srv)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return NewGRPCChain(conn, nil)
}

func startEntropyServer(t *testing.T) (*entropyServer, *GRPCChain) {
	t.Helper()
	es := &entropyServer{}
	es.height.Store(10)
	return es, serveLoopback(t, func(srv *grpc.Server) { poctypes.RegisterQueryServer(srv, es) })
}

// Beacons that name a block this node has not committed poll the newest
// entropy; the polls share one answer for latestEntropyTTL instead of each
// costing the node a query, and a new block is still seen after it.
func TestGRPCChainSharesTheLatestEntropy(t *testing.T) {
	es, c := startEntropyServer(t)
	ctx := context.Background()
	for range 20 {
		e, err := c.Entropy(ctx, 0)
		require.NoError(t, err)
		require.Equal(t, int64(10), e.Height)
	}
	require.Equal(t, int64(1), es.queries.Load(), "twenty polls within the TTL: one query")

	es.height.Store(11)
	require.Eventually(t, func() bool {
		e, err := c.Entropy(ctx, 0)
		return err == nil && e.Height == 11
	}, 5*latestEntropyTTL+time.Second, latestEntropyTTL/4, "a new block is seen once the shared answer expires")
}

// Entropy at a height never changes, so it is asked once; a height the node
// has not reached is not cached as missing.
func TestGRPCChainCachesEntropyByHeight(t *testing.T) {
	es, c := startEntropyServer(t)
	ctx := context.Background()
	for range 3 {
		e, err := c.Entropy(ctx, 7)
		require.NoError(t, err)
		require.Equal(t, []byte{7}, e.Hash)
	}
	require.Equal(t, int64(1), es.queries.Load())

	_, err := c.Entropy(ctx, 12)
	require.ErrorIs(t, err, ErrNoEntropy)
	es.height.Store(12)
	e, err := c.Entropy(ctx, 12)
	require.NoError(t, err)
	require.Equal(t, int64(12), e.Height)
}

// chainServer answers the queries GRPCChain makes of a node, from what the
// test puts in it, and counts them by method.
type chainServer struct {
	hotspottypes.UnimplementedQueryServer
	poc pocQueries

	mu       sync.Mutex
	hotspots map[string]hotspottypes.Hotspot
	down     bool // every Hotspot query fails as a node that is not serving would
	calls    map[string]int
}

// pocQueries is x/poc's side of chainServer (both services have a Params).
type pocQueries struct {
	poctypes.UnimplementedQueryServer
	s *chainServer

	relayers []poctypes.RelayerRegistration
	recorded map[string]poctypes.RecordedPoc
	heights  []int64 // RecordedPocs answers at these heights in turn (then the last)
	params   poctypes.Params
}

func (s *chainServer) count(m string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[m]++
}

func (s *chainServer) n(m string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[m]
}

func (s *chainServer) Hotspot(_ context.Context, req *hotspottypes.QueryHotspotRequest) (*hotspottypes.QueryHotspotResponse, error) {
	s.count("Hotspot")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return nil, status.Error(codes.Unavailable, "not serving")
	}
	h, ok := s.hotspots[req.Id]
	if !ok {
		return nil, status.Error(codes.NotFound, "no such hotspot")
	}
	return &hotspottypes.QueryHotspotResponse{Hotspot: h}, nil
}

func (s *chainServer) Params(context.Context, *hotspottypes.QueryParamsRequest) (*hotspottypes.QueryParamsResponse, error) {
	s.count("hotspot.Params")
	return &hotspottypes.QueryParamsResponse{Params: hotspottypes.DefaultParams()}, nil
}

func (q *pocQueries) Params(context.Context, *poctypes.QueryParamsRequest) (*poctypes.QueryParamsResponse, error) {
	q.s.count("poc.Params")
	return &poctypes.QueryParamsResponse{Params: q.params}, nil
}

// Relayers pages by the index of the next registration, two at a time.
func (q *pocQueries) Relayers(_ context.Context, req *poctypes.QueryRelayersRequest) (*poctypes.QueryRelayersResponse, error) {
	q.s.count("Relayers")
	start := 0
	if req.Pagination != nil && len(req.Pagination.Key) > 0 {
		start = int(req.Pagination.Key[0])
	}
	end := min(len(q.relayers), start+2)
	res := &poctypes.QueryRelayersResponse{Relayers: q.relayers[start:end], Pagination: &query.PageResponse{}}
	if end < len(q.relayers) {
		res.Pagination.NextKey = []byte{byte(end)}
	}
	return res, nil
}

func (q *pocQueries) RecordedPocs(_ context.Context, req *poctypes.QueryRecordedPocsRequest) (*poctypes.QueryRecordedPocsResponse, error) {
	q.s.count("RecordedPocs")
	if len(req.BeaconIds) > poctypes.MaxRecordedPocsWithKeys {
		return nil, status.Error(codes.InvalidArgument, "too many beacons")
	}
	h := q.heights[min(q.s.n("RecordedPocs")-1, len(q.heights)-1)]
	res := &poctypes.QueryRecordedPocsResponse{Height: h}
	for _, id := range req.BeaconIds {
		if r, ok := q.recorded[id]; ok {
			res.Recorded = append(res.Recorded, r)
		}
	}
	return res, nil
}

// startChainServer serves s on loopback and returns a GRPCChain on it whose
// clock is *now.
func startChainServer(t *testing.T, s *chainServer, now *time.Time) *GRPCChain {
	t.Helper()
	s.calls = map[string]int{}
	s.poc.s = s
	c := serveLoopback(t, func(srv *grpc.Server) {
		hotspottypes.RegisterQueryServer(srv, s)
		poctypes.RegisterQueryServer(srv, &s.poc)
	})
	c.now = func() time.Time { return *now }
	return c
}

// A hotspot's registration is cached: an asserted one for a minute (an
// assertion is not undone), an unknown or unasserted one for five seconds
// (it may be onboarding). A failed lookup is an error, not an unknown
// hotspot, and is not cached.
func TestGRPCChainCachesHotspotsByStatus(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := &chainServer{hotspots: map[string]hotspottypes.Hotspot{
		"asserted":   {Address: "asserted", Location: "8c2a1072b59a5ff", Gain: 12, Region: "US915"},
		"unasserted": {Address: "unasserted", Region: "US915"},
	}}
	c := startChainServer(t, s, &now)
	ctx := context.Background()
	statusOf := func(a string) HotspotStatus {
		info, err := c.Hotspot(ctx, a)
		require.NoError(t, err)
		return info.Status
	}
	require.Equal(t, HotspotAsserted, statusOf("asserted"))
	require.Equal(t, HotspotUnasserted, statusOf("unasserted"))
	require.Equal(t, HotspotUnknown, statusOf("unknown"))
	info, _ := c.Hotspot(ctx, "asserted")
	require.Equal(t, int32(12), info.Rules.Gain)
	require.Zero(t, info.Rules.Location, "admission does not need the location")
	require.Equal(t, 3, s.n("Hotspot"))

	// The unknown hotspot registers, the unasserted one asserts.
	s.mu.Lock()
	s.hotspots["unknown"] = hotspottypes.Hotspot{Address: "unknown"}
	s.hotspots["unasserted"] = hotspottypes.Hotspot{Address: "unasserted", Location: "8c2a1072b59a5ff"}
	s.mu.Unlock()
	now = now.Add(5*time.Second - time.Nanosecond)
	require.Equal(t, HotspotUnknown, statusOf("unknown"), "cached for five seconds")
	require.Equal(t, HotspotUnasserted, statusOf("unasserted"))
	require.Equal(t, 3, s.n("Hotspot"))
	now = now.Add(time.Nanosecond)
	require.Equal(t, HotspotUnasserted, statusOf("unknown"), "seen five seconds on")
	require.Equal(t, HotspotAsserted, statusOf("unasserted"))
	require.Equal(t, 5, s.n("Hotspot"))

	now = time.Unix(1_800_000_000, 0).Add(time.Minute - time.Nanosecond)
	require.Equal(t, HotspotAsserted, statusOf("asserted"))
	require.Equal(t, 5, s.n("Hotspot"), "an asserted hotspot is cached for a minute")
	now = now.Add(time.Nanosecond)
	require.Equal(t, HotspotAsserted, statusOf("asserted"))
	require.Equal(t, 6, s.n("Hotspot"))

	s.mu.Lock()
	s.down = true
	s.mu.Unlock()
	_, err := c.Hotspot(ctx, "never-seen")
	require.Equal(t, codes.Unavailable, status.Code(err), "an outage is not an unknown hotspot")
	_, err = c.Hotspot(ctx, "never-seen")
	require.Error(t, err)
	require.Equal(t, 8, s.n("Hotspot"), "a failed lookup is not cached")
}

// The hotspot cache is bounded: past a million entries it starts over.
func TestGRPCChainHotspotCacheIsBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := &chainServer{hotspots: map[string]hotspottypes.Hotspot{}}
	c := startChainServer(t, s, &now)
	for i := range 1_000_000 {
		c.cache[strconv.Itoa(i)] = cachedHotspot{until: now.Add(time.Hour)}
	}
	_, err := c.Hotspot(context.Background(), "a")
	require.NoError(t, err)
	require.Len(t, c.cache, 1_000_001, "a million entries are kept")
	_, err = c.Hotspot(context.Background(), "b")
	require.NoError(t, err)
	require.Len(t, c.cache, 1, "beyond that the cache starts over")
}

// The chain's parameters and region plans are asked once per 30 s.
func TestGRPCChainCachesRulesFor30s(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := &chainServer{poc: pocQueries{params: poctypes.DefaultParams()}}
	c := startChainServer(t, s, &now)
	ctx := context.Background()
	r, err := c.Rules(ctx)
	require.NoError(t, err)
	require.Equal(t, poctypes.DefaultParams().Verify(), r.Params)
	require.Len(t, r.Plans, len(hotspottypes.DefaultParams().RegionPlans))
	for _, p := range hotspottypes.DefaultParams().RegionPlans {
		require.Equal(t, poctypes.VerifyRegionPlan(p), r.Plans[p.Region])
	}
	now = now.Add(rulesTTL - time.Nanosecond)
	_, err = c.Rules(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, s.n("poc.Params"))
	require.Equal(t, 1, s.n("hotspot.Params"))
	now = now.Add(time.Nanosecond)
	_, err = c.Rules(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, s.n("poc.Params"))
	require.Equal(t, 2, s.n("hotspot.Params"))
	require.Equal(t, 30*time.Second, rulesTTL)
}

// The registered ingest peers are read page by page, registrations whose
// peer ID does not decode are skipped, and the set is asked once per 10 s.
func TestGRPCChainReadsEveryPageOfIngestPeers(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	var want []peer.ID
	s := &chainServer{}
	for i := range 5 {
		id := peerIDOf(t, newKey(t))
		want = append(want, id)
		s.poc.relayers = append(s.poc.relayers, poctypes.RelayerRegistration{Validator: strconv.Itoa(i), IngestPeer: id.String()})
	}
	s.poc.relayers = append(s.poc.relayers, poctypes.RelayerRegistration{Validator: "bad", IngestPeer: "not a peer id"})
	c := startChainServer(t, s, &now)
	ctx := context.Background()
	ids, err := c.IngestPeers(ctx)
	require.NoError(t, err)
	require.Len(t, ids, 5)
	for _, id := range want {
		require.True(t, ids[id])
	}
	require.Equal(t, 3, s.n("Relayers"), "six registrations, two a page")
	now = now.Add(peersTTL - time.Nanosecond)
	_, err = c.IngestPeers(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, s.n("Relayers"))
	now = now.Add(time.Nanosecond)
	_, err = c.IngestPeers(ctx)
	require.NoError(t, err)
	require.Equal(t, 6, s.n("Relayers"))
	require.Equal(t, 10*time.Second, peersTTL)
}

// Recorded asks in chunks the chain accepts, reports the lowest height any
// chunk was answered at, and carries each PoC's relayers and held report
// keys (a node that predates relayer lists gives its one relayer).
func TestGRPCChainRecordedAsksInChunks(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	n := 2*poctypes.MaxRecordedPocsWithKeys + 1
	ids := make([][32]byte, n)
	s := &chainServer{poc: pocQueries{recorded: map[string]poctypes.RecordedPoc{}, heights: []int64{12, 11, 13}}}
	key := [32]byte{9}
	for i := range ids {
		ids[i] = [32]byte{byte(i), byte(i >> 8), 1}
		if i%2 == 0 {
			continue
		}
		h := hex.EncodeToString(ids[i][:])
		s.poc.recorded[h] = poctypes.RecordedPoc{BeaconId: h, Open: i%4 == 1, Relayers: []string{"r1", "r2"}, WitnessReports: 3,
			ReportKeys: [][]byte{key[:], []byte("short")}}
	}
	legacy := hex.EncodeToString(ids[n-1][:])
	s.poc.recorded[legacy] = poctypes.RecordedPoc{BeaconId: legacy, Relayer: "old"}
	s.poc.recorded["zz"] = poctypes.RecordedPoc{BeaconId: "zz"} // not hex: skipped
	c := startChainServer(t, s, &now)
	height, got, err := c.Recorded(context.Background(), ids)
	require.NoError(t, err)
	require.Equal(t, 3, s.n("RecordedPocs"))
	require.Equal(t, int64(11), height, "the lowest of the chunks' heights")
	require.Len(t, got, n/2+1)
	for i, id := range ids {
		r, ok := got[id]
		switch {
		case i == n-1:
			require.Equal(t, OnChain{Relayers: []string{"old"}}, r)
		case i%2 == 0:
			require.False(t, ok)
		default:
			require.Equal(t, OnChain{Open: i%4 == 1, Relayers: []string{"r1", "r2"}, WitnessReports: 3, Held: map[[32]byte]bool{key: true}}, r)
		}
	}

	// No beacons: one query still gives the height.
	height, got, err = c.Recorded(context.Background(), nil)
	require.NoError(t, err)
	require.Empty(t, got)
	require.Equal(t, int64(13), height)
	require.Equal(t, 4, s.n("RecordedPocs"))
	// Exactly one chunk: one query.
	_, got, err = c.Recorded(context.Background(), ids[:poctypes.MaxRecordedPocsWithKeys])
	require.NoError(t, err)
	require.Len(t, got, poctypes.MaxRecordedPocsWithKeys/2)
	require.Equal(t, 5, s.n("RecordedPocs"))
}

// A relay passes CheckTx only once the chain's witness lag has passed by
// the last block's time, which trails the clock: the relayer waits the lag
// plus two seconds.
func TestGRPCChainRelayParams(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := poctypes.DefaultParams()
	p.WitnessLagMs, p.MaxWitnessesPerMsg = 4000, 25
	s := &chainServer{poc: pocQueries{params: p}}
	c := startChainServer(t, s, &now)
	rp, err := c.RelayParams(context.Background())
	require.NoError(t, err)
	require.Equal(t, RelayParams{MaxWitnesses: 25, EarliestRelay: 6 * time.Second}, rp)
	_, err = c.Submit(context.Background(), nil, 0)
	require.ErrorIs(t, err, errNoRelayer)
	require.Empty(t, c.RelayerAddress())
}

// The shared newest entropy lasts latestEntropyTTL on the clock, and an
// answer at the height already held renews it: polls of a chain that has
// not moved cost one query per TTL.
func TestGRPCChainRenewsTheLatestEntropyAtTheSameHeight(t *testing.T) {
	es, c := startEntropyServer(t)
	now := time.Unix(1_800_000_000, 0)
	c.now = func() time.Time { return now }
	ctx := context.Background()
	_, err := c.Entropy(ctx, 0)
	require.NoError(t, err)
	now = now.Add(latestEntropyTTL - time.Nanosecond)
	_, err = c.Entropy(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, int64(1), es.queries.Load())
	now = now.Add(time.Nanosecond)
	_, err = c.Entropy(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, int64(2), es.queries.Load(), "expired")
	_, err = c.Entropy(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, int64(2), es.queries.Load(), "the same height, renewed")
	require.Equal(t, 200*time.Millisecond, latestEntropyTTL)
}

// The entropy cache keeps 4,097 heights and then starts over.
func TestGRPCChainEntropyCacheIsBounded(t *testing.T) {
	es, c := startEntropyServer(t)
	es.height.Store(5000)
	ctx := context.Background()
	for h := int64(1); h <= 4097; h++ {
		_, err := c.Entropy(ctx, h)
		require.NoError(t, err)
	}
	_, err := c.Entropy(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, int64(4097), es.queries.Load(), "4,097 heights are kept")
	_, err = c.Entropy(ctx, 4098)
	require.NoError(t, err)
	_, err = c.Entropy(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, int64(4099), es.queries.Load(), "then the cache starts over")
}
