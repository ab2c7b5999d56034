package poc

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/pocnet/pocd/x/poc/types"
)

// AutoCLIOptions describes `pocd query poc ...` and `pocd tx poc
// register-relayer`; `pocd tx poc submit-poc` is a custom command (it reads
// a JSON file), and the denylist and params messages go through governance.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Poc", Use: "poc [beacon-id-hex]", Short: "A beacon's verdict and its witnesses' verdicts",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "beacon_id"}}},
				{RpcMethod: "RecordedPocs", Use: "recorded-pocs [beacon-id-hex]...", Short: "Which of up to 1,000 beacons are recorded, and who relayed each",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "beacon_ids", Varargs: true}}},
				{RpcMethod: "PocsByBeaconer", Use: "pocs [hotspot-address]", Short: "A hotspot's beacons, oldest first",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "hotspot"}}},
				{RpcMethod: "Witnesses", Use: "witnesses [hotspot-address]", Short: "Who witnessed a hotspot, with verdicts",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "hotspot"}}},
				{RpcMethod: "Witnessed", Use: "witnessed [hotspot-address]", Short: "Whom a hotspot witnessed, with verdicts",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "hotspot"}}},
				{RpcMethod: "HexScale", Use: "hex-scale [h3-cell]", Short: "A cell's transmit scale and the HIP-17 counts behind it",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "cell"}}},
				{RpcMethod: "RewardShares", Use: "shares [hotspot-address] [epoch]", Short: "A hotspot's reward shares in an epoch",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "hotspot"}, {ProtoField: "epoch"}}},
				{RpcMethod: "Denylist", Use: "denylist", Short: "Denied hotspots and edges"},
				{RpcMethod: "Entropy", Use: "entropy [block-height]", Short: "The newest block hash usable as beacon entropy, or the one recorded at a height",
					// Positional: --height is the SDK's query-at-height flag.
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "height", Optional: true}}},
				{RpcMethod: "Relayers", Use: "relayers", Short: "Validators' registered relay accounts and ingest peer IDs"},
				{RpcMethod: "Params", Use: "params", Short: "The PoC rule constants"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "SubmitPoc", Skip: true},
				{RpcMethod: "AddToDenylist", Skip: true},
				{RpcMethod: "RemoveFromDenylist", Skip: true},
				{RpcMethod: "UpdateParams", Skip: true},
				{RpcMethod: "RegisterRelayer", Use: "register-relayer [relayer-address]",
					Short: "Make an account the relayer of your validator, and its ingest host a private beacon peer (sign with the validator operator key)",
					Long: `Registers the account that relays PoCs for your validator, replacing the previous registration.
With --ingest-peer, the libp2p peer ID of your validator's ingest host (the part after /p2p/ in
'pocd ingest address') is registered too: only registered ingest peers may join the private
beacon topic on which validators' ingest hosts share the beacon reports hotspots send them.
Without it, a previously registered ingest peer is withdrawn. A peer ID belongs to one validator.`,
					Example:        "pocd tx poc register-relayer hnt1... --ingest-peer 12D3KooW... --from validator",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "relayer"}},
					FlagOptions: map[string]*autocliv1.FlagOptions{"ingest_peer": {
						Usage: "libp2p peer ID (12D3KooW...) of your validator's ingest host; empty: none (withdraws a registered one)"}}},
				{RpcMethod: "UnregisterRelayer", Use: "unregister-relayer", Short: "End your validator's relayer registration"},
			},
			EnhanceCustomCommand: true,
		},
	}
}
