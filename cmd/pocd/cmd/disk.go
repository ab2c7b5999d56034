package cmd

import (
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
)

// Disk defaults written by `pocd init` (docs/operator-guide.md, "Disk").
// Every witness report is a few hundred bytes of block, a verdict event and
// a few state records; at Helium's peak (650 reports/s) keeping all of it
// forever, and indexing every event, costs tens of GB a day
// (docs/benchmarks.md, "Disk"). A validator keeps what consensus, state sync
// and apps need, and an operator who wants more opts in.
const (
	// DefaultMinRetainBlocks keeps two days of 1 s blocks. The SDK never
	// prunes below the evidence window (consensus params
	// evidence.max_age_num_blocks) or the state-sync snapshots it serves, so
	// this is a floor those can only raise.
	DefaultMinRetainBlocks = 172_800
	// DefaultPruningKeepRecent keeps ten minutes of 1 s blocks of
	// application state for queries at past heights; older versions are
	// deleted every DefaultPruningInterval blocks (heights a state-sync
	// snapshot is taken at are kept until it is done). Each version kept
	// holds the tree nodes later blocks replaced or deleted: at Helium's
	// peak an hour of them was several GB, as much as the hour of full PoC
	// records x/poc keeps (docs/benchmarks.md, "Disk"). Validators commonly
	// keep 100.
	DefaultPruningKeepRecent = "600"
	DefaultPruningInterval   = "10"
)

// DefaultIndexEvents are the event attributes the transaction and block
// indexer keeps: what wallets and apps search by (the message a transaction
// carried and who sent it, transfers, the hotspot lifecycle, relayer
// registration, epoch settlement and payout). CometBFT always indexes
// tx.hash and tx.height. Left out on purpose: the per-beacon and per-witness
// PoC events (EventPocOpened, EventPocWitnessesAdded, EventPocJudged,
// EventWitnessJudged), which are thousands a block under load and are
// served by the x/poc queries instead, and the coin_spent/coin_received
// pair every fee payment emits. An empty list indexes every event.
var DefaultIndexEvents = []string{
	"message.action",
	"message.sender",
	"message.module",
	"tx.acc_seq",
	"tx.fee_payer",
	"transfer.sender",
	"transfer.recipient",
	"pocd.hotspot.v1.EventHotspotAdded.address",
	"pocd.hotspot.v1.EventHotspotAdded.owner",
	"pocd.hotspot.v1.EventLocationAsserted.address",
	"pocd.hotspot.v1.EventLocationAsserted.owner",
	"pocd.hotspot.v1.EventHotspotTransferred.address",
	"pocd.hotspot.v1.EventHotspotTransferred.from",
	"pocd.hotspot.v1.EventHotspotTransferred.to",
	"pocd.poc.v1.EventRelayerRegistered.validator",
	"pocd.poc.v1.EventRelayerRegistered.relayer",
	"pocd.poc.v1.EventRelayerRemoved.validator",
	"pocd.poc.v1.EventRelayerRemoved.relayer",
	"pocd.rewards.v1.EventEpochSettled.epoch",
	"pocd.rewards.v1.EventEpochPaidOut.epoch",
	"pocd.rewards.v1.EventPayoutSkipped.hotspot",
	"pocd.rewards.v1.EventPayoutSkipped.owner",
}

// setDiskDefaults also turns IAVL's fast index off: a commit writes the
// index before the tree, in ~100 KB batches, and a node killed among those
// writes restarted on an index holding part of a block that never committed,
// so the replayed block read wrong values and the node diverged
// (app/crash_test.go; docs/devnet.md). Without the index, reads walk the
// tree: the cost is in docs/benchmarks.md ("Disk").
func setDiskDefaults(cfg *serverconfig.Config) {
	cfg.IAVLDisableFastNode = true
	cfg.Pruning = "custom"
	cfg.PruningKeepRecent = DefaultPruningKeepRecent
	cfg.PruningInterval = DefaultPruningInterval
	cfg.MinRetainBlocks = DefaultMinRetainBlocks
	cfg.IndexEvents = append([]string(nil), DefaultIndexEvents...)
}
