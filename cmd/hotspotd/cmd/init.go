package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pocnet/pocd/x/hotspot/keyfile"
)

func initCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create the hotspot key (ed25519; its libp2p peer ID is the hotspot address)",
		Long: `Creates HOME/hotspot.key, the hotspot's identity. The key never leaves the
hotspot: onboarding signs with it, and every beacon and witness report is
signed with it. It refuses to overwrite an existing key (a new key is a new
hotspot).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := keyPath(cmd)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return err
			}
			k, err := keyfile.Generate(path)
			if err != nil {
				return err
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]string{"address": k.Address(), "name": k.Name(), "key_file": path})
		},
	}
}
