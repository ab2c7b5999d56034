package cmd

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/server"

	"github.com/pocnet/pocd/ingest"
)

func ingestCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ingest",
		Short: "PoC ingest: the node's gossip identity",
	}
	addr := &cobra.Command{
		Use:   "address",
		Short: "Print this node's ingest multiaddrs (what hotspots and other validators dial)",
		Long: `Prints one /ip4/HOST/tcp|udp/PORT/.../p2p/PEER_ID line per [ingest] listen
address. The gossip key is created now if the node has not started yet, so
the address can go into other nodes' configs before anything runs. A
0.0.0.0 listen address is printed with --host.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sctx := server.GetServerContextFromCmd(cmd)
			cfg := ingest.ConfigFromAppOptions(sctx.Viper)
			path := cfg.KeyFile
			if !filepath.IsAbs(path) {
				path = filepath.Join(sctx.Config.RootDir, path)
			}
			priv, err := ingest.LoadOrCreateKey(path)
			if err != nil {
				return err
			}
			id, err := peer.IDFromPrivateKey(priv)
			if err != nil {
				return err
			}
			host, _ := cmd.Flags().GetString("host")
			for _, l := range cfg.Listen {
				fmt.Fprintf(cmd.OutOrStdout(), "%s/p2p/%s\n", strings.Replace(l, "/0.0.0.0/", "/"+host+"/", 1), id)
			}
			return nil
		},
	}
	addr.Flags().String("host", "127.0.0.1", "address to print in place of 0.0.0.0")
	cmd.AddCommand(addr)
	return cmd
}
