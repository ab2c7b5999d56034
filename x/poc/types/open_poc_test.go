package types_test

import (
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

func signedWitness(t *testing.T, payload []byte) types.WitnessReport {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	w := verify.Witness{Pubkey: pub, Payload: payload, RSSIDdbm: -900, SNRDdb: 50, FrequencyHz: 904_300_000,
		DataRate: "SF9BW125", TimestampNs: 1_700_000_000_200_000_000}
	w.Signature = ed25519.Sign(priv, w.SignBytes())
	return types.WitnessFromVerify(w)
}

// A report relayed without its payload stands for the beacon's: it is kept
// when its signature verifies over the beacon's payload and ignored when it
// was signed over another (a witness's report of another beacon, its
// payload stripped). Kept reports are stored without the payload in both
// forms, so a report has one stored form and one key.
func TestAddWitnessesTakesTheBeaconsPayloadForAMissingOne(t *testing.T) {
	payload := make([]byte, 51)
	payload[0] = 7
	other := make([]byte, 51)
	other[0] = 8
	open := types.OpenPoc{Beacon: types.BeaconReport{Payload: payload}}
	stripped := signedWitness(t, payload)
	keyBefore := types.ReportKey(stripped)
	stripped.Payload = nil
	full := signedWitness(t, payload)
	replayed := signedWitness(t, other)
	replayed.Payload = nil
	all := func([]byte) bool { return true }

	added, ignored := open.AddWitnesses("val", "relayer", []types.WitnessReport{stripped, full, replayed}, 64, all)
	require.Equal(t, 2, added)
	require.Equal(t, 1, ignored, "signed over another payload")
	require.Len(t, open.Witnesses, 2)
	for _, w := range open.Witnesses {
		require.Empty(t, w.Payload, "stored without the payload")
		vw := w.WithPayload(payload).ToVerify()
		require.True(t, vw.VerifySignature())
	}
	require.Equal(t, keyBefore, types.ReportKey(open.Witnesses[0]), "the key leaves the payload out")

	// A report of another payload, sent whole, is ignored as before.
	whole := signedWitness(t, other)
	added, ignored = open.AddWitnesses("val2", "relayer2", []types.WitnessReport{whole}, 64, all)
	require.Zero(t, added)
	require.Equal(t, 1, ignored)
}

// WithPayload fills only a missing payload, however short the report's own.
func TestWithPayloadKeepsAReportsOwnPayload(t *testing.T) {
	own := []byte{1}
	require.Equal(t, own, types.WitnessReport{Payload: own}.WithPayload([]byte{3, 4}).Payload)
	require.Equal(t, []byte{3, 4}, types.WitnessReport{}.WithPayload([]byte{3, 4}).Payload)
}
