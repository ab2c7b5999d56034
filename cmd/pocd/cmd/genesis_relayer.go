package cmd

import (
	"bufio"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	"github.com/cosmos/cosmos-sdk/server"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/pocnet/pocd/app"
	poctypes "github.com/pocnet/pocd/x/poc/types"
)

// addGenesisRelayerCmd is `pocd genesis add-relayer`: the genesis form of
// MsgRegisterRelayer, so a new chain's validators can relay PoCs from the
// first block. x/poc checks at each relay that the validator is bonded, so
// the registration may be written before or after collect-gentxs.
func addGenesisRelayerCmd(defaultNodeHome string, accCodec, valCodec address.Codec) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-relayer [validator-key-or-valoper] [relayer-key-or-address]",
		Short: "Register a validator's PoC relay account and ingest peer in genesis.json (x/poc relayers)",
		Long: `Add {validator, relayer, ingest_peer} to app_state.poc.relayers in genesis.json: the relayer
account may then submit MsgSubmitPoc for the validator (after genesis: pocd tx poc register-relayer).
The validator is a keyring key (its operator address is the key's address with the hntvaloper
prefix), a hntvaloper... address, or the operator's hnt1... account address; the relayer is a
keyring key or a hnt1... address. A validator has one relay account and an account relays for
one validator: a second registration of either is refused.

--ingest-peer is the libp2p peer ID of the validator's ingest host (the part after /p2p/ in
'pocd ingest address --home VALIDATOR_HOME'); only registered ingest peers may join the private
beacon topic. It is optional, and a peer ID belongs to one validator.`,
		Example: `pocd genesis add-relayer validator relayer --keyring-backend test
pocd genesis add-relayer hntvaloper1... hnt1... --ingest-peer 12D3KooW...`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx := client.GetClientContextFromCmd(cmd)
			config := server.GetServerContextFromCmd(cmd).Config
			config.SetRoot(clientCtx.HomeDir)

			var kr keyring.Keyring
			keyAddr := func(name string) ([]byte, error) {
				if kr == nil {
					// The client.toml keyring unless --keyring-backend is given
					// (the flag's default would otherwise always win).
					backend, _ := cmd.Flags().GetString(flags.FlagKeyringBackend)
					if clientCtx.Keyring != nil && !cmd.Flags().Changed(flags.FlagKeyringBackend) {
						kr = clientCtx.Keyring
					} else {
						var err error
						if kr, err = keyring.New(sdk.KeyringServiceName(), backend, clientCtx.HomeDir,
							bufio.NewReader(cmd.InOrStdin()), clientCtx.Codec); err != nil {
							return nil, err
						}
					}
				}
				k, err := kr.Key(name)
				if err != nil {
					return nil, fmt.Errorf("%q is neither an address nor a key in the keyring: %w", name, err)
				}
				return k.GetAddress()
			}

			var valBz []byte
			if bz, err := valCodec.StringToBytes(args[0]); err == nil {
				valBz = bz
			} else if bz, err := accCodec.StringToBytes(args[0]); err == nil {
				valBz = bz
			} else if valBz, err = keyAddr(args[0]); err != nil {
				return err
			}
			validator, err := valCodec.BytesToString(valBz)
			if err != nil {
				return err
			}
			relBz, err := accCodec.StringToBytes(args[1])
			if err != nil {
				if relBz, err = keyAddr(args[1]); err != nil {
					return err
				}
			}
			relayer, err := accCodec.BytesToString(relBz)
			if err != nil {
				return err
			}
			ingestPeer, _ := cmd.Flags().GetString(flagIngestPeer)
			if err := poctypes.ValidateIngestPeer(ingestPeer); err != nil {
				return err
			}
			return addGenesisRelayer(clientCtx.Codec, config.GenesisFile(), poctypes.RelayerRegistration{
				Validator: validator, Relayer: relayer, IngestPeer: ingestPeer,
			})
		},
	}
	cmd.Flags().String(flagIngestPeer, "", "libp2p peer ID (12D3KooW...) of the validator's ingest host; empty: none")
	cmd.Flags().String(flags.FlagHome, defaultNodeHome, "The application home directory")
	cmd.Flags().String(flags.FlagKeyringBackend, flags.DefaultKeyringBackend, "Select keyring's backend (os|file|kwallet|pass|test)")
	return cmd
}

// flagIngestPeer is add-relayer's --ingest-peer (the same name as autocli's
// flag for MsgRegisterRelayer.ingest_peer).
const flagIngestPeer = "ingest-peer"

// addGenesisRelayer appends a registration to the genesis file's x/poc
// state, refusing a validator, an account or an ingest peer that is already
// registered.
func addGenesisRelayer(cdc codec.JSONCodec, genFile string, reg poctypes.RelayerRegistration) error {
	validator, relayer := reg.Validator, reg.Relayer
	appState, appGenesis, err := genutiltypes.GenesisStateFromGenFile(genFile)
	if err != nil {
		return fmt.Errorf("read genesis: %w", err)
	}
	var gs poctypes.GenesisState
	if bz := appState[poctypes.ModuleName]; len(bz) > 0 {
		if err := cdc.UnmarshalJSON(bz, &gs); err != nil {
			return fmt.Errorf("x/poc genesis: %w", err)
		}
	} else {
		return fmt.Errorf("genesis %s has no x/poc state (app_state.%s)", genFile, poctypes.ModuleName)
	}
	for _, r := range gs.Relayers {
		switch {
		case r.Validator == validator && r.Relayer == relayer:
			return fmt.Errorf("%s is already the relayer of %s in genesis", relayer, validator)
		case r.Validator == validator:
			return fmt.Errorf("validator %s already has a relayer in genesis (%s); one per validator", validator, r.Relayer)
		case r.Relayer == relayer:
			return fmt.Errorf("account %s already relays for %s in genesis; an account relays for one validator", relayer, r.Validator)
		case reg.IngestPeer != "" && r.IngestPeer == reg.IngestPeer:
			return fmt.Errorf("ingest peer %s is already registered by %s in genesis; a peer ID belongs to one validator", reg.IngestPeer, r.Validator)
		}
	}
	gs.Relayers = append(gs.Relayers, reg)
	if err := gs.Validate(); err != nil {
		return err
	}
	if appState[poctypes.ModuleName], err = cdc.MarshalJSON(&gs); err != nil {
		return err
	}
	if appGenesis.AppState, err = json.Marshal(appState); err != nil {
		return err
	}
	return genutil.ExportGenesisFile(appGenesis, genFile)
}

// withAddRelayer adds add-relayer to the SDK's `pocd genesis` commands.
func withAddRelayer(genesis *cobra.Command, a *app.App) *cobra.Command {
	sc := a.TxConfig().SigningContext()
	genesis.AddCommand(addGenesisRelayerCmd(app.DefaultNodeHome, sc.AddressCodec(), sc.ValidatorAddressCodec()))
	return genesis
}
