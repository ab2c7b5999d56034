package verify

// Reason is a verdict: Valid or why not. The numbers are the proto enum
// values of pocd.poc.v1.InvalidReason and must not change.
type Reason int32

const (
	ReasonUnspecified             Reason = 0
	Valid                         Reason = 1
	ReasonGatewayNotFound         Reason = 2
	ReasonNotAsserted             Reason = 3
	ReasonDenied                  Reason = 4
	ReasonDeniedEdge              Reason = 5
	ReasonEntropyExpired          Reason = 6
	ReasonInvalidCapability       Reason = 7
	ReasonIrregularInterval       Reason = 8
	ReasonInvalidPacket           Reason = 9
	ReasonBadSignature            Reason = 10
	ReasonDuplicate               Reason = 11
	ReasonSelfWitness             Reason = 12
	ReasonTooLate                 Reason = 13
	ReasonInvalidFrequency        Reason = 14
	ReasonInvalidRegion           Reason = 15
	ReasonBelowMinDistance        Reason = 16
	ReasonMaxDistanceExceeded     Reason = 17
	ReasonBadRSSI                 Reason = 18
	ReasonGatewayNoValidWitnesses Reason = 19
	ReasonGatewayNoValidBeacons   Reason = 20
	ReasonPentagonalDistortion    Reason = 21
	ReasonTooEarly                Reason = 22
	ReasonInvalidTxPower          Reason = 23
)

var reasonNames = map[Reason]string{
	ReasonUnspecified: "unspecified", Valid: "valid",
	ReasonGatewayNotFound: "gateway_not_found", ReasonNotAsserted: "not_asserted",
	ReasonDenied: "denied", ReasonDeniedEdge: "denied_edge", ReasonEntropyExpired: "entropy_expired",
	ReasonInvalidCapability: "invalid_capability", ReasonIrregularInterval: "irregular_interval",
	ReasonInvalidPacket: "invalid_packet", ReasonBadSignature: "bad_signature",
	ReasonDuplicate: "duplicate", ReasonSelfWitness: "self_witness", ReasonTooLate: "too_late",
	ReasonInvalidFrequency: "invalid_frequency", ReasonInvalidRegion: "invalid_region",
	ReasonBelowMinDistance: "below_min_distance", ReasonMaxDistanceExceeded: "max_distance_exceeded",
	ReasonBadRSSI: "bad_rssi", ReasonGatewayNoValidWitnesses: "gateway_no_valid_witnesses",
	ReasonGatewayNoValidBeacons: "gateway_no_valid_beacons", ReasonPentagonalDistortion: "pentagonal_distortion",
	ReasonTooEarly: "too_early", ReasonInvalidTxPower: "invalid_tx_power",
}

// String is the snake_case name used in JSON and docs.
func (r Reason) String() string {
	if n, ok := reasonNames[r]; ok {
		return n
	}
	return "unknown"
}

// Side says whose fault an invalid verdict is.
type Side int32

const (
	SideNone     Side = 0
	SideBeaconer Side = 1
	SideWitness  Side = 2
)

func (s Side) String() string {
	switch s {
	case SideBeaconer:
		return "beaconer"
	case SideWitness:
		return "witness"
	}
	return "none"
}
