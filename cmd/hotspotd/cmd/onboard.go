package cmd

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/x/hotspot/keyfile"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

func onboardCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "onboard OWNER_ADDRESS",
		Short: "Sign the add-hotspot payload for the owner to submit",
		Long: `Prints the hotspot-signed add payload (JSON) and the pocd commands the owner
runs to add the hotspot and assert its location. The signature binds the
hotspot key to this owner and chain, so it cannot be replayed elsewhere.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			chainID, _ := cmd.Flags().GetString("chain-id")
			if chainID == "" {
				return fmt.Errorf("--chain-id is required")
			}
			dataOnly, _ := cmd.Flags().GetBool("data-only")
			k, err := keyfile.Load(keyPath(cmd))
			if err != nil {
				return fmt.Errorf("%w (run hotspotd init first)", err)
			}
			mode := hotspottypes.HOTSPOT_MODE_FULL
			if dataOnly {
				mode = hotspottypes.HOTSPOT_MODE_DATA_ONLY
			}
			sig := k.SignAdd(chainID, args[0], mode)
			// The CLI spelling pocd's add-hotspot takes ("full", "data-only").
			cliMode := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(mode.String(), "HOTSPOT_MODE_")), "_", "-")
			// Every transaction pays at least the chain's minimum gas price.
			fees := "--gas auto --gas-adjustment 1.3 --gas-prices " + params.DefaultMinGasPrices
			out := map[string]string{
				"address": k.Address(), "name": k.Name(), "owner": args[0], "chain_id": chainID, "mode": cliMode,
				"pubkey_hex": hex.EncodeToString(k.PubKey()), "signature_hex": hex.EncodeToString(sig),
				"add_command": fmt.Sprintf("pocd tx hotspot add-hotspot %x %s %x --from %s --chain-id %s %s", k.PubKey(), cliMode, sig, args[0], chainID, fees),
				"assert_command": fmt.Sprintf("pocd tx hotspot assert-location %s <H3_CELL_RES12> <GAIN_DDBI> <ELEVATION_M> <REGION> --from %s --chain-id %s %s",
					k.Address(), args[0], chainID, fees),
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	cmd.Flags().String("chain-id", "", "chain the hotspot joins")
	cmd.Flags().Bool("data-only", false, "onboard as a data-only hotspot (no PoC)")
	return cmd
}
