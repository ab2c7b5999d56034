// Command pocd is the pocd validator node and CLI.
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/pocnet/pocd/app"
	"github.com/pocnet/pocd/cmd/pocd/cmd"
)

func main() {
	if err := svrcmd.Execute(cmd.NewRootCmd(), "POCD", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
