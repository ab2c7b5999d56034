package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/pocnet/pocd/app"
)

// initCmd is the SDK's `init` plus pocd's block limits: the genesis it
// writes caps a block at app.BlockMaxGas gas and app.BlockMaxBytes bytes
// (CometBFT's defaults are unlimited gas and 21 MiB). app.toml, with the
// minimum gas price and the relayer's gas price, comes from initAppConfig.
func initCmd(basics module.BasicManager, defaultNodeHome string) *cobra.Command {
	cmd := genutilcli.InitCmd(basics, defaultNodeHome)
	sdkRun := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := sdkRun(cmd, args); err != nil {
			return err
		}
		// The SDK's RunE rooted the server config at the home it used.
		genFile := server.GetServerContextFromCmd(cmd).Config.GenesisFile()
		gen, err := genutiltypes.AppGenesisFromFile(genFile)
		if err != nil {
			return fmt.Errorf("reading the genesis init wrote: %w", err)
		}
		app.SetBlockLimits(gen.Consensus.Params)
		return genutil.ExportGenesisFile(gen, genFile)
	}
	return cmd
}
