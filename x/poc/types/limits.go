package types

// Report field limits: the one place both the chain (MsgSubmitPoc) and the
// wire protocol between hotspots and validators (package wire) take them
// from. Keys and signatures are ed25519; the rest bound what a hostile
// sender can make a node decode and store.
const (
	PubkeyBytes          = 32  // ed25519 public key
	SignatureBytes       = 64  // ed25519 signature
	MaxPayloadBytes      = 256 // beacon payload (payload_size is 2..256)
	MaxEntropyHashBytes  = 64  // block hash of the entropy block
	MaxLocalEntropyBytes = 32  // the beaconer's own entropy (4 bytes today)
	MaxDataRateBytes     = 32  // e.g. "SF9BW125"
)
