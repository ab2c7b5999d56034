package hotspot

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// AutoCLIOptions describes `pocd query hotspot ...` and `pocd tx hotspot ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "Hotspot",
					Use:            "hotspot [address-or-name]",
					Short:          "Show a hotspot by its address (peer ID) or three-word name",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "Hotspots",
					Use:       "hotspots",
					Short:     "List hotspots, optionally filtered with --owner and --region",
				},
				{
					RpcMethod:      "HotspotsInCell",
					Use:            "hotspots-in-cell [h3-cell]",
					Short:          "List the hotspots located inside an H3 cell of resolution 0..12",
					Example:        "pocd query hotspot hotspots-in-cell 872830828ffffff",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "cell"}},
				},
				{
					RpcMethod: "HotspotLocations",
					Use:       "locations",
					Short:     "List every asserted hotspot's address, name and H3 cell (what a map draws)",
				},
				{
					RpcMethod: "Params",
					Use:       "params",
					Short:     "Show x/hotspot parameters (fees, gain bounds, region plans)",
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "AddHotspot",
					Use:       "add-hotspot [hotspot-pubkey] [mode] [hotspot-signature] --from owner",
					Short:     "Onboard a hotspot; the key (hex/base64) and signature come from `pocd hotspot-key sign-add`",
					Long: "Onboard a hotspot owned by --from. mode is full or data-only. The hotspot key must sign the " +
						"add-hotspot sign bytes for this chain and owner (see docs/api/hotspot.md); " +
						"`pocd hotspot-key sign-add` prints the exact command.",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "hotspot_pubkey"}, {ProtoField: "mode"}, {ProtoField: "hotspot_signature"},
					},
				},
				{
					RpcMethod: "AssertLocation",
					Use:       "assert-location [hotspot] [h3-cell-res12] [gain-ddbi] [elevation-m] [region] --from owner",
					Short:     "Assert a hotspot's location (H3 res-12 cell), antenna gain (tenths of dBi), elevation and region",
					Example:   "pocd tx hotspot assert-location brave-amber-otter 8c2a1072b59ffff 12 5 US915 --from alice",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "hotspot"}, {ProtoField: "location"}, {ProtoField: "gain"},
						{ProtoField: "elevation"}, {ProtoField: "region"},
					},
				},
				{
					RpcMethod: "TransferHotspot",
					Use:       "transfer-hotspot [hotspot] [new-owner] --from owner",
					Short:     "Transfer a hotspot to another account",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "hotspot"}, {ProtoField: "new_owner"},
					},
				},
				{
					RpcMethod: "UpdateParams",
					Skip:      true, // governance only: submit through `pocd tx gov submit-proposal`
				},
			},
			EnhanceCustomCommand: true,
		},
	}
}
