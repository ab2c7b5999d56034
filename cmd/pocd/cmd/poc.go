package cmd

import (
	"encoding/json"
	"os"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"

	"github.com/pocnet/pocd/x/poc/client/offline"
)

// pocCmd holds offline PoC tools for operators (no chain needed).
func pocCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "poc",
		Short: "Judge PoC scenarios offline with the chain's rules",
		RunE:  client.ValidateCmd,
	}
	cmd.AddCommand(pocCheckCmd(), pocHexScaleCmd())
	return cmd
}

func readJSON(path string, v any) error {
	bz, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(bz, v)
}

func pocCheckCmd() *cobra.Command {
	var unsigned bool
	var seed string
	cmd := &cobra.Command{
		Use:   "check [scenario.json]",
		Short: "Judge a beacon and its witnesses; prints the verdicts as JSON",
		Long: `Judge a scenario file (format: docs/poc-check.md) with the chain's rules.
Checks that need chain history (entropy, beacon interval, reciprocity, denylist)
are skipped. --unsigned also skips signatures, so hand-written scenarios work.
When more than 14 witnesses are valid, 14 are drawn with a seed: --seed (or the
scenario's selection_seed_hex; a judged PoC's record holds the chain's as
selection_seed); by default SHA-256 of 32 zero bytes and the beacon ID.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var s offline.Scenario
			if err := readJSON(args[0], &s); err != nil {
				return err
			}
			if seed != "" {
				s.SelectionSeedHex = seed
			}
			res, err := offline.Check(s, unsigned)
			if err != nil {
				return err
			}
			return printJSON(cmd, res)
		},
	}
	cmd.Flags().BoolVar(&unsigned, "unsigned", false, "skip signature checks")
	cmd.Flags().StringVar(&seed, "seed", "", "32-byte selection seed in hex (default: SHA-256 of 32 zero bytes and the beacon ID)")
	return cmd
}

func pocHexScaleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "hex-scale [hotspots.json]",
		Short: "HIP-17 transmit scale of each listed hotspot (all treated as active)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in offline.HexInput
			if err := readJSON(args[0], &in); err != nil {
				return err
			}
			out, err := offline.HexScales(in)
			if err != nil {
				return err
			}
			return printJSON(cmd, out)
		},
	}
}
