// tunegenesis shortens a pocd genesis for local and devnet chains: the PoC
// epoch, the beacon interval and the governance voting period. Standard library
// only, so `go run` is quick.
//
//	go run ./scripts/tunegenesis -genesis HOME/config/genesis.json -poc-epoch 60s -beacon-interval 30s
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	path := flag.String("genesis", "", "genesis.json to edit in place")
	epoch := flag.Duration("poc-epoch", 0, "duration of the x/epochs \"poc\" epoch (0: keep)")
	interval := flag.Duration("beacon-interval", 0, "x/poc beacon_interval_ms (0: keep)")
	voting := flag.Duration("voting-period", 0, "x/gov voting_period; the expedited one becomes half of it (0: keep)")
	flag.Parse()
	if err := run(*path, *epoch, *interval, *voting); err != nil {
		fmt.Fprintln(os.Stderr, "tunegenesis:", err)
		os.Exit(1)
	}
}

func run(path string, epoch, interval, voting time.Duration) error {
	bz, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var gen map[string]any
	if err := json.Unmarshal(bz, &gen); err != nil {
		return err
	}
	state, ok := gen["app_state"].(map[string]any)
	if !ok {
		return fmt.Errorf("%s: no app_state", path)
	}
	if epoch > 0 {
		found := false
		epochs, _ := state["epochs"].(map[string]any)["epochs"].([]any)
		for _, e := range epochs {
			if m, ok := e.(map[string]any); ok && m["identifier"] == "poc" {
				m["duration"] = epoch.String()
				found = true
			}
		}
		if !found {
			return fmt.Errorf("no \"poc\" epoch in genesis")
		}
	}
	if interval > 0 {
		params, ok := state["poc"].(map[string]any)["params"].(map[string]any)
		if !ok {
			return fmt.Errorf("no x/poc params in genesis")
		}
		params["beacon_interval_ms"] = fmt.Sprint(interval.Milliseconds())
	}
	if voting > 0 {
		params, ok := state["gov"].(map[string]any)["params"].(map[string]any)
		if !ok {
			return fmt.Errorf("no x/gov params in genesis")
		}
		params["voting_period"] = fmt.Sprintf("%ds", int64(voting.Seconds()))
		params["expedited_voting_period"] = fmt.Sprintf("%ds", int64(voting.Seconds())/2)
	}
	out, err := json.MarshalIndent(gen, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}
