package keeper_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// reciprocityWindowMs is the documented 48 h (docs/poc-rules.md), written
// out here rather than read from the implementation.
const reciprocityWindowMs = 48 * 60 * 60 * 1000

// The beaconer's reciprocity (HIP-106) is a 48 h window, not "has ever
// witnessed": a beaconer whose last valid witness is 48 h old or older fails
// the whole PoC with gateway_no_valid_witnesses; one just inside passes.
func TestBeaconerReciprocityWindowIs48Hours(t *testing.T) {
	p := types.DefaultParams()
	require.Equal(t, int64(reciprocityWindowMs), p.ReciprocityWindowMs, "default window is 48 h")
	// f.judge relays at nowMs and closes the PoC in the first block after
	// close_grace_ms: the verdict's block time.
	closeMs := nowMs + int64(p.CloseGraceMs) + 1
	for _, tc := range []struct {
		name        string
		lastWitness int64
		want        types.Reason
	}{
		{"witnessed 48 h + 1 h ago", closeMs - reciprocityWindowMs - 3_600_000, types.REASON_GATEWAY_NO_VALID_WITNESSES},
		{"witnessed 48 h + 1 ms ago", closeMs - reciprocityWindowMs - 1, types.REASON_GATEWAY_NO_VALID_WITNESSES},
		{"witnessed exactly 48 h ago", closeMs - reciprocityWindowMs, types.REASON_GATEWAY_NO_VALID_WITNESSES},
		{"witnessed 48 h - 1 ms ago", closeMs - reciprocityWindowMs + 1, types.REASON_VALID},
		{"witnessed 47 h ago", closeMs - reciprocityWindowMs + 3_600_000, types.REASON_VALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
			good := f.hotspot(t, "good", cellAt(t, 5, 0))
			f.seasoned(t, good)
			require.NoError(t, f.k.Activity.Set(f.ctx, b, types.HotspotActivity{
				Hotspot: b, LastWitnessMs: tc.lastWitness, LastBeaconMs: nowMs - 1000,
			}))
			beacon := f.beacon("beaconer", 1)
			rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
			require.Equal(t, closeMs, f.ctx.BlockTime().UnixMilli(), "judged at the expected block time")
			require.Equal(t, tc.want, rec.Reason)
			sh, err := f.query.RewardShares(f.ctx, &types.QueryRewardSharesRequest{Hotspot: good, Epoch: 1})
			require.NoError(t, err)
			if tc.want == types.REASON_VALID {
				require.Equal(t, uint32(1), rec.Selected)
				require.Positive(t, sh.Shares.WitnessShares)
			} else {
				require.Equal(t, types.SIDE_BEACONER, rec.Side)
				require.Zero(t, rec.Selected)
				require.Zero(t, sh.Shares.WitnessShares, "a PoC failing the beaconer's reciprocity rewards nobody")
			}
		})
	}
}

// The chain itself checks that a beacon's entropy hash is the hash of the
// block it names: a beacon that names a real height with another hash (and
// a payload consistent with that hash) is judged entropy_expired, rewards
// nobody and does not use up the beaconer's interval bucket.
func TestBeaconWithWrongEntropyHashIsJudgedInvalid(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	good := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, good)

	// forge builds a beacon on the entropy (height, hash) it is given, as an
	// honest hotspot would on that entropy: payload, channel and signature
	// all consistent with it.
	forge := func(local byte, height int64, hash []byte) *verify.Beacon {
		channels := hotspottypes.DefaultRegionPlans()[0].ChannelFrequenciesHz
		beacon := f.beacon("beaconer", local)
		beacon.EntropyHeight, beacon.EntropyHash = height, hash
		beacon.Payload = verify.BeaconPayload(hash, f.pub("beaconer"), beacon.LocalEntropy, len(beacon.Payload))
		beacon.FrequencyHz = channels[verify.BeaconChannel(beacon.Payload, len(channels))]
		beacon.Signature = ed25519.Sign(f.keys["beaconer"], beacon.SignBytes())
		return beacon
	}

	wrong := sha256.Sum256([]byte("not block 100"))
	require.NotEqual(t, f.entropy, wrong[:])
	for name, beacon := range map[string]*verify.Beacon{
		"real height, wrong hash":   forge(1, entropyHeight, wrong[:]),
		"unknown height, real hash": forge(2, entropyHeight-1, f.entropy),
	} {
		rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
		require.Equal(t, types.REASON_ENTROPY_EXPIRED, rec.Reason, name)
		require.Equal(t, types.SIDE_BEACONER, rec.Side, name)
		require.Zero(t, rec.Selected, name)
	}
	sh, err := f.query.RewardShares(f.ctx, &types.QueryRewardSharesRequest{Hotspot: good, Epoch: 1})
	require.NoError(t, err)
	require.Zero(t, sh.Shares.WitnessShares)
	sh, err = f.query.RewardShares(f.ctx, &types.QueryRewardSharesRequest{Hotspot: b, Epoch: 1})
	require.NoError(t, err)
	require.Zero(t, sh.Shares.BeaconShares)

	// The same beacon with the real hash is valid (and its bucket was not
	// used up by the forgeries, which fail before the interval check).
	real := forge(3, entropyHeight, f.entropy)
	require.Equal(t, f.beacon("beaconer", 3).Payload, real.Payload)
	rec := f.judge(t, f.msg(real, f.witness("good", real, 300, -950)))
	require.Equal(t, types.REASON_VALID, rec.Reason)
}

// The beacon's interval bucket is stored with its value (floor of the
// beacon's timestamp over beacon_interval_ms), and the next beacon in the
// same or an earlier bucket is refused while a later one is accepted and
// moves the stored bucket forward.
func TestBeaconIntervalBucketIsStored(t *testing.T) {
	t.Run("default 6 h interval", func(t *testing.T) {
		f := setup(t)
		b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
		f.seasoned(t, b)
		const sixHoursMs = 6 * 60 * 60 * 1000
		require.Equal(t, int64(sixHoursMs), types.DefaultParams().BeaconIntervalMs)
		rec := f.judge(t, f.msg(f.beacon("beaconer", 1)))
		require.Equal(t, types.REASON_VALID, rec.Reason)
		a, err := f.k.Activity.Get(f.ctx, b)
		require.NoError(t, err)
		require.True(t, a.HasBucket)
		require.Equal(t, int64(beaconMs/sixHoursMs), a.LastBeaconBucket)
		// another beacon in the same 6 h bucket
		rec = f.judge(t, f.msg(f.beacon("beaconer", 2)))
		require.Equal(t, types.REASON_IRREGULAR_INTERVAL, rec.Reason)
	})

	f := setup(t)
	p, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	const interval = 60_000
	p.BeaconIntervalMs = interval
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.seasoned(t, b)
	at := func(local byte, tsMs int64) types.Reason {
		beacon := f.beacon("beaconer", local)
		beacon.TimestampNs = tsMs * 1e6
		beacon.Signature = ed25519.Sign(f.keys["beaconer"], beacon.SignBytes())
		return f.judge(t, f.msg(beacon)).Reason
	}
	bucket := func() int64 {
		a, err := f.k.Activity.Get(f.ctx, b)
		require.NoError(t, err)
		require.True(t, a.HasBucket)
		return a.LastBeaconBucket
	}
	// entropyMs is 40 s before a minute boundary: k starts at entropy+40 s.
	k := int64((entropyMs + 40_000) / interval)
	require.Zero(t, (entropyMs+40_000)%interval)

	require.Equal(t, types.REASON_VALID, at(1, entropyMs+50_000), "bucket k")
	require.Equal(t, k, bucket())
	require.Equal(t, types.REASON_IRREGULAR_INTERVAL, at(2, entropyMs+59_999), "bucket k again")
	require.Equal(t, k, bucket())
	require.Equal(t, types.REASON_IRREGULAR_INTERVAL, at(3, entropyMs+30_000), "bucket k-1")
	require.Equal(t, k, bucket(), "an earlier bucket never moves the stored one back")
	require.Equal(t, types.REASON_VALID, at(4, entropyMs+100_000), "bucket k+1, first instant")
	require.Equal(t, k+1, bucket())
	require.Equal(t, types.REASON_IRREGULAR_INTERVAL, at(5, entropyMs+100_001), "bucket k+1 again")
	require.Equal(t, types.REASON_VALID, at(6, entropyMs+160_000), "bucket k+2")
	require.Equal(t, k+2, bucket())
}
