package cmd

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/x/hotspot/keyfile"
)

func runCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the hotspot: peer with validators, beacon once per interval",
		Long: `Connects to the configured validators' ingest over libp2p (the host's peer ID
is the hotspot address), takes entropy from the chain and publishes a signed
beacon once per beacon interval, at a random point in each interval.

Witnessing needs a radio: this build has no LoRa packet-forwarder bridge yet,
so 'run' beacons only; 'hotspotd sim' simulates reception for a fleet.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			k, err := keyfile.Load(keyPath(cmd))
			if err != nil {
				return fmt.Errorf("%w (run hotspotd init first)", err)
			}
			conn, chainID, err := dialChain(ctx, cmd)
			if err != nil {
				return err
			}
			defer conn.Close()
			vals, _ := cmd.Flags().GetStringSlice(flagValidators)
			peers, err := gateway.ParsePeers(vals)
			if err != nil {
				return err
			}
			if len(peers) == 0 {
				return fmt.Errorf("at least one --validator is required")
			}
			hs, err := hotspottypes.NewQueryClient(conn).Hotspot(ctx, &hotspottypes.QueryHotspotRequest{Id: k.Address()})
			if err != nil {
				return fmt.Errorf("hotspot %s on chain: %w (onboard it first: hotspotd onboard)", k.Address(), err)
			}
			if hs.Hotspot.Location == "" {
				return fmt.Errorf("hotspot %s has no asserted location yet", k.Address())
			}
			plan, err := gateway.RegionPlan(ctx, conn, hs.Hotspot.Region)
			if err != nil {
				return err
			}
			pp, err := poctypes.NewQueryClient(conn).Params(ctx, &poctypes.QueryParamsRequest{})
			if err != nil {
				return err
			}
			pub, err := gateway.NewPublisher(ctx, k.Private, nil, peers, chainID)
			if err != nil {
				return err
			}
			defer pub.Close()
			interval := time.Duration(pp.Params.BeaconIntervalMs) * time.Millisecond
			// 27 dBm, or the region's conducted-power bound for the asserted
			// gain if lower: a beacon declaring more is invalid_tx_power.
			txPower := int32(min(27, verify.MaxConductedPowerDBm(plan.MaxEirpDdbm, hs.Hotspot.Gain)))
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "hotspot %s (%s) on %s, beaconing every %s\n", k.Address(), k.Name(), chainID, interval)
			for {
				// A random point in the next interval bucket (buckets are
				// aligned to the Unix epoch, as the chain counts them).
				next := time.Now().Truncate(interval).Add(interval).Add(time.Duration(mrand.Int64N(int64(interval))))
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(time.Until(next)):
				}
				e, err := gateway.Entropy(ctx, conn)
				if err != nil {
					fmt.Fprintf(out, "entropy: %v\n", err)
					continue
				}
				local := make([]byte, verify.LocalEntropySize)
				_, _ = rand.Read(local)
				b := gateway.BuildBeacon(k.Private, e, local, plan, int(pp.Params.PayloadSize), txPower, time.Now())
				pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				err = pub.PublishBeacon(pctx, b)
				cancel()
				id := b.ID()
				if err != nil {
					fmt.Fprintf(out, "beacon %x: %v\n", id[:8], err)
					continue
				}
				fmt.Fprintf(out, "beacon %x published (entropy height %d, %d Hz)\n", id, e.Height, b.FrequencyHz)
			}
		},
	}
	addChainFlags(cmd)
	return cmd
}
