// Package cmd is hotspotd's command tree: init, onboard, run, sim.
package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"

	cmtservice "github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/version"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/gateway"
)

const (
	flagHome       = "home"
	flagGRPC       = "grpc"
	flagValidators = "validator"
)

func defaultHome() string {
	h, err := os.UserHomeDir()
	if err != nil {
		return ".hotspotd"
	}
	return filepath.Join(h, ".hotspotd")
}

// NewRootCmd builds hotspotd.
func NewRootCmd() *cobra.Command {
	params.SetSDKConfig()
	root := &cobra.Command{
		Use:           "hotspotd",
		Short:         "hotspotd: the hotspot daemon for pocd (keys, onboarding, beacons and witnesses, fleet simulation)",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String(flagHome, defaultHome(), "hotspot home directory (holds hotspot.key)")
	root.AddCommand(initCmd(), onboardCmd(), runCmd(), simCmd(), versionCmd())
	return root
}

func keyPath(cmd *cobra.Command) string {
	home, _ := cmd.Flags().GetString(flagHome)
	return filepath.Join(home, "hotspot.key")
}

func addChainFlags(cmd *cobra.Command) {
	cmd.Flags().String(flagGRPC, "127.0.0.1:9090", "gRPC address of a pocd node (entropy, params, verdicts)")
	cmd.Flags().StringSlice(flagValidators, nil, "validator ingest multiaddr /ip4/HOST/tcp/PORT/p2p/PEER_ID (repeat for each; `pocd ingest address` prints it)")
}

// dialChain connects to the node and reads its chain ID.
func dialChain(ctx context.Context, cmd *cobra.Command) (*grpc.ClientConn, string, error) {
	addr, _ := cmd.Flags().GetString(flagGRPC)
	conn, err := gateway.DialChain(addr)
	if err != nil {
		return nil, "", err
	}
	res, err := cmtservice.NewServiceClient(conn).GetNodeInfo(ctx, &cmtservice.GetNodeInfoRequest{})
	if err != nil {
		conn.Close()
		return nil, "", fmt.Errorf("node at %s: %w", addr, err)
	}
	return conn, res.DefaultNodeInfo.Network, nil
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), appVersion())
		},
	}
}

func appVersion() string {
	return fmt.Sprintf("hotspotd %s (commit %s)", version.Version, version.Commit)
}
