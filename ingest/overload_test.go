package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/ingest"
	"github.com/pocnet/pocd/wire"
	"github.com/pocnet/pocd/x/poc/verify"
)

// A node whose relays reach the chain later than max-relay-delay refuses new
// beacons as overloaded (the hotspot is told to retry; nobody is
// penalised) and ignores witness reports of beacons it does not hold before
// checking them; everything it acknowledged is still relayed and included,
// and once its relays are on time again it takes new beacons.
func TestIngestShedsNewBeaconsWhileItsRelaysAreLate(t *testing.T) {
	c := newFakeChain()
	c.setLag(time.Second) // every relay lands a second late
	cfg := testConfig()
	cfg.MaxRelayDelay = 300 * time.Millisecond
	svc := startServiceWith(t, cfg, t.TempDir(), c)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	deliver := func(i int) (*verify.Beacon, hotspot, wire.BeaconAck) {
		h := newHotspot(t, c, ingest.HotspotAsserted)
		b := beaconFrom(c, h, byte(i), time.Now())
		return b, h, deliverOnce(t, ctx, publisher(t, ctx, h, svc), svc, wire.EncodeBeacon(b))
	}
	// Four beacons a second, each pending (due, then awaiting inclusion)
	// for over a second: the backlog never empties, so after one interval
	// of late inclusions the node sheds.
	var taken []*verify.Beacon
	var refused *verify.Beacon
	var refusedBy hotspot
	pace := time.NewTicker(250 * time.Millisecond)
	defer pace.Stop()
	for i := 0; refused == nil; i++ {
		require.Less(t, i, 120, "the node never shed load")
		b, h, ack := deliver(i)
		switch ack.Status {
		case wire.BeaconAck_STATUS_ACCEPTED:
			taken = append(taken, b)
		default:
			require.Equal(t, wire.BeaconAck_STATUS_RETRY, ack.Status, ack.Reason)
			require.Equal(t, ingest.IgnoreOverloaded, ack.Reason)
			refused, refusedBy = b, h
		}
		<-pace.C
	}
	require.NotEmpty(t, taken)
	require.Equal(t, 1.0, testutil.ToFloat64(svc.Metrics.Overloaded))
	require.Equal(t, 1.0, ignored(svc, "beacon", ingest.IgnoreOverloaded))
	require.Zero(t, deliveryPoints(svc, refusedBy.peerID(t)), "overloaded penalises nobody")

	// A witness report of the refused beacon is dropped at once: it does not
	// wait for its beacon (unknown_beacon) or reach a signature check.
	w := newHotspot(t, c, ingest.HotspotAsserted)
	pw := publisher(t, ctx, w, svc)
	require.NoError(t, pw.PublishWitness(ctx, gateway.BuildWitness(w.priv, refused, -900, 50, refused.FrequencyHz, time.Now())))
	require.Eventually(t, func() bool { return ignored(svc, "witness", ingest.IgnoreOverloaded) == 1 }, 10*time.Second, 20*time.Millisecond)
	require.Zero(t, ignored(svc, "witness", ingest.IgnoreUnknownBeacon))

	// The chain catches up: everything acknowledged is included, nothing
	// refused is, and new beacons are taken again.
	c.setLag(0)
	require.Eventually(t, func() bool { return testutil.ToFloat64(svc.Metrics.Included) == float64(len(taken)) },
		30*time.Second, 50*time.Millisecond, "an acknowledged beacon was not included")
	require.Nil(t, c.poc(refused.ID()))
	i := len(taken) + 1
	require.Eventually(t, func() bool {
		i++
		_, _, ack := deliver(i)
		return ack.Status == wire.BeaconAck_STATUS_ACCEPTED
	}, 30*time.Second, 100*time.Millisecond, "the node kept shedding after its backlog was gone")
	require.Zero(t, testutil.ToFloat64(svc.Metrics.Overloaded))
}
