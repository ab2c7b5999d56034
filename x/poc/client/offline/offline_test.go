package offline

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

func load(t *testing.T, path string, v any) {
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, v))
}

func TestCheckScenario(t *testing.T) {
	var s Scenario
	load(t, "testdata/scenario.json", &s)
	res, err := Check(s, true)
	require.NoError(t, err)
	require.True(t, res.Beacon.Valid)
	reasons := map[int]string{}
	for i, w := range res.Witnesses {
		reasons[i] = w.Reason
		require.Equal(t, s.Witnesses[i].Hotspot, w.Hotspot, "input order")
	}
	require.Equal(t, map[int]string{
		0: "valid", 1: "bad_rssi", 2: "below_min_distance", 3: "self_witness",
		4: "invalid_frequency", 5: "gateway_not_found", 6: "duplicate",
	}, reasons)
	require.True(t, res.Witnesses[0].Selected)
	require.Equal(t, json.Number("1.0000"), res.Witnesses[0].RewardUnit)
	require.Equal(t, json.Number("0.2500"), res.Beacon.RewardUnit)
	require.NotNil(t, res.Witnesses[1].MaxRSSIDBm)
	require.Nil(t, res.Witnesses[2].MaxRSSIDBm, "the bound is not computed for a too-close witness")
	// all listed hotspots count as active: "nextdoor" shares sf's res-10 cell
	require.Equal(t, json.Number("0.5000"), res.HexScale)

	_, err = Check(s, false)
	require.ErrorContains(t, err, "pubkey_hex is required")
}

func TestHexScales(t *testing.T) {
	var in HexInput
	load(t, "testdata/hotspots.json", &in)
	out, err := HexScales(in)
	require.NoError(t, err)
	require.Equal(t, []json.Number{"0.5000", "0.5000", "1.0000"},
		[]json.Number{out.Hotspots[0].Scale, out.Hotspots[1].Scale, out.Hotspots[2].Scale})
	in.Hotspots[0].Location = "zz"
	_, err = HexScales(in)
	require.ErrorIs(t, err, hotspottypes.ErrMalformedCell)
}

// The selection seed defaults to SHA-256(32 zero bytes || beacon ID); an
// explicit seed is used as given, and a malformed one is refused.
func TestCheckSelectionSeed(t *testing.T) {
	var s Scenario
	load(t, "testdata/scenario.json", &s)
	res, err := Check(s, true)
	require.NoError(t, err)
	require.Len(t, res.SelectionSeed, 64)
	again, err := Check(s, true)
	require.NoError(t, err)
	require.Equal(t, res.SelectionSeed, again.SelectionSeed, "the default is deterministic")

	s.SelectionSeedHex = strings.Repeat("ab", 32)
	res2, err := Check(s, true)
	require.NoError(t, err)
	require.Equal(t, s.SelectionSeedHex, res2.SelectionSeed)
	require.NotEqual(t, res.SelectionSeed, res2.SelectionSeed)

	s.SelectionSeedHex = "abcd"
	_, err = Check(s, true)
	require.ErrorContains(t, err, "32 bytes")
}

// A report without payload_hex stands for the beacon's payload, as a
// relayed report does on chain: the scenario's valid witness stays valid
// without it, and one with another payload is an invalid packet.
func TestCheckReportWithoutPayloadTakesTheBeacons(t *testing.T) {
	var s Scenario
	load(t, "testdata/scenario.json", &s)
	require.NotEmpty(t, s.Witnesses[0].PayloadHex)
	s.Witnesses[0].PayloadHex = ""
	res, err := Check(s, true)
	require.NoError(t, err)
	require.Equal(t, "valid", res.Witnesses[0].Reason)
	s.Witnesses[0].PayloadHex = strings.Repeat("00", 51)
	res, err = Check(s, true)
	require.NoError(t, err)
	require.Equal(t, "invalid_packet", res.Witnesses[0].Reason)
}
