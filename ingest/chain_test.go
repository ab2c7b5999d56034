package ingest

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

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

func startEntropyServer(t *testing.T) (*entropyServer, *GRPCChain) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	es := &entropyServer{}
	es.height.Store(10)
	poctypes.RegisterQueryServer(srv, es)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return es, NewGRPCChain(conn, nil)
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
