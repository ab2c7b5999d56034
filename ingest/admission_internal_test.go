package ingest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/wire"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// These tests drive the real Admission (store, windows, share budget) on a
// clock they set, where the rules have exact bounds; admission_test.go
// drives it through libp2p.

// stubChain answers the lookups admission makes; the embedded Chain is nil,
// so any other call fails the test with a panic.
type stubChain struct {
	Chain
	asserted map[string]bool
	entropy  map[int64]Entropy
	down     bool // every lookup fails: the node's gRPC is unavailable
}

func (c *stubChain) Hotspot(_ context.Context, a string) (HotspotInfo, error) {
	if c.down {
		return HotspotInfo{}, errors.New("connection refused")
	}
	if !c.asserted[a] {
		return HotspotInfo{Status: HotspotUnknown}, nil
	}
	return HotspotInfo{Status: HotspotAsserted, Rules: verify.Hotspot{Address: a, Asserted: true, Region: "US915", Gain: 12}}, nil
}

func (c *stubChain) Entropy(_ context.Context, h int64) (Entropy, error) {
	e, ok := c.entropy[h]
	if !ok {
		return e, ErrNoEntropy
	}
	return e, nil
}

var stubPlan = hotspottypes.RegionPlan{Region: "US915", ChannelFrequenciesHz: []uint64{903_900_000, 904_100_000}, DataRate: "SF9BW125"}

func (c *stubChain) Rules(context.Context) (Rules, error) {
	return Rules{Params: verify.DefaultParams(), Plans: map[string]verify.RegionPlan{
		"US915": {Channels: stubPlan.ChannelFrequenciesHz, DataRate: stubPlan.DataRate, MaxEIRPDdbm: 360},
	}}, nil
}

// clockedAdmission is an Admission over a real queue whose clock is *now.
func clockedAdmission(t *testing.T, c Chain, now *time.Time) *Admission {
	t.Helper()
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	clock := func() time.Time { return *now }
	return &Admission{cfg: DefaultConfig(), chain: c, store: s, windows: newWindows(3), overload: newOverload(0),
		shareBudget: newPenaltyBox(clock), m: NewMetrics(), logger: log.NewNopLogger(), now: clock}
}

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return priv
}

func addressOf(t *testing.T, priv ed25519.PrivateKey) string {
	t.Helper()
	a, err := hotspottypes.HotspotAddress(priv.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	return a
}

func peerIDOf(t *testing.T, priv ed25519.PrivateKey) peer.ID {
	t.Helper()
	id, err := peerOf(priv.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	return id
}

// beaconOn is a valid beacon of priv on entropy e, stamped at.
func beaconOn(priv ed25519.PrivateKey, e Entropy, local byte, at time.Time) []byte {
	return wire.EncodeBeacon(gateway.BuildBeacon(priv, poctypes.BlockEntropy{Height: e.Height, Hash: e.Hash, TimeMs: e.TimeMs},
		[]byte{local, 0, 0, 0}, stubPlan, 51, 27, at))
}

// A report stamped exactly max-report-age before or after the node's clock
// is fresh; a nanosecond further either way is stale.
func TestReportFreshnessIncludesItsBounds(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	a := clockedAdmission(t, &stubChain{}, &now)
	m := a.cfg.MaxReportAge
	require.True(t, a.fresh(now.Add(-m).UnixNano()), "exactly max-report-age old")
	require.True(t, a.fresh(now.Add(m).UnixNano()), "exactly max-report-age ahead")
	require.False(t, a.fresh(now.Add(-m-1).UnixNano()))
	require.False(t, a.fresh(now.Add(m+1).UnixNano()))
}

// max-message-bytes is the largest report taken: one of exactly that size
// is decoded (and here refused as malformed), one byte more is refused
// unread.
func TestReportsOfExactlyMaxMessageBytesAreRead(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	a := clockedAdmission(t, &stubChain{}, &now)
	at := make([]byte, a.cfg.MaxMessageBytes)
	over := make([]byte, a.cfg.MaxMessageBytes+1)
	require.Equal(t, reject(RejectMalformed), a.AdmitBeacon(context.Background(), at, "", fromHotspot))
	require.Equal(t, reject(RejectOversized), a.AdmitBeacon(context.Background(), over, "", fromHotspot))
	require.Equal(t, reject(RejectMalformed), a.AdmitWitness(context.Background(), at))
	require.Equal(t, reject(RejectOversized), a.AdmitWitness(context.Background(), over))
}

// A beacon's entropy block may be as old as max-report-age when the beacon
// arrives, and no older.
func TestEntropyUpToMaxReportAgeOldIsTaken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := &stubChain{asserted: map[string]bool{}, entropy: map[int64]Entropy{}}
	a := clockedAdmission(t, c, &now)
	m := a.cfg.MaxReportAge
	for i, age := range []time.Duration{m, m + time.Millisecond} {
		priv := newKey(t)
		c.asserted[addressOf(t, priv)] = true
		e := Entropy{Height: int64(10 + i), Hash: []byte("0123456789abcdef0123456789abcdef"), TimeMs: now.Add(-age).UnixMilli()}
		e.Hash[0] = byte(i)
		c.entropy[e.Height] = e
		// Stamped as early as a fresh report may be, within the
		// entropy's lifespan (which the chain measures from the stamp).
		d := a.AdmitBeacon(context.Background(), beaconOn(priv, e, 1, now.Add(-m)), peerIDOf(t, priv), fromHotspot)
		if age == m {
			require.Equal(t, accept(), d)
		} else {
			require.Equal(t, reject(RejectStaleEntropy), d)
		}
	}
}

// The interval bucket a beacon used stays recorded, through the queue's
// expiry, for as long as another beacon stamped in that bucket could still
// be fresh, and is forgotten after.
func TestIntervalSlotOutlivesEveryFreshBeaconOfItsBucket(t *testing.T) {
	interval := time.Duration(verify.DefaultParams().BeaconIntervalMs) * time.Millisecond
	bucketStart := time.UnixMilli(200_000 * interval.Milliseconds())
	now := bucketStart.Add(time.Second)
	c := &stubChain{asserted: map[string]bool{}, entropy: map[int64]Entropy{}}
	a := clockedAdmission(t, c, &now)
	m := a.cfg.MaxReportAge
	priv := newKey(t)
	c.asserted[addressOf(t, priv)] = true
	e1 := Entropy{Height: 10, Hash: []byte("0123456789abcdef0123456789abcdef"), TimeMs: now.UnixMilli()}
	c.entropy[10] = e1
	require.Equal(t, accept(), a.AdmitBeacon(context.Background(), beaconOn(priv, e1, 1, now), peerIDOf(t, priv), fromHotspot))

	// The bucket's last millisecond, received as late as it is fresh, on
	// entropy of that moment; the relayer's expiry ran just before.
	last := bucketStart.Add(interval - time.Millisecond)
	e2 := Entropy{Height: 11, Hash: []byte("1123456789abcdef0123456789abcdef"), TimeMs: last.UnixMilli()}
	c.entropy[11] = e2
	now = last.Add(m)
	_, err := a.store.Expire(now.UnixMilli(), now.Add(-a.cfg.ReportTTL).UnixMilli())
	require.NoError(t, err)
	require.Equal(t, reject(RejectIntervalUsed), a.AdmitBeacon(context.Background(), beaconOn(priv, e2, 2, last), peerIDOf(t, priv), fromHotspot))

	// Once no beacon of the bucket can be fresh, expiry drops the slot.
	now = last.Add(3 * m)
	_, err = a.store.Expire(now.UnixMilli(), now.Add(-a.cfg.ReportTTL).UnixMilli())
	require.NoError(t, err)
	require.ErrorIs(t, a.store.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(slotKey(addressOf(t, priv)))
		return err
	}), badger.ErrKeyNotFound)
}

// Attack 15 (docs/security.md): a validator shares beacons this node judges
// otherwise. Each is ignored without penalty (two nodes can disagree
// honestly) up to the sharing validator's budget (a burst of 30), then
// rejected as share_flood, which costs it gossip score. What no honest
// validator shares (malformed, forged) is rejected from the first.
func TestSharedBeaconsJudgedOtherwiseAreIgnoredWithinABudget(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := &stubChain{asserted: map[string]bool{}, entropy: map[int64]Entropy{}}
	e := Entropy{Height: 10, Hash: []byte("0123456789abcdef0123456789abcdef"), TimeMs: now.UnixMilli()}
	c.entropy[10] = e
	a := clockedAdmission(t, c, &now)
	validator := peerIDOf(t, newKey(t))
	ctx := context.Background()

	require.Equal(t, reject(RejectMalformed), a.AdmitBeacon(ctx, []byte("junk"), validator, fromValidator))
	forged := gateway.BuildBeacon(newKey(t), poctypes.BlockEntropy{Height: e.Height, Hash: e.Hash, TimeMs: e.TimeMs}, []byte{1, 0, 0, 0}, stubPlan, 51, 27, now)
	forged.Signature[0] ^= 1
	require.Equal(t, reject(RejectBadSignature), a.AdmitBeacon(ctx, wire.EncodeBeacon(forged), validator, fromValidator))

	// Beacons of hotspots this node does not know (registered a moment
	// ago on the sharer's view of the chain, say).
	for i := range deliveryBurst {
		d := a.AdmitBeacon(ctx, beaconOn(newKey(t), e, 1, now), validator, fromValidator)
		require.Equal(t, ignore(IgnoreSharedInvalid), d, "share %d", i)
	}
	require.Equal(t, reject(RejectShareFlood), a.AdmitBeacon(ctx, beaconOn(newKey(t), e, 1, now), validator, fromValidator))
	// Another validator has a budget of its own.
	require.Equal(t, ignore(IgnoreSharedInvalid), a.AdmitBeacon(ctx, beaconOn(newKey(t), e, 1, now), peerIDOf(t, newKey(t)), fromValidator))
	// The same beacon delivered by its hotspot is rejected as what it is.
	priv := newKey(t)
	require.Equal(t, reject(RejectUnknownHotspot), a.AdmitBeacon(ctx, beaconOn(priv, e, 1, now), peerIDOf(t, priv), fromHotspot))
}

// A node whose own gRPC is unavailable cannot judge a sender: the report is
// ignored (no penalty, the hotspot retries), not rejected.
func TestUnavailableChainIgnoresReports(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := &stubChain{down: true, entropy: map[int64]Entropy{10: {Height: 10, Hash: []byte("0123456789abcdef0123456789abcdef"), TimeMs: now.UnixMilli()}}}
	a := clockedAdmission(t, c, &now)
	priv := newKey(t)
	d := a.AdmitBeacon(context.Background(), beaconOn(priv, c.entropy[10], 1, now), peerIDOf(t, priv), fromHotspot)
	require.Equal(t, ignore(IgnoreUnavailable), d)
	require.Equal(t, pubsub.ValidationIgnore, d.Result)
}
