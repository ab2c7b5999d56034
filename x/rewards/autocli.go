package rewards

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/pocnet/pocd/x/rewards/types"
)

// AutoCLIOptions describes `pocd query rewards ...`; parameters change by governance.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "EpochRewards", Use: "epoch [epoch]", Short: "An epoch's emission, split, rates and payout",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "epoch"}}},
				{RpcMethod: "HotspotRewards", Use: "hotspot [hotspot-address]", Short: "A hotspot's rewards per epoch",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "hotspot"}}},
				{RpcMethod: "OwnerRewards", Use: "owner [address]", Short: "What an account was paid and is owed",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "owner"}}},
				{RpcMethod: "Emission", Use: "emission", Short: "Emission of an epoch (--epoch, default the next), minted so far, next halving"},
				{RpcMethod: "Params", Use: "params", Short: "Emission schedule and split"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:           types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{{RpcMethod: "UpdateParams", Skip: true}},
		},
	}
}
