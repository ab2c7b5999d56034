// tunegenesis shortens a pocd genesis for local, load and devnet chains: the
// PoC epoch, the beacon interval, the entropy lifespan, the full-record
// retention and the governance voting period. Standard library only, so
// `go run` is quick.
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
	lifespan := flag.Duration("entropy-lifespan", 0, "x/poc entropy_lifespan_ms: records are pruned no sooner than twice this after their beacon (0: keep)")
	retention := flag.Int64("record-retention-blocks", 0, "x/poc record_retention_blocks (0: keep)")
	flag.Parse()
	poc := map[string]string{}
	if *interval > 0 {
		poc["beacon_interval_ms"] = fmt.Sprint(interval.Milliseconds())
	}
	if *lifespan > 0 {
		poc["entropy_lifespan_ms"] = fmt.Sprint(lifespan.Milliseconds())
	}
	if *retention > 0 {
		poc["record_retention_blocks"] = fmt.Sprint(*retention)
	}
	if err := run(*path, *epoch, poc, *voting); err != nil {
		fmt.Fprintln(os.Stderr, "tunegenesis:", err)
		os.Exit(1)
	}
}

// run edits the genesis at path; poc holds x/poc params to set, by their
// JSON names.
func run(path string, epoch time.Duration, poc map[string]string, voting time.Duration) error {
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
	if len(poc) > 0 {
		params, ok := state["poc"].(map[string]any)["params"].(map[string]any)
		if !ok {
			return fmt.Errorf("no x/poc params in genesis")
		}
		for k, v := range poc {
			params[k] = v
		}
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
