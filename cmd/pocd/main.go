// Command pocd is the pocd validator node and CLI.
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/cmd/pocd/cmd"
	"github.com/pocnet/pocd/cmd/pocd/healthcheck"
)

func main() {
	// Before the root command, which builds a throwaway app: a
	// healthcheck runs every few seconds in every container.
	if len(os.Args) > 1 && os.Args[1] == healthcheck.Command {
		os.Exit(healthcheck.Run(os.Args[2:], os.Stdout, os.Stderr))
	}
	if err := svrcmd.Execute(cmd.NewRootCmd(), "POCD", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
