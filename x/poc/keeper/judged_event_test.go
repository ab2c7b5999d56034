package keeper_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
)

// EventPocJudged counts what the verdict found: reports, valid ones,
// selected ones. Apps read it instead of every witness's record.
func TestPocJudgedEventCountsTheVerdict(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	good := f.hotspot(t, "good", cellAt(t, 5, 0))
	good2 := f.hotspot(t, "good2", cellAt(t, 6, 120))
	far := f.hotspot(t, "far", cellAt(t, 1000, 90))
	f.seasoned(t, b, good, good2, far)
	beacon := f.beacon("beaconer", 1)
	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	rec := f.judge(t, f.msg(beacon, f.witness("far", beacon, -5000, -1300), f.witness("good", beacon, 2500, -950), f.witness("good2", beacon, 2600, -960)))

	var judged []*types.EventPocJudged
	for _, ev := range f.ctx.EventManager().Events().ToABCIEvents() {
		if ev.Type == "pocd.poc.v1.EventPocJudged" {
			msg, err := sdk.ParseTypedEvent(ev)
			require.NoError(t, err)
			judged = append(judged, msg.(*types.EventPocJudged))
		}
	}
	require.Len(t, judged, 1)
	e := judged[0]
	require.Equal(t, hex.EncodeToString(rec.BeaconId), e.BeaconId)
	require.Equal(t, b, e.Beaconer)
	require.Equal(t, uint32(3), e.WitnessReports)
	require.Equal(t, uint32(2), e.ValidWitnesses, "the far witness is too early")
	require.Equal(t, rec.Selected, e.Selected)
	require.Positive(t, e.Selected)
	require.Equal(t, f.relayer, e.Relayer)
}
