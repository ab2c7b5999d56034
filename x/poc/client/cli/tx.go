// Package cli holds the one x/poc command autocli cannot express.
package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"

	"github.com/pocnet/pocd/x/poc/types"
)

// GetTxCmd is merged into `pocd tx poc` by autocli.
func GetTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   types.ModuleName,
		Short: "Proof-of-coverage transactions",
		RunE:  client.ValidateCmd,
	}
	cmd.AddCommand(SubmitPocCmd())
	return cmd
}

// SubmitPocCmd relays a signed PoC read from a JSON file.
func SubmitPocCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submit-poc [poc.json] --from relayer",
		Short: "Relay a signed beacon and its witness reports",
		Long: `Relay a signed beacon and the witness reports heard for it. The file is the
proto-JSON of MsgSubmitPoc without the relayer: {"beacon": {...}, "witnesses": [...]}
(bytes base64). Only a bonded validator's registered relay account may relay
(pocd tx poc register-relayer). A witness report may leave "payload" out: it then
stands for the beacon's, and its signature must verify over that.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			bz, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var msg types.MsgSubmitPoc
			if err := clientCtx.Codec.UnmarshalJSON(bz, &msg); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			msg.Relayer = clientCtx.GetFromAddress().String()
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), &msg)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}
