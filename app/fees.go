package app

import (
	cmttypes "github.com/cometbft/cometbft/types"
)

// Block limits: with the minimum gas price (params.DefaultMinGasPrice), what
// makes filling blocks with PoC verification (or anything else) cost money
// and bounds what one block can hold. The numbers and how they were measured
// are in docs/operator-guide.md ("Fees and block limits").
const (
	// BlockMaxGas is the genesis block.max_gas: the sum of the gas limits
	// of a block's transactions. 600 M is 24 relay transactions of 20
	// 14-witness PoCs (24.95 M gas limit each), i.e. 480 PoCs or 6,720
	// witness reports per block: about 3x the measured 2,000 reports/s at
	// ~1.15 s blocks, and still above the measured ceiling (3,000/s) with
	// 2 s blocks. (Judging them at close is bounded separately, by x/poc's
	// max_close_witnesses_per_block.)
	BlockMaxGas int64 = 600_000_000
	// BlockMaxBytes is the genesis block.max_bytes. A relay transaction of
	// 20 14-witness PoCs is 61 KB, so BlockMaxGas worth of them is 1.46 MB;
	// 2 MiB leaves room for the other transactions and keeps gas the
	// binding limit for relays (CometBFT's default is 21 MiB).
	BlockMaxBytes int64 = 2 << 20
)

// SetBlockLimits writes BlockMaxGas and BlockMaxBytes into consensus params
// (`pocd init` applies it to the genesis it writes).
func SetBlockLimits(p *cmttypes.ConsensusParams) {
	p.Block.MaxGas = BlockMaxGas
	p.Block.MaxBytes = BlockMaxBytes
}
