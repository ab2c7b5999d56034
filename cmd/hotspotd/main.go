// hotspotd is the hotspot's daemon: it holds the hotspot key, takes entropy
// from the chain, beacons and publishes reports to validators over libp2p;
// `hotspotd sim` drives a simulated fleet.
package main

import (
	"fmt"
	"os"

	"github.com/pocnet/pocd/cmd/hotspotd/cmd"
)

func main() {
	if err := cmd.NewRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
