package params

import (
	"github.com/cosmos/gogoproto/proto"

	"github.com/cosmos/cosmos-sdk/x/tx/signing"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/std"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// ClientEncoding is what an off-node client (the ingest relayer, hotspotd)
// needs to build, sign and decode pocd transactions, without an App.
type ClientEncoding struct {
	Codec             codec.Codec
	InterfaceRegistry codectypes.InterfaceRegistry
	TxConfig          client.TxConfig
}

// NewInterfaceRegistry is the app's and the clients' registry, before any
// type is registered: hnt addresses for signing.
func NewInterfaceRegistry() codectypes.InterfaceRegistry {
	SetSDKConfig()
	reg, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			AddressCodec:          address.Bech32Codec{Bech32Prefix: sdk.GetConfig().GetBech32AccountAddrPrefix()},
			ValidatorAddressCodec: address.Bech32Codec{Bech32Prefix: sdk.GetConfig().GetBech32ValidatorAddrPrefix()},
		},
	})
	if err != nil {
		panic(err) // static options
	}
	return reg
}

// MakeClientEncoding registers the account, bank, hotspot and poc types.
func MakeClientEncoding() ClientEncoding {
	reg := NewInterfaceRegistry()
	std.RegisterInterfaces(reg)
	authtypes.RegisterInterfaces(reg)
	banktypes.RegisterInterfaces(reg)
	hotspottypes.RegisterInterfaces(reg)
	poctypes.RegisterInterfaces(reg)
	cdc := codec.NewProtoCodec(reg)
	return ClientEncoding{Codec: cdc, InterfaceRegistry: reg, TxConfig: authtx.NewTxConfig(cdc, authtx.DefaultSignModes)}
}
