package verify

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"
)

// TestGoldenVerdict pins a whole PoC's verdict — distances, path-loss bounds,
// reasons, units — for fixed cells. CI runs it built for arm64 under qemu:
// the same integers there prove the verdict does not depend on the CPU.
func TestGoldenVerdict(t *testing.T) {
	c := newFakeChain()
	c.add("b", h3.Cell(0x8c283082800b3ff))  // San Francisco
	c.add("n5", h3.Cell(0x8c283080d0a91ff)) // 5 km N
	c.add("ne20", h3.Cell(0x8c283088d8083ff))
	c.add("e60", h3.Cell(0x8c2830d128f41ff))
	c.add("near", h3.Cell(0x8c283082c246dff)) // 2 km
	c.seasoned(now, "b", "n5", "ne20", "e60", "near")
	b := c.beacon("b", beaconTs)
	v := judgeAll(c, b,
		c.witness("n5", b, beaconTs+100, -950),
		c.witness("ne20", b, beaconTs+200, -1100),
		c.witness("e60", b, beaconTs+300, -700), // too strong for 60 km
		c.witness("near", b, beaconTs+400, -800),
	)
	var got []string
	got = append(got, fmt.Sprintf("beacon %s unit %d", v.BeaconReason, v.BeaconRewardUnit))
	for i, w := range v.Witnesses {
		got = append(got, fmt.Sprintf("%d %s d=%d max=%d sel=%v unit=%d", i, w.Reason, w.DistanceM, w.MaxRSSIMicroDBm, w.Selected, w.RewardUnit))
	}
	require.Equal(t, []string{
		"beacon valid unit 7500",
		"0 valid d=4994 max=-76540865 sel=true unit=10000",
		"1 valid d=20005 max=-88594665 sel=true unit=10000",
		"2 bad_rssi d=60515 max=-98209155 sel=false unit=0",
		"3 valid d=1995 max=-68570752 sel=true unit=10000",
	}, got)
}
