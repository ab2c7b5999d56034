package keeper_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	protov2 "google.golang.org/protobuf/proto"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

func TestSubmitPocRecordsVerdictsAndShares(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	good := f.hotspot(t, "good", cellAt(t, 5, 0))
	liar := f.hotspot(t, "liar", cellAt(t, 7, 90))
	f.seasoned(t, b, good, liar)

	beacon := f.beacon("beaconer", 1)
	res := f.judge(t, f.msg(beacon,
		f.witness("good", beacon, 300, -950),
		f.witness("liar", beacon, 400, -200), // far too strong for 7 km
		f.witness("beaconer", beacon, 100, -300),
	))
	require.Equal(t, types.REASON_VALID, res.Reason)
	require.Equal(t, uint32(1), res.Selected)

	id := hex.EncodeToString(res.BeaconId)
	poc, err := f.query.Poc(f.ctx, &types.QueryPocRequest{BeaconId: id})
	require.NoError(t, err)
	require.Equal(t, b, poc.Poc.Beaconer)
	require.Equal(t, uint32(2), poc.Poc.WitnessReports, "the self witness is not a witness report")
	require.Equal(t, uint32(verify.DefaultScale), poc.Poc.HexScale, "no density map yet: default scale")
	require.Len(t, poc.Witnesses, 2, "the self witness is not stored")
	byWitness := map[string]types.WitnessRecord{}
	for _, w := range poc.Witnesses {
		byWitness[w.Witness] = w
	}
	require.Equal(t, types.REASON_VALID, byWitness[good].Reason)
	require.True(t, byWitness[good].Selected)
	require.InDelta(t, 5000, float64(byWitness[good].DistanceM), 60)
	require.Equal(t, types.REASON_BAD_RSSI, byWitness[liar].Reason)
	require.Equal(t, types.SIDE_WITNESS, byWitness[liar].Side)
	require.Less(t, byWitness[liar].MaxRssiUdbm, int64(-20_000_000))

	// who witnessed the beaconer / whom good witnessed / the beaconer's pocs
	ws, err := f.query.Witnesses(f.ctx, &types.QueryWitnessesRequest{Hotspot: b})
	require.NoError(t, err)
	require.Len(t, ws.Witnesses, 2)
	wd, err := f.query.Witnessed(f.ctx, &types.QueryWitnessedRequest{Hotspot: good})
	require.NoError(t, err)
	require.Len(t, wd.Witnessed, 1)
	require.Equal(t, b, wd.Witnessed[0].Beaconer)
	pocs, err := f.query.PocsByBeaconer(f.ctx, &types.QueryPocsByBeaconerRequest{Hotspot: b})
	require.NoError(t, err)
	require.Len(t, pocs.Pocs, 1)

	// shares: scale 0.2 x units (beacon n=1: 0.25, witness 1.0), x10^-8
	sh, err := f.query.RewardShares(f.ctx, &types.QueryRewardSharesRequest{Hotspot: b, Epoch: 1})
	require.NoError(t, err)
	require.Equal(t, uint64(2000*2500), sh.Shares.BeaconShares)
	sh, err = f.query.RewardShares(f.ctx, &types.QueryRewardSharesRequest{Hotspot: good, Epoch: 1})
	require.NoError(t, err)
	require.Equal(t, uint64(2000*10000), sh.Shares.WitnessShares)
	sh, err = f.query.RewardShares(f.ctx, &types.QueryRewardSharesRequest{Hotspot: liar, Epoch: 1})
	require.NoError(t, err)
	require.Zero(t, sh.Shares.WitnessShares)

	// activity: the bucket is used, the good witness counts for reciprocity
	act, err := f.k.Activity.Get(f.ctx, b)
	require.NoError(t, err)
	require.True(t, act.HasBucket)
	closedMs := f.ctx.BlockTime().UnixMilli()
	require.Equal(t, closedMs, act.LastWitnessedBeaconMs)
	act, err = f.k.Activity.Get(f.ctx, good)
	require.NoError(t, err)
	require.Equal(t, closedMs, act.LastWitnessMs)
}

func TestSubmitPocRejections(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	beacon := f.beacon("beaconer", 1)
	f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))

	t.Run("duplicate beacon", func(t *testing.T) {
		before := f.snapshot(t)
		_, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon))
		require.ErrorIs(t, err, types.ErrDuplicateBeacon)
		require.Equal(t, before, f.snapshot(t))
		// and in the ante handler (CheckTx)
		require.ErrorIs(t, f.k.CheckRelays(f.ctx, fakeTx{f.msg(beacon)}), types.ErrDuplicateBeacon)
		require.NoError(t, f.k.CheckRelays(f.ctx, fakeTx{f.msg(f.beacon("beaconer", 9))}))
	})
	t.Run("too many witnesses", func(t *testing.T) {
		b2 := f.beacon("beaconer", 2)
		ws := make([]verify.Witness, 65)
		for i := range ws {
			ws[i] = f.witness("good", b2, int64(i), -950)
		}
		before := f.snapshot(t)
		_, err := f.msgs.SubmitPoc(f.ctx, f.msg(b2, ws...))
		require.ErrorIs(t, err, types.ErrTooManyWitnesses)
		require.Equal(t, before, f.snapshot(t))
	})
	t.Run("oversized field", func(t *testing.T) {
		m := f.msg(f.beacon("beaconer", 3))
		m.Beacon.Payload = make([]byte, 300)
		_, err := f.msgs.SubmitPoc(f.ctx, m)
		require.ErrorIs(t, err, types.ErrMalformedReport)
	})
	t.Run("bad relayer", func(t *testing.T) {
		m := f.msg(f.beacon("beaconer", 4))
		m.Relayer = "nobody"
		_, err := f.msgs.SubmitPoc(f.ctx, m)
		require.ErrorIs(t, err, sdkerrors.ErrInvalidAddress)
		require.ErrorIs(t, f.k.CheckRelays(f.ctx, fakeTx{m}), sdkerrors.ErrInvalidAddress)
	})
}

// Gas grows with the number of witnesses.
func TestSubmitPocGasGrowsWithWitnesses(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	for i := range 10 {
		f.hotspot(t, fmt.Sprintf("good%d", i), cellAt(t, 5, float64(i*36)))
	}
	f.seasoned(t, b)
	gas := func(local byte, n int) uint64 {
		beacon := f.beacon("beaconer", local)
		ws := make([]verify.Witness, n)
		for i := range ws {
			ws[i] = f.witness(fmt.Sprintf("good%d", i), beacon, int64(i), -950)
		}
		ctx := f.ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		_, err := f.msgs.SubmitPoc(ctx, f.msg(beacon, ws...))
		require.NoError(t, err)
		return ctx.GasMeter().GasConsumed()
	}
	g1, g10 := gas(11, 1), gas(12, 10)
	require.GreaterOrEqual(t, g10-g1, 9*types.DefaultParams().GasPerWitness)
}

// fakeTx carries messages for the ante check.
type fakeTx struct{ msg sdk.Msg }

func (t fakeTx) GetMsgs() []sdk.Msg                    { return []sdk.Msg{t.msg} }
func (t fakeTx) GetMsgsV2() ([]protov2.Message, error) { return nil, nil }

// What a relayer declares (types.RelayMsgGasLimit) covers what a message
// uses, less the transaction's own share: opening a PoC with its reports,
// and adding to an open PoC that holds the most one relay can bring, with
// the default payload and the largest payload_size (each stored report
// carries the payload). On the devnet, relays of no reports landing on a PoC
// another validator had just opened with 14 ran out of gas in the block
// (declared 120,000 each).
func TestRelayGasCoversWhatARelayUses(t *testing.T) {
	for _, size := range []int{int(types.DefaultParams().PayloadSize), types.MaxPayloadBytes} {
		t.Run(fmt.Sprintf("payload %d", size), func(t *testing.T) { relayGasCovers(t, size) })
	}
}

func relayGasCovers(t *testing.T, payloadSize int) {
	f := setup(t)
	p, err := f.k.Params.Get(f.ctx)
	require.NoError(t, err)
	p.PayloadSize = int32(payloadSize)
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	maxW := int(p.MaxWitnessesPerMsg)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	for i := range maxW {
		f.hotspot(t, fmt.Sprintf("w%d", i), cellAt(t, 5, float64(i*5)))
	}
	f.seasoned(t, b)
	second := bech([]byte("relayer2____________"))
	f.registerRelayer(t, bech([]byte("operator2___________")), second)
	beacon := func(local byte) *verify.Beacon {
		b := f.beacon("beaconer", local)
		b.Payload = verify.BeaconPayload(f.entropy, b.Pubkey, b.LocalEntropy, payloadSize)
		b.Signature = ed25519.Sign(f.keys["beaconer"], b.SignBytes())
		return b
	}
	gas := func(m *types.MsgSubmitPoc) uint64 {
		ctx := f.ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		_, err := f.msgs.SubmitPoc(ctx, m)
		require.NoError(t, err)
		return ctx.GasMeter().GasConsumed()
	}
	reports := func(beacon *verify.Beacon, from, n int) []verify.Witness {
		ws := make([]verify.Witness, n)
		for i := range ws {
			ws[i] = f.witness(fmt.Sprintf("w%d", from+i), beacon, int64(i), -950)
		}
		return ws
	}
	for _, n := range []int{0, 14, maxW} {
		b := beacon(byte(10 + n))
		used := gas(f.msg(b, reports(b, 0, n)...))
		t.Logf("open with %d reports: %d gas, limit %d", n, used, types.RelayMsgGasLimit(n, 0))
		require.LessOrEqual(t, used, types.RelayMsgGasLimit(n, 0), "opening with %d reports", n)
	}
	for _, held := range []int{14, maxW - 1} {
		for _, add := range []int{0, 1} {
			b := beacon(byte(100 + held + add))
			gas(f.msg(b, reports(b, 0, held)...))
			m := f.msg(b, reports(b, held, add)...)
			m.Relayer = second
			used := gas(m)
			t.Logf("add %d to an open PoC holding %d: %d gas, limit %d", add, held, used, types.RelayMsgGasLimit(add, held))
			require.LessOrEqual(t, used, types.RelayMsgGasLimit(add, held), "adding %d to %d", add, held)
		}
	}
}

// A relay whose witness reports leave out their payload (as the ingest
// relayer sends them) is judged as the same reports with it: every stored
// verdict is the same, and a stripped report signed over another beacon's
// payload is ignored like the whole one.
func TestRelayWithoutWitnessPayloadsIsJudgedAsWithThem(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.BeaconIntervalMs = 0 // two beacons of one hotspot
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	good := f.hotspot(t, "good", cellAt(t, 5, 0))
	liar := f.hotspot(t, "liar", cellAt(t, 7, 90))
	f.hotspot(t, "replayer", cellAt(t, 6, 180))
	f.seasoned(t, b, good, liar)

	verdicts := func(local byte, strip bool) (types.PocRecord, []types.WitnessRecord) {
		beacon := f.beacon("beaconer", local)
		other := f.beacon("beaconer", local+100)
		msg := f.msg(beacon,
			f.witness("good", beacon, 300, -950),
			f.witness("liar", beacon, 400, -200),
			f.witness("replayer", other, 300, -950), // a report of another beacon
		)
		if strip {
			for i := range msg.Witnesses {
				msg.Witnesses[i].Payload = nil
			}
		}
		rec := f.judge(t, msg)
		poc, err := f.query.Poc(f.ctx, &types.QueryPocRequest{BeaconId: hex.EncodeToString(rec.BeaconId)})
		require.NoError(t, err)
		ws := poc.Witnesses
		for i := range ws {
			ws[i].BeaconId, ws[i].Seq, ws[i].Height, ws[i].TimestampNs = nil, 0, 0, 0
			// The two beacons hop to different channels, which moves the
			// free-space bound by a few micro-dB.
			require.NotZero(t, ws[i].MaxRssiUdbm)
			ws[i].FrequencyHz, ws[i].MaxRssiUdbm = 0, 0
		}
		return poc.Poc, ws
	}
	wholeRec, whole := verdicts(1, false)
	strippedRec, stripped := verdicts(2, true)
	require.Len(t, whole, 2, "the replayed report is not kept")
	require.Equal(t, whole, stripped)
	require.Equal(t, wholeRec.WitnessReports, strippedRec.WitnessReports)
	require.Equal(t, wholeRec.Selected, strippedRec.Selected)
	require.Equal(t, types.REASON_VALID, strippedRec.Reason)
}
