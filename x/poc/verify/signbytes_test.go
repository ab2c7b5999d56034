package verify

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

// Golden sign bytes: the wire contract with third-party gateways; the same
// example is worked through in docs/api/poc.md.
func TestGoldenReportSignBytes(t *testing.T) {
	seed := sha256.Sum256([]byte("pocd golden hotspot"))
	key := ed25519.NewKeyFromSeed(seed[:])
	pub := []byte(key.Public().(ed25519.PublicKey))
	hash := sha256.Sum256([]byte("block 100"))
	b := Beacon{
		Pubkey: pub, EntropyHeight: 100, EntropyHash: hash[:], LocalEntropy: []byte{1, 2, 3, 4},
		Payload: BeaconPayload(hash[:], pub, []byte{1, 2, 3, 4}, 51), FrequencyHz: 904_700_000, DataRate: "SF9BW125",
		TxPowerDBm: 27, TimestampNs: 1_700_000_010_000_000_000, Tmst: 7,
	}
	require.Equal(t, "9cf2bb04b73f27751b81430f74bf3fba61a696748ea8422d7795a06e6385578f1a50534af6237ee5a368d180f8cef4e6321eed", hex.EncodeToString(b.Payload))
	require.Equal(t, "706f63642f626561636f6e2f763100209fd8b9dc031fd6a053240e26aa1d373bbd509937aa1ea443807d6dec931d87270000000000000064002029c6cf7c6224e18387a54e46051bfc51fa6a61aa59bdc3dbb4117dd6c833545400040102030400339cf2bb04b73f27751b81430f74bf3fba61a696748ea8422d7795a06e6385578f1a50534af6237ee5a368d180f8cef4e6321eed0000000035eca060000853463942573132350000001b17979d008a35e40000000007", hex.EncodeToString(b.SignBytes()))
	id := b.ID()
	require.Equal(t, "0017651a35822e1109ce94278537fa56384007bc05202d5dc220e7bc9f99b303", hex.EncodeToString(id[:]))
	b.Signature = ed25519.Sign(key, b.SignBytes())
	require.Equal(t, "d4d555658b2ca012ccd7054b28940c2ac592d9da4cdfd9a432a69a6461ab723d9e1e30329831953215a92fcbb5f19dc72539ef64f2debef3ac36a4fbeeb6720a", hex.EncodeToString(b.Signature))
	require.True(t, b.VerifySignature())

	w := Witness{Pubkey: pub, Payload: b.Payload, RSSIDdbm: -950, SNRDdb: 55, FrequencyHz: 904_700_000,
		DataRate: "SF9BW125", TimestampNs: 1_700_000_010_300_000_000, Tmst: 9}
	require.Equal(t, "706f63642f7769746e6573732f763100209fd8b9dc031fd6a053240e26aa1d373bbd509937aa1ea443807d6dec931d872700339cf2bb04b73f27751b81430f74bf3fba61a696748ea8422d7795a06e6385578f1a50534af6237ee5a368d180f8cef4e6321eedfffffc4a000000370000000035eca0600008534639425731323517979d009c17870000000009", hex.EncodeToString(w.SignBytes()))
	w.Signature = ed25519.Sign(key, w.SignBytes())
	require.True(t, w.VerifySignature())
	require.Equal(t, 4, BeaconChannel(b.Payload, 8)) // 0xf29c mod 8 = 4: 904.7 MHz in US915
}
