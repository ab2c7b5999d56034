package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/sim"
)

func simCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Simulate a fleet of hotspots (honest and cheating) against a running chain",
		Long: `Creates (or reuses) N hotspot keys under HOME/sim, onboards and asserts them
on chain with the owner's key, then beacons and witnesses through the
validators' ingest like real hotspots, with reception decided by a
log-distance path-loss model with shadowing (docs/simulator.md). A share of
the fleet cheats: spoofed location, inflated RSSI, fabricated witnesses,
replays, and a colluding farm. With --adversaries, one of each protocol-level
adversary runs too (front-running relays, back-dated, virtual and re-labelled
witness reports, inflated power, interval skipping, sybil keys, an ingest
flood, transfers to module accounts), with per-kind figures and earnings. At the end (--duration, or Ctrl-C) it waits
for the last PoCs and prints what the chain accepted, for honest and
cheating witnesses separately.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			f := cmd.Flags()
			home, _ := f.GetString(flagHome)
			n, _ := f.GetInt("hotspots")
			cityName, _ := f.GetString("city")
			coordsPath, _ := f.GetString("coords")
			share, _ := f.GetFloat64("cheaters")
			seed, _ := f.GetUint64("seed")
			duration, _ := f.GetDuration("duration")
			warmup, _ := f.GetDuration("warmup")
			replayAge, _ := f.GetDuration("replay-age")
			drain, _ := f.GetDuration("drain")
			owner, _ := f.GetString("owner")
			krDir, _ := f.GetString("keyring-dir")
			krBackend, _ := f.GetString("keyring-backend")
			jsonOut, _ := f.GetString("summary-json")
			radiusKm, _ := f.GetFloat64("radius-km")
			valFile, _ := f.GetString("validators-file")
			gasPrices, _ := f.GetString("gas-prices")
			adversaries, _ := f.GetBool("adversaries")
			if share < 0 || share > 1 {
				return fmt.Errorf("--cheaters must be between 0 and 1")
			}
			city, ok := sim.Cities[cityName]
			if !ok {
				return fmt.Errorf("unknown --city %q (have sf, nyc, london, berlin)", cityName)
			}
			if radiusKm > 0 {
				city.RadiusM = radiusKm * 1000
			}
			spec := sim.FleetSpec{City: city, Size: n, CheaterShare: share, Seed: seed, KeyDir: filepath.Join(home, "sim", "keys")}
			if coordsPath != "" {
				c, err := sim.ReadCoordinates(coordsPath)
				if err != nil {
					return err
				}
				spec.Coordinates = c
			}
			fleet, err := sim.BuildFleet(spec)
			if err != nil {
				return err
			}
			if adversaries {
				if fleet, err = sim.AddAdversaries(fleet, spec); err != nil {
					return err
				}
			}
			conn, chainID, err := dialChain(ctx, cmd)
			if err != nil {
				return err
			}
			defer conn.Close()
			vals, _ := f.GetStringSlice(flagValidators)
			if valFile != "" {
				bz, err := os.ReadFile(valFile)
				if err != nil {
					return err
				}
				vals = append(vals, strings.Fields(string(bz))...)
			}
			peers, err := gateway.ParsePeers(vals)
			if err != nil {
				return err
			}
			if len(peers) == 0 {
				return fmt.Errorf("at least one --validator is required")
			}
			enc := params.MakeClientEncoding()
			kr, err := keyring.New(params.AppName, krBackend, krDir, os.Stdin, enc.Codec)
			if err != nil {
				return err
			}
			signer, err := chainclient.NewSigner(conn, enc, kr, owner, chainID, chainclient.Pricing{GasPrices: gasPrices})
			if err != nil {
				return err
			}
			logf := func(format string, a ...any) {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s sim: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
			}
			if err := sim.Onboard(ctx, conn, signer, chainID, city.Region, fleet, logf); err != nil {
				return err
			}
			var frontRunner *chainclient.Signer
			if adversaries {
				if frontRunner, err = sim.NewFrontRunner(ctx, conn, signer, chainID, gasPrices); err != nil {
					return err
				}
				logf("adversaries: %d hotspots, front-runner account %s", len(fleet)-n, frontRunner.Address())
			}
			radio := sim.DefaultRadio()
			radio.Seed = seed
			s, err := sim.Run(ctx, sim.RunSpec{Conn: conn, ChainID: chainID, Validators: peers, Fleet: fleet, Region: city.Region,
				Radio: radio, Seed: seed, Duration: duration, Warmup: warmup, ReplayAge: replayAge, Drain: drain, Logf: logf,
				Adversaries: adversaries, Owner: signer, FrontRunner: frontRunner})
			if err != nil {
				return err
			}
			s.Print(cmd.OutOrStdout())
			if jsonOut != "" {
				bz, err := json.MarshalIndent(s, "", "  ")
				if err != nil {
					return err
				}
				return os.WriteFile(jsonOut, bz, 0o644)
			}
			return nil
		},
	}
	addChainFlags(cmd)
	f := cmd.Flags()
	f.Int("hotspots", 50, "fleet size")
	f.String("city", "sf", "city preset: sf, nyc, london, berlin")
	f.String("coords", "", "file of lat,lng lines for the in-city hotspots (the rest are scattered)")
	f.Float64("cheaters", 0.2, "share of the fleet that cheats, split across farm, spoof, inflate, fabricate, replay")
	f.Uint64("seed", 1, "layout and radio seed (same seed, same fleet)")
	f.Duration("duration", 0, "how long to run (0: until Ctrl-C)")
	f.Duration("warmup", 0, "reports before this are not counted (0: two beacon intervals)")
	f.Duration("replay-age", 4*time.Minute, "age of the reports replayers re-publish")
	f.Duration("drain", 90*time.Second, "after the run, how long to wait for the last PoCs")
	f.String("owner", "alice", "keyring key that owns and onboards the fleet (pays the fees)")
	f.String("keyring-dir", ".", "keyring directory (a pocd home)")
	f.String("keyring-backend", "test", "keyring backend")
	f.String("summary-json", "", "also write the summary as JSON to this file")
	f.Float64("radius-km", 0, "radius of the fleet's disc (0: the city preset's, 5-6 km)")
	f.String("validators-file", "", "file of validator ingest multiaddrs, one per line (added to --validator)")
	f.Bool("adversaries", false, "also run one of each adversary (front-runner, back-dater, virtual witness, power inflater, interval skipper, cross-beacon replayer, sybil, ingest flooder, module-account transfer; docs/simulator.md)")
	f.String("gas-prices", params.DefaultMinGasPrices, "gas price the owner's onboarding transactions pay (at least the nodes' minimum-gas-prices)")
	return cmd
}
