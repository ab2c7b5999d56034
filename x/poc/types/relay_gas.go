package types

// The gas limit a relayer declares for a relay transaction. The fee is the
// limit times the gas price, and a block holds transactions whose limits add
// up to block.max_gas, so the limit should cover what a relay uses without
// much to spare. A relay that runs out of gas fails in the block: every node
// has executed it for nothing, and its reports wait for a resubmission.
// Measured costs: docs/operator-guide.md ("Fees and block limits");
// TestRelayGasCoversWhatARelayUses holds the limits to them.
const (
	// RelayTxGas is each relay transaction's share: the ante handler's
	// signature check, tx bytes and fee.
	RelayTxGas = 150_000
	// RelayMsgGas is each MsgSubmitPoc's share: the relay checks, the
	// beacon's rules and the open PoC's record.
	RelayMsgGas = 120_000
	// RelayWitnessGas is each witness report's share: gas_per_witness at
	// its default (25,000) and the report's bytes.
	RelayWitnessGas = 80_000
	// RelayHeldReportGas is each report the open PoC already holds when
	// the message lands: a relay that adds to an open PoC reads its record
	// and writes it back whole, so its cost grows with what the PoC holds.
	// Measured: about 5,100 per report at any payload_size, since the open
	// PoC stores its reports without the payload (OpenPoc.AddWitnesses);
	// about 6,900 at the default 51 bytes and 14,000 at 256 when it did.
	RelayHeldReportGas = 10_000
)

// RelayMsgGasLimit is one MsgSubmitPoc's share of its transaction's gas limit:
// it carries witnesses reports and may land on an open PoC that already
// holds held of them.
func RelayMsgGasLimit(witnesses, held int) uint64 {
	return RelayMsgGas + RelayWitnessGas*uint64(witnesses) + RelayHeldReportGas*uint64(held)
}
