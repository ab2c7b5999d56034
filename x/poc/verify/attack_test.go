package verify

import (
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"
)

// Each test plays an attack from docs/security.md against the rules; the
// keeper tests play the same attacks against the chain.

// Attack 2: a registered key far away (here 1,000 km, another region would
// do as well) signs a report stamped 5 s before the beacon. Under the old
// "1500 ms after the first witness" rule that made every honest witness
// too_late. Now the back-dated report is too_early and changes nobody else's
// verdict.
func TestAttackBackDatedFirstWitness(t *testing.T) {
	c, b := scenario(t)
	c.add("far", cellAt(t, sfLat, sfLng, 1000, 90))
	c.seasoned(now, "far")
	backdated := c.witness("far", b, beaconTs-5000, -1300)
	honest := c.witness("w", b, beaconTs+2500, -900)
	v := judgeAll(c, b, backdated, honest)
	require.Equal(t, ReasonTooEarly, v.Witnesses[0].Reason)
	require.Equal(t, Valid, v.Witnesses[1].Reason, v.Witnesses[1].Reason.String())
	require.True(t, v.Witnesses[1].Selected)
}

// Attack 2, selection: a witness cannot win selection by stamping its report
// early or by being relayed first. The draw depends on the seed (the closing
// block's hash with the beacon ID) and the set of valid witnesses only.
func TestAttackBackDatedWitnessCannotWinSelection(t *testing.T) {
	seedFor := func(b *Beacon, block string) [32]byte { return SelectionSeed([]byte(block), b.ID()) }
	c, b, ws := sixteenValid(t, func(i int) int64 { return int64(100 * i) })
	want := selectedNames(Judge(DefaultParams(), c, b, ws, now, seedFor(b, "closing block"), Options{}))

	// Every report re-stamped in reverse and the input order reversed.
	_, _, rev := sixteenValid(t, func(i int) int64 { return int64(1000 - 100*i) })
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	require.Equal(t, want, selectedNames(Judge(DefaultParams(), c, b, rev, now, seedFor(b, "closing block"), Options{})))

	// The two left out are not the two latest (which "first 14" would drop)
	// for every seed: over a few closing blocks each witness is left out
	// at least once, so none is sure of selection.
	leftOut := map[string]bool{}
	for k := 0; k < 40; k++ {
		v := Judge(DefaultParams(), c, b, ws, now, seedFor(b, string(rune('a'+k))), Options{})
		chosen := map[string]bool{}
		for _, n := range selectedNames(v) {
			chosen[n] = true
		}
		for _, n := range names(16, "w") {
			if !chosen[n] {
				leftOut[n] = true
			}
		}
	}
	require.Len(t, leftOut, 16, "every witness is left out by some seed")
}

// Attack 3: two beaconers that use the same block and the same local
// entropy used to send the same payload, so one witness report was valid
// for both beacons. The payload now binds the beaconer's key.
func TestAttackWitnessReplayAcrossBeacons(t *testing.T) {
	c, b := scenario(t)
	c.add("b2", cellAt(t, sfLat, sfLng, 5, 180))
	c.seasoned(now, "b2")
	b2 := c.beacon("b2", beaconTs) // same block, same local entropy {1,2,3,4}
	require.NotEqual(t, b.Payload, b2.Payload)

	w := c.witness("w", b, beaconTs+300, -900)
	require.Equal(t, Valid, judgeAll(c, b, w).Witnesses[0].Reason)
	require.Equal(t, ReasonInvalidPacket, judgeAll(c, b2, w).Witnesses[0].Reason, "the report heard b's payload, not b2's")
}

// Attack 4: entropy lives 180 s, so after a 6 h boundary a hotspot could
// alternate beacons stamped in buckets k+1 and k. A bucket not later than
// the last one used is irregular, and the stored bucket never decreases.
func TestAttackBeaconIntervalBypass(t *testing.T) {
	c := newFakeChain()
	c.add("b", sfCell(t))
	c.add("w", cellAt(t, sfLat, sfLng, 5, 0))
	interval := DefaultParams().BeaconIntervalMs
	boundary := (beaconTs/interval + 1) * interval
	// Entropy 60 s before the boundary serves beacons on both sides of it.
	c.blockTimes[100] = boundary - 60_000
	c.seasoned(boundary+100_000, "b", "w")
	at := func(tsMs int64) Verdict {
		b := c.beacon("b", tsMs)
		v := Judge(DefaultParams(), c, b, []Witness{c.witness("w", b, tsMs+300, -900)}, boundary+100_000, [32]byte{}, Options{})
		c.apply(v, boundary+100_000)
		return v
	}
	require.Equal(t, Valid, at(boundary+10_000).BeaconReason, "bucket k+1")
	back := at(boundary - 10_000)
	require.Equal(t, ReasonIrregularInterval, back.BeaconReason, "bucket k after k+1")
	require.Equal(t, boundary/interval, c.bucket["b"], "the stored bucket did not move back")
	require.Equal(t, ReasonIrregularInterval, at(boundary+20_000).BeaconReason, "k+1 again")
}

// Attack 5: the signed transmit power was never bounded, so a beacon
// declaring 200 dBm let a colluding witness report -30 dBm at 22 km.
func TestAttackDeclaredTxPower(t *testing.T) {
	c, _ := scenario(t)
	c.add("colluder", cellAt(t, sfLat, sfLng, 22, 45))
	c.seasoned(now, "colluder")
	b := c.beacon("b", beaconTs)
	b.TxPowerDBm = 200
	b.Signature = ed25519.Sign(c.keys["b"], b.SignBytes())
	v := judgeAll(c, b, c.witness("colluder", b, beaconTs+300, -300))
	require.Equal(t, ReasonInvalidTxPower, v.BeaconReason)
	require.Equal(t, ReasonInvalidTxPower, v.Witnesses[0].Reason)

	// The bound itself, and no overflow at the extremes of int32.
	require.Equal(t, int64(35), MaxConductedPowerDBm(360, 12))
	require.Equal(t, int64(15), MaxConductedPowerDBm(160, 19), "EU868 16 dBm, 1.9 dBi truncates to 1")
	require.Equal(t, int64(-214748364-214748364), MaxConductedPowerDBm(-2147483648, 2147483647))
	b.TxPowerDBm = 35
	b.Signature = ed25519.Sign(c.keys["b"], b.SignBytes())
	require.Equal(t, Valid, judgeAll(c, b, c.witness("w", b, beaconTs+300, -900)).BeaconReason)
}

// Attack 6: forged and unregistered reports counted as "witnessed" for the
// beaconer's reciprocity; the 48 h window was inclusive; when the beaconer
// failed reciprocity, invalid witnesses kept their own reasons.
func TestAttackReciprocityWithJunk(t *testing.T) {
	c, b := scenario(t)
	c.add("ghost", cellAt(t, sfLat, sfLng, 7, 270))
	unregistered := c.witness("ghost", b, beaconTs+300, -900)
	delete(c.hotspots, string(c.pub("ghost")))
	forged := c.witness("w", b, beaconTs+300, -900)
	forged.Signature[0] ^= 1
	v := judgeAll(c, b, unregistered, forged)
	require.Equal(t, Valid, v.BeaconReason)
	require.False(t, v.BeaconCounts, "junk reports must not count as witnessed")

	c.add("unasserted", cellAt(t, sfLat, sfLng, 7, 90))
	h := c.hotspots[string(c.pub("unasserted"))]
	h.Asserted = false
	c.hotspots[string(c.pub("unasserted"))] = h
	require.False(t, judgeAll(c, b, c.witness("unasserted", b, beaconTs+300, -900)).BeaconCounts)
	require.True(t, judgeAll(c, b, c.witness("w", b, beaconTs+300, -900)).BeaconCounts)

	// Exactly 48 h ago is outside the window.
	window := DefaultParams().ReciprocityWindowMs
	c.lastWitness["b"] = now - window
	v = judgeAll(c, b, c.witness("w", b, beaconTs+300, -900), c.witness("w", b, beaconTs+9000, -900))
	require.Equal(t, ReasonGatewayNoValidWitnesses, v.BeaconReason)
	for i, w := range v.Witnesses {
		require.Equal(t, ReasonGatewayNoValidWitnesses, w.Reason, "witness %d takes the beacon's reason", i)
		require.Equal(t, SideBeaconer, w.Side)
	}
	c.lastWitness["b"] = now - window + 1
	require.Equal(t, Valid, judgeAll(c, b, c.witness("w", b, beaconTs+300, -900)).BeaconReason)
	c.lastBeacon["w"] = now - window
	require.Equal(t, ReasonGatewayNoValidBeacons, judgeAll(c, b, c.witness("w", b, beaconTs+300, -900)).Witnesses[0].Reason)
}

// Attack 1f at the rules: a witness's genuine report of another beacon,
// stamped earlier, does not make its real report a duplicate.
func TestAttackReplayedReportOfAnotherBeacon(t *testing.T) {
	c, b := scenario(t)
	c.add("b2", cellAt(t, sfLat, sfLng, 5, 180))
	other := c.beacon("b2", beaconTs)
	replayed := c.witness("w", other, beaconTs-500, -900)
	real := c.witness("w", b, beaconTs+300, -900)
	v := judgeAll(c, b, replayed, real)
	require.Equal(t, ReasonInvalidPacket, v.Witnesses[0].Reason)
	require.Equal(t, Valid, v.Witnesses[1].Reason)
	require.True(t, v.Witnesses[1].Selected)
}
