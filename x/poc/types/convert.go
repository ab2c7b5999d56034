package types

import "github.com/pocnet/pocd/x/poc/verify"

// ToVerify converts a beacon report.
func (b BeaconReport) ToVerify() *verify.Beacon {
	return &verify.Beacon{
		Pubkey: b.Pubkey, EntropyHeight: b.EntropyHeight, EntropyHash: b.EntropyHash, LocalEntropy: b.LocalEntropy,
		Payload: b.Payload, FrequencyHz: b.FrequencyHz, DataRate: b.DataRate, TxPowerDBm: b.TxPowerDbm,
		TimestampNs: b.TimestampNs, Tmst: b.Tmst, Signature: b.Signature,
	}
}

// ToVerify converts a witness report.
func (w WitnessReport) ToVerify() verify.Witness {
	return verify.Witness{
		Pubkey: w.Pubkey, Payload: w.Payload, RSSIDdbm: w.RssiDdbm, SNRDdb: w.SnrDdb, FrequencyHz: w.FrequencyHz,
		DataRate: w.DataRate, TimestampNs: w.TimestampNs, Tmst: w.Tmst, Signature: w.Signature,
	}
}

// BeaconFromVerify converts back (hotspotd and tests build reports with verify).
func BeaconFromVerify(b *verify.Beacon) BeaconReport {
	return BeaconReport{
		Pubkey: b.Pubkey, EntropyHeight: b.EntropyHeight, EntropyHash: b.EntropyHash, LocalEntropy: b.LocalEntropy,
		Payload: b.Payload, FrequencyHz: b.FrequencyHz, DataRate: b.DataRate, TxPowerDbm: b.TxPowerDBm,
		TimestampNs: b.TimestampNs, Tmst: b.Tmst, Signature: b.Signature,
	}
}

// WitnessFromVerify converts back.
func WitnessFromVerify(w verify.Witness) WitnessReport {
	return WitnessReport{
		Pubkey: w.Pubkey, Payload: w.Payload, RssiDdbm: w.RSSIDdbm, SnrDdb: w.SNRDdb, FrequencyHz: w.FrequencyHz,
		DataRate: w.DataRate, TimestampNs: w.TimestampNs, Tmst: w.Tmst, Signature: w.Signature,
	}
}

// ToVerify converts a stored hex count for the rules.
func (h HexCount) ToVerify() verify.HexCount {
	return verify.HexCount{Cell: h.Cell, Res: int(h.Res), Unclipped: h.Unclipped, Occupied: h.Occupied, Limit: h.Limit, Clipped: h.Clipped}
}

// HexCountFromVerify converts a count the rules computed for storage.
func HexCountFromVerify(c verify.HexCount) HexCount {
	return HexCount{Cell: c.Cell, Res: int32(c.Res), Unclipped: c.Unclipped, Occupied: c.Occupied, Limit: c.Limit, Clipped: c.Clipped}
}

// ValidateSizes bounds what a relayer can make the chain process: sizes only;
// everything else is a verdict.
func (m *MsgSubmitPoc) ValidateSizes(maxWitnesses uint32) error {
	if uint32(len(m.Witnesses)) > maxWitnesses {
		return ErrTooManyWitnesses.Wrapf("%d witness reports, at most %d", len(m.Witnesses), maxWitnesses)
	}
	check := func(what string, n, max int) error {
		if n > max {
			return ErrMalformedReport.Wrapf("%s is %d bytes, at most %d", what, n, max)
		}
		return nil
	}
	b := m.Beacon
	for _, e := range []error{
		check("beacon pubkey", len(b.Pubkey), PubkeyBytes), check("entropy hash", len(b.EntropyHash), MaxEntropyHashBytes),
		check("local entropy", len(b.LocalEntropy), MaxLocalEntropyBytes), check("beacon payload", len(b.Payload), MaxPayloadBytes),
		check("beacon signature", len(b.Signature), SignatureBytes), check("data rate", len(b.DataRate), MaxDataRateBytes),
	} {
		if e != nil {
			return e
		}
	}
	for i, w := range m.Witnesses {
		if len(w.Pubkey) > PubkeyBytes || len(w.Payload) > MaxPayloadBytes || len(w.Signature) > SignatureBytes ||
			len(w.DataRate) > MaxDataRateBytes {
			return ErrMalformedReport.Wrapf("witness report %d has an oversized field", i)
		}
	}
	return nil
}
