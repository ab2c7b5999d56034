package verify

import (
	"crypto/ed25519"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

const now = beaconTs + 60_000 // block time of the including block

// scenario: beaconer "b" in San Francisco, witness "w" 5 km north, both seasoned.
func scenario(t *testing.T) (*fakeChain, *Beacon) {
	c := newFakeChain()
	c.add("b", sfCell(t))
	c.add("w", cellAt(t, sfLat, sfLng, 5, 0))
	c.seasoned(now, "b", "w")
	return c, c.beacon("b", beaconTs)
}

func judgeAll(c *fakeChain, b *Beacon, ws ...Witness) Verdict {
	return Judge(DefaultParams(), c, b, ws, now, [32]byte{}, Options{})
}

func TestHonestPoC(t *testing.T) {
	c, b := scenario(t)
	v := judgeAll(c, b, c.witness("w", b, beaconTs+300, -900))
	require.Equal(t, Valid, v.BeaconReason)
	require.Equal(t, Valid, v.Witnesses[0].Reason, v.Witnesses[0].Reason.String())
	require.True(t, v.Witnesses[0].Selected)
	require.InDelta(t, 5000, float64(v.Witnesses[0].DistanceM), 60)
	require.Equal(t, uint32(2500), v.BeaconRewardUnit) // n=1: 0.25
	require.Equal(t, uint32(10000), v.Witnesses[0].RewardUnit)
}

func TestBeaconChecks(t *testing.T) {
	cases := []struct {
		name string
		edit func(c *fakeChain, b *Beacon)
		want Reason
	}{
		{"unknown beaconer", func(c *fakeChain, b *Beacon) { delete(c.hotspots, string(b.Pubkey)) }, ReasonGatewayNotFound},
		{"not asserted", func(c *fakeChain, b *Beacon) {
			h := c.hotspots[string(b.Pubkey)]
			h.Asserted = false
			c.hotspots[string(b.Pubkey)] = h
		}, ReasonNotAsserted},
		{"denied", func(c *fakeChain, b *Beacon) { c.denied["b"] = true }, ReasonDenied},
		{"entropy not a block", func(c *fakeChain, b *Beacon) { b.EntropyHash = []byte("nope") }, ReasonEntropyExpired},
		{"entropy older than 180 s", func(c *fakeChain, b *Beacon) { b.TimestampNs = (c.blockTimes[100] + 180_001) * 1e6 }, ReasonEntropyExpired},
		{"beacon before its entropy", func(c *fakeChain, b *Beacon) { b.TimestampNs = (c.blockTimes[100] - 1) * 1e6 }, ReasonEntropyExpired},
		{"data-only beaconer", func(c *fakeChain, b *Beacon) {
			h := c.hotspots[string(b.Pubkey)]
			h.DataOnly = true
			c.hotspots[string(b.Pubkey)] = h
		}, ReasonInvalidCapability},
		{"second beacon in the bucket", func(c *fakeChain, b *Beacon) { c.bucket["b"] = floorDiv(beaconTs, DefaultParams().BeaconIntervalMs) }, ReasonIrregularInterval},
		{"payload not from the entropy", func(c *fakeChain, b *Beacon) { b.Payload[7] ^= 1 }, ReasonInvalidPacket},
		{"wrong channel", func(c *fakeChain, b *Beacon) { b.FrequencyHz += 200_000 }, ReasonInvalidPacket},
		{"wrong data rate", func(c *fakeChain, b *Beacon) { b.DataRate = "SF7BW125" }, ReasonInvalidPacket},
		{"short payload", func(c *fakeChain, b *Beacon) { b.Payload = b.Payload[:50] }, ReasonInvalidPacket},
		{"declared power above EIRP minus gain", func(c *fakeChain, b *Beacon) {
			b.TxPowerDBm = 36 // US915 36 dBm EIRP - trunc(1.2 dBi) = 35
			b.Signature = ed25519.Sign(c.keys["b"], b.SignBytes())
		}, ReasonInvalidTxPower},
		{"bad signature", func(c *fakeChain, b *Beacon) { b.Signature[0] ^= 1 }, ReasonBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, b := scenario(t)
			w := c.witness("w", b, beaconTs+300, -900)
			tc.edit(c, b)
			v := judgeAll(c, b, w)
			require.Equal(t, tc.want, v.BeaconReason, v.BeaconReason.String())
			require.Equal(t, SideBeaconer, v.BeaconSide)
			require.Equal(t, tc.want, v.Witnesses[0].Reason, "a failed beacon fails its witnesses")
			require.Equal(t, SideBeaconer, v.Witnesses[0].Side)
			require.Zero(t, v.BeaconRewardUnit)
		})
	}
	t.Run("the previous bucket is fine", func(t *testing.T) {
		c, b := scenario(t)
		c.bucket["b"] = floorDiv(beaconTs, DefaultParams().BeaconIntervalMs) - 1
		require.Equal(t, Valid, judgeAll(c, b, c.witness("w", b, beaconTs+300, -900)).BeaconReason)
	})
	t.Run("an invalid attempt still uses its bucket", func(t *testing.T) {
		c, b := scenario(t)
		b.Payload[0] ^= 1
		b.Signature = ed25519.Sign(c.keys["b"], b.SignBytes()) // authentic, but a wrong payload
		v := judgeAll(c, b)
		require.Equal(t, ReasonInvalidPacket, v.BeaconReason)
		require.True(t, v.UsedBucket)
	})
	t.Run("a forged attempt does not use the bucket", func(t *testing.T) {
		c, b := scenario(t)
		b.Payload[0] ^= 1 // signature no longer matches: someone else's forgery
		v := judgeAll(c, b)
		require.Equal(t, ReasonInvalidPacket, v.BeaconReason)
		require.False(t, v.UsedBucket)
	})
}

func TestWitnessChecks(t *testing.T) {
	cases := []struct {
		name string
		mk   func(c *fakeChain, b *Beacon) Witness
		want Reason
	}{
		{"bad signature", func(c *fakeChain, b *Beacon) Witness {
			w := c.witness("w", b, beaconTs+300, -900)
			w.RSSIDdbm = -800 // signed over -900
			return w
		}, ReasonBadSignature},
		{"unknown witness", func(c *fakeChain, b *Beacon) Witness {
			w := c.witness("w", b, beaconTs+300, -900)
			delete(c.hotspots, string(w.Pubkey))
			return w
		}, ReasonGatewayNotFound},
		{"unasserted witness", func(c *fakeChain, b *Beacon) Witness {
			w := c.witness("w", b, beaconTs+300, -900)
			h := c.hotspots[string(w.Pubkey)]
			h.Asserted = false
			c.hotspots[string(w.Pubkey)] = h
			return w
		}, ReasonNotAsserted},
		{"denied witness", func(c *fakeChain, b *Beacon) Witness {
			c.denied["w"] = true
			return c.witness("w", b, beaconTs+300, -900)
		}, ReasonDenied},
		{"denied edge (either order)", func(c *fakeChain, b *Beacon) Witness {
			c.deniedEdges[[2]string{"w", "b"}] = true
			return c.witness("w", b, beaconTs+300, -900)
		}, ReasonDeniedEdge},
		{"self witness", func(c *fakeChain, b *Beacon) Witness { return c.witness("b", b, beaconTs+300, -900) }, ReasonSelfWitness},
		{"outside the entropy window", func(c *fakeChain, b *Beacon) Witness {
			return c.witness("w", b, c.blockTimes[100]-1, -900)
		}, ReasonEntropyExpired},
		{"4001 ms after the beacon", func(c *fakeChain, b *Beacon) Witness { return c.witness("w", b, beaconTs+4001, -900) }, ReasonTooLate},
		{"different payload", func(c *fakeChain, b *Beacon) Witness {
			return c.witness("w", b, beaconTs+300, -900, func(w *Witness) { w.Payload = append([]byte{}, b.Payload...); w.Payload[50] ^= 1 })
		}, ReasonInvalidPacket},
		{"data-only witness", func(c *fakeChain, b *Beacon) Witness {
			w := c.witness("w", b, beaconTs+300, -900)
			h := c.hotspots[string(w.Pubkey)]
			h.DataOnly = true
			c.hotspots[string(w.Pubkey)] = h
			return w
		}, ReasonInvalidCapability},
		{"frequency off by 100001 Hz", func(c *fakeChain, b *Beacon) Witness {
			return c.witness("w", b, beaconTs+300, -900, func(w *Witness) { w.FrequencyHz = b.FrequencyHz + 100_001 })
		}, ReasonInvalidFrequency},
		{"other region", func(c *fakeChain, b *Beacon) Witness {
			w := c.witness("w", b, beaconTs+300, -900)
			h := c.hotspots[string(w.Pubkey)]
			h.Region = "EU868"
			c.hotspots[string(w.Pubkey)] = h
			return w
		}, ReasonInvalidRegion},
		{"RSSI above the free-space bound", func(c *fakeChain, b *Beacon) Witness { return c.witness("w", b, beaconTs+300, -100) }, ReasonBadRSSI},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, b := scenario(t)
			v := judgeAll(c, b, tc.mk(c, b))
			require.Equal(t, Valid, v.BeaconReason)
			require.Equal(t, tc.want, v.Witnesses[0].Reason, v.Witnesses[0].Reason.String())
			require.Equal(t, SideWitness, v.Witnesses[0].Side)
			require.False(t, v.Witnesses[0].Selected)
			require.Zero(t, v.Witnesses[0].RewardUnit)
		})
	}
	t.Run("self witnesses are not stored", func(t *testing.T) {
		c, b := scenario(t)
		v := judgeAll(c, b, c.witness("b", b, beaconTs+300, -900))
		require.False(t, v.Witnesses[0].Stored)
		require.False(t, v.BeaconCounts, "a self witness is not a witness report")
	})
}

func TestFrequencyBoundary(t *testing.T) {
	c, b := scenario(t)
	ok := c.witness("w", b, beaconTs+300, -900, func(w *Witness) { w.FrequencyHz = b.FrequencyHz - 100_000 })
	require.Equal(t, Valid, judgeAll(c, b, ok).Witnesses[0].Reason)
	bad := c.witness("w", b, beaconTs+300, -900, func(w *Witness) { w.FrequencyHz = b.FrequencyHz - 100_001 })
	require.Equal(t, ReasonInvalidFrequency, judgeAll(c, b, bad).Witnesses[0].Reason)
}

func TestMinGridDistanceBoundary(t *testing.T) {
	for _, tc := range []struct {
		k    int
		want Reason
	}{{8, Valid}, {7, ReasonBelowMinDistance}, {1, ReasonBelowMinDistance}} {
		c := newFakeChain()
		c.add("b", sfCell(t))
		c.add("w", ringCell(t, sfCell(t), tc.k))
		c.seasoned(now, "b", "w")
		b := c.beacon("b", beaconTs)
		v := judgeAll(c, b, c.witness("w", b, beaconTs+300, -1200))
		require.Equal(t, tc.want, v.Witnesses[0].Reason, "k=%d: %s", tc.k, v.Witnesses[0].Reason)
	}
}

// 100 km in whole km: floor(distance / 1000) may equal the limit.
func TestMaxDistanceBoundary(t *testing.T) {
	c := newFakeChain()
	c.add("b", sfCell(t))
	c.add("w", cellAt(t, sfLat, sfLng, 60.5, 90))
	c.seasoned(now, "b", "w")
	b := c.beacon("b", beaconTs)
	w := c.witness("w", b, beaconTs+300, -1300)
	v := judgeAll(c, b, w)
	require.Equal(t, Valid, v.Witnesses[0].Reason)
	km := v.Witnesses[0].DistanceM / 1000

	p := DefaultParams()
	p.MaxDistanceKm = km
	require.Equal(t, Valid, Judge(p, c, b, []Witness{w}, now, [32]byte{}, Options{}).Witnesses[0].Reason)
	p.MaxDistanceKm = km - 1
	require.Equal(t, ReasonMaxDistanceExceeded, Judge(p, c, b, []Witness{w}, now, [32]byte{}, Options{}).Witnesses[0].Reason)

	far := newFakeChain()
	far.add("b", sfCell(t))
	far.add("w", cellAt(t, sfLat, sfLng, 101.5, 90))
	far.seasoned(now, "b", "w")
	fb := far.beacon("b", beaconTs)
	require.Equal(t, ReasonMaxDistanceExceeded, judgeAll(far, fb, far.witness("w", fb, beaconTs+300, -1400)).Witnesses[0].Reason)
}

// The FSPL bound, with both gains truncated to whole dB: the RSSI at the
// bound passes, one tenth of a dB more fails.
func TestRSSIBoundary(t *testing.T) {
	c, b := scenario(t)
	v := judgeAll(c, b, c.witness("w", b, beaconTs+300, -1200))
	max := v.Witnesses[0].MaxRSSIMicroDBm
	require.True(t, v.Witnesses[0].RSSIComputed)
	limit := int32(max / 100_000)
	if int64(limit)*100_000 > max {
		limit--
	}
	require.Equal(t, Valid, judgeAll(c, b, c.witness("w", b, beaconTs+300, limit)).Witnesses[0].Reason)
	require.Equal(t, ReasonBadRSSI, judgeAll(c, b, c.witness("w", b, beaconTs+300, limit+1)).Witnesses[0].Reason)

	// gain 1.9 dBi counts as 1 dB: raising both gains from 1.2 to 1.9 changes nothing
	for _, name := range []string{"b", "w"} {
		h := c.hotspots[string(c.pub(name))]
		h.Gain = 19
		c.hotspots[string(c.pub(name))] = h
	}
	require.Equal(t, max, judgeAll(c, b, c.witness("w", b, beaconTs+300, -1200)).Witnesses[0].MaxRSSIMicroDBm)
}

func TestLagBoundaries(t *testing.T) {
	c, b := scenario(t)
	require.Equal(t, Valid, judgeAll(c, b, c.witness("w", b, beaconTs+4000, -900)).Witnesses[0].Reason)
	require.Equal(t, ReasonTooLate, judgeAll(c, b, c.witness("w", b, beaconTs+4001, -900)).Witnesses[0].Reason)
	require.Equal(t, Valid, judgeAll(c, b, c.witness("w", b, beaconTs-1000, -900)).Witnesses[0].Reason)
	require.Equal(t, ReasonTooEarly, judgeAll(c, b, c.witness("w", b, beaconTs-1001, -900)).Witnesses[0].Reason)
}

func TestDuplicateKeepsEarliest(t *testing.T) {
	c, b := scenario(t)
	late := c.witness("w", b, beaconTs+900, -900)
	early := c.witness("w", b, beaconTs+200, -900)
	v := judgeAll(c, b, late, early) // input order is not time order
	require.Equal(t, ReasonDuplicate, v.Witnesses[0].Reason)
	require.Equal(t, Valid, v.Witnesses[1].Reason)
	// a forged copy with a bad signature does not displace the real one,
	// and is not filed under the hotspot it names
	forged := c.witness("w", b, beaconTs+100, -900)
	forged.Signature[1] ^= 1
	v = judgeAll(c, b, forged, late)
	require.Equal(t, ReasonBadSignature, v.Witnesses[0].Reason)
	require.False(t, v.Witnesses[0].Stored)
	require.Equal(t, Valid, v.Witnesses[1].Reason)
}

// New hotspots bootstrap: A's first beacon fails reciprocity (A never
// witnessed) but counts; B's witness of it passes 1-13 and counts. On the
// second event (B beacons, A witnesses) both are valid.
func TestReciprocityBootstrapping(t *testing.T) {
	c := newFakeChain()
	c.add("a", sfCell(t))
	c.add("bb", cellAt(t, sfLat, sfLng, 5, 0))

	b1 := c.beacon("a", beaconTs)
	v := judgeAll(c, b1, c.witness("bb", b1, beaconTs+300, -900))
	require.Equal(t, ReasonGatewayNoValidWitnesses, v.BeaconReason)
	require.Equal(t, ReasonGatewayNoValidWitnesses, v.Witnesses[0].Reason)
	require.Equal(t, SideBeaconer, v.Witnesses[0].Side)
	require.True(t, v.BeaconCounts)
	require.True(t, v.Witnesses[0].PassedPhysical)
	c.apply(v, now)

	b2 := c.beacon("bb", beaconTs)
	v = judgeAll(c, b2, c.witness("a", b2, beaconTs+300, -900))
	require.Equal(t, Valid, v.BeaconReason, v.BeaconReason.String())
	require.Equal(t, Valid, v.Witnesses[0].Reason, v.Witnesses[0].Reason.String())

	// A witness whose own last beacon is older than 48 h fails on its side.
	c.lastBeacon["a"] = now - DefaultParams().ReciprocityWindowMs - 1
	v = judgeAll(c, b2, c.witness("a", b2, beaconTs+300, -900))
	require.Equal(t, ReasonGatewayNoValidBeacons, v.Witnesses[0].Reason)
	require.Equal(t, SideWitness, v.Witnesses[0].Side)
}

// sixteenValid: a seasoned beaconer and 16 seasoned witnesses 3-10.5 km
// away, each with a valid report; tsOf gives report i's offset from the beacon.
func sixteenValid(t *testing.T, tsOf func(i int) int64) (*fakeChain, *Beacon, []Witness) {
	c := newFakeChain()
	c.add("b", sfCell(t))
	c.seasoned(now, "b")
	b := c.beacon("b", beaconTs)
	var ws []Witness
	for i, n := range names(16, "w") {
		c.add(n, cellAt(t, sfLat, sfLng, 3+float64(i)*0.5, float64(i)*22.5))
		c.seasoned(now, n)
		ws = append(ws, c.witness(n, b, beaconTs+tsOf(i), -1300))
	}
	return c, b, ws
}

func selectedNames(v Verdict) []string {
	var out []string
	for _, w := range v.Witnesses {
		if w.Selected {
			out = append(out, w.Address)
		}
	}
	sort.Strings(out)
	return out
}

func TestSelectsAtMost14(t *testing.T) {
	c, b, ws := sixteenValid(t, func(i int) int64 { return int64(100 * i) })
	v := Judge(DefaultParams(), c, b, ws, now, SelectionSeed([]byte("closing block"), b.ID()), Options{})
	require.Equal(t, 14, v.Selected)
	require.Len(t, selectedNames(v), 14)
	for i, w := range v.Witnesses {
		require.Equal(t, Valid, w.Reason, "%d %s", i, w.Reason)
		if w.Selected {
			require.Equal(t, uint32(2220), w.RewardUnit)
		} else {
			require.Zero(t, w.RewardUnit)
		}
	}
	require.Equal(t, uint32(18926), v.BeaconRewardUnit)
}

func TestRewardUnitTable(t *testing.T) {
	table := map[int][2]uint32{
		0: {0, 0}, 1: {2500, 10000}, 2: {5000, 10000}, 3: {7500, 10000}, 4: {10000, 10000},
		5: {12000, 7600}, 6: {13600, 6067}, 8: {15904, 4262}, 10: {17379, 3262}, 14: {18926, 2220},
	}
	for n, want := range table {
		bu, wu := RewardUnits(n)
		require.Equal(t, want, [2]uint32{bu, wu}, "n=%d", n)
	}
}

func TestJudgeIsDeterministic(t *testing.T) {
	c, b := scenario(t)
	ws := []Witness{c.witness("w", b, beaconTs+300, -900), c.witness("b", b, beaconTs+100, -900)}
	first := judgeAll(c, b, ws...)
	for i := 0; i < 20; i++ {
		require.Equal(t, first, judgeAll(c, b, ws...))
	}
}
