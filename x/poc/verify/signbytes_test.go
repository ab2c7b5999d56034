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
		Payload: BeaconPayload(hash[:], []byte{1, 2, 3, 4}, 51), FrequencyHz: 904_100_000, DataRate: "SF9BW125",
		TxPowerDBm: 27, TimestampNs: 1_700_000_010_000_000_000, Tmst: 7,
	}
	require.Equal(t, "ba9c34e84a0eeb27fab0ec0bb610558d44f8daa2be7cb301f4e4f874fa7aa1b989a98842278c6cc237443185a7903e9959e7a9", hex.EncodeToString(b.Payload))
	require.Equal(t, "706f63642f626561636f6e2f763100209fd8b9dc031fd6a053240e26aa1d373bbd509937aa1ea443807d6dec931d87270000000000000064002029c6cf7c6224e18387a54e46051bfc51fa6a61aa59bdc3dbb4117dd6c83354540004010203040033ba9c34e84a0eeb27fab0ec0bb610558d44f8daa2be7cb301f4e4f874fa7aa1b989a98842278c6cc237443185a7903e9959e7a90000000035e378a0000853463942573132350000001b17979d008a35e40000000007", hex.EncodeToString(b.SignBytes()))
	id := b.ID()
	require.Equal(t, "161d6b3dfa0c61570b31632f3c90940efedb7ad1c7ae6cd07da876cbd35c68a3", hex.EncodeToString(id[:]))
	b.Signature = ed25519.Sign(key, b.SignBytes())
	require.Equal(t, "e71c21e8ead1fd651ade7db728b4f69651944c8d615c922548d692492679a276f204ba5461d9d66c5c9f133e74affd3fdb3b18ad3bbbcfb27097e11ca304ec08", hex.EncodeToString(b.Signature))
	require.True(t, b.VerifySignature())

	w := Witness{Pubkey: pub, Payload: b.Payload, RSSIDdbm: -950, SNRDdb: 55, FrequencyHz: 904_100_000,
		DataRate: "SF9BW125", TimestampNs: 1_700_000_010_300_000_000, Tmst: 9}
	require.Equal(t, "706f63642f7769746e6573732f763100209fd8b9dc031fd6a053240e26aa1d373bbd509937aa1ea443807d6dec931d87270033ba9c34e84a0eeb27fab0ec0bb610558d44f8daa2be7cb301f4e4f874fa7aa1b989a98842278c6cc237443185a7903e9959e7a9fffffc4a000000370000000035e378a00008534639425731323517979d009c17870000000009", hex.EncodeToString(w.SignBytes()))
	w.Signature = ed25519.Sign(key, w.SignBytes())
	require.True(t, w.VerifySignature())
	require.Equal(t, 2, BeaconChannel(b.Payload, 8)) // 0x9cba mod 8 = 2: 904.1 MHz in US915
}
