package cmd

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/x/hotspot/keyfile"
	"github.com/pocnet/pocd/x/hotspot/types"
)

// hotspotKeyCmd holds offline tools for hotspot keys. hotspotd does the same
// for a running gateway; these are for owners and scripts.
func hotspotKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hotspot-key",
		Short: "Create and use hotspot keys offline (ed25519; address = libp2p peer ID)",
		RunE:  client.ValidateCmd,
	}
	cmd.AddCommand(hotspotKeyGenerateCmd(), hotspotKeyShowCmd(), hotspotKeySignAddCmd())
	return cmd
}

type keyInfo struct {
	Address string `json:"address"`
	Name    string `json:"name"`
	PubKey  string `json:"pubkey_hex"`
}

func infoOf(k keyfile.Key) keyInfo {
	return keyInfo{Address: k.Address(), Name: k.Name(), PubKey: hex.EncodeToString(k.PubKey())}
}

func printJSON(cmd *cobra.Command, v any) error {
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), string(bz))
	return err
}

func hotspotKeyGenerateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "generate [key-file]",
		Short: "Create a new hotspot key file (never overwrites)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := keyfile.Generate(args[0])
			if err != nil {
				return err
			}
			return printJSON(cmd, infoOf(k))
		},
	}
}

func hotspotKeyShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show [key-file]",
		Short: "Print a hotspot key's address, name and public key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := keyfile.Load(args[0])
			if err != nil {
				return err
			}
			return printJSON(cmd, infoOf(k))
		},
	}
}

func hotspotKeySignAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sign-add [key-file] [owner-address]",
		Short: "Sign the add-hotspot payload for an owner and print the tx command to submit",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := keyfile.Load(args[0])
			if err != nil {
				return err
			}
			chainID, _ := cmd.Flags().GetString(flags.FlagChainID)
			if chainID == "" {
				return fmt.Errorf("--%s is required: the signature is bound to one chain", flags.FlagChainID)
			}
			modeStr, _ := cmd.Flags().GetString("mode")
			mode, err := types.ParseHotspotMode(modeStr)
			if err != nil {
				return err
			}
			owner := args[1]
			sig := k.SignAdd(chainID, owner, mode)
			cliMode := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(mode.String(), "HOTSPOT_MODE_")), "_", "-")
			out := struct {
				keyInfo
				Owner     string `json:"owner"`
				ChainID   string `json:"chain_id"`
				Mode      string `json:"mode"`
				Signature string `json:"signature_hex"`
				Command   string `json:"command"`
			}{
				keyInfo: infoOf(k), Owner: owner, ChainID: chainID, Mode: cliMode,
				Signature: hex.EncodeToString(sig),
				Command: fmt.Sprintf("pocd tx hotspot add-hotspot %s %s %s --from %s --chain-id %s --gas auto --gas-adjustment 1.3 --gas-prices %s",
					hex.EncodeToString(k.PubKey()), cliMode, hex.EncodeToString(sig), owner, chainID, params.DefaultMinGasPrices),
			}
			return printJSON(cmd, out)
		},
	}
	cmd.Flags().String(flags.FlagChainID, "", "chain id the signature is valid for")
	cmd.Flags().String("mode", "full", "hotspot mode: full or data_only")
	return cmd
}
