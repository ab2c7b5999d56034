// Command status prints the devnet: per node height, peers, catching-up,
// app hash and ingest counters, and the last paid PoC epoch.
package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/pocnet/pocd/networks/devnet/devnetstatus"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NODE\tHEIGHT\tPEERS\tCATCHING UP\tAPP HASH\tBEACONS IN\tWITNESSES IN\tRELAYED\tINCLUDED\tPEER-RELAYED\tQUEUED")
	for _, n := range devnetstatus.Nodes {
		s := devnetstatus.Query(ctx, n)
		if !s.Up {
			fmt.Fprintf(w, "%s\tdown\t\t\t%s\n", n.Name, s.Err)
			continue
		}
		hash := s.AppHash
		if len(hash) > 12 {
			hash = hash[:12]
		}
		c := s.Ingest
		fmt.Fprintf(w, "%s\t%d\t%d\t%v\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\n", n.Name, s.Height, s.Peers, s.CatchingUp, hash,
			c["accepted_beacons"], c["accepted_witnesses"], c["relayed"], c["included"], c["peer_relayed"], c["queued"])
	}
	w.Flush()
	for _, n := range devnetstatus.Nodes {
		p, err := devnetstatus.LastPaid(ctx, n)
		if err != nil {
			continue
		}
		if p.Epoch == 0 {
			fmt.Println("no PoC epoch settled yet")
		} else {
			fmt.Printf("last settled PoC epoch %d: paid %s bones to hotspot owners (payout complete: %v)\n", p.Epoch, p.Paid, p.PaidOut)
		}
		return
	}
	fmt.Println("no node answers REST")
}
