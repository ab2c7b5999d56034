package cmd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/gateway/forwarder"
	"github.com/pocnet/pocd/gwmp"
	"github.com/pocnet/pocd/x/hotspot/keyfile"
)

const (
	flagConfig       = "config"
	flagForwarder    = "forwarder"
	flagForwarderEUI = "forwarder-eui"
	flagMetrics      = "metrics"
	flagMaxTxPower   = "max-tx-power"
)

func runCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the hotspot: peer with validators, beacon once per interval, witness through a LoRa packet forwarder",
		Long: `Connects to the configured validators' ingest over libp2p (the host's peer ID
is the hotspot address), takes entropy from the chain and beacons once per
beacon interval, at a random point in each interval.

With --forwarder ADDR it serves the Semtech packet-forwarder protocol (GWMP v2,
UDP) on ADDR for the hotspot's LoRa gateway (lora_pkt_fwd: server_address,
serv_port_up and serv_port_down in global_conf.json): each beacon is
transmitted through the gateway and its report published only once the gateway
acknowledged it (TX_ACK), and every beacon the gateway receives becomes a
signed witness report. Without --forwarder there is no radio: the beacon report
is published without a transmission and nothing is witnessed. docs/gateway.md
is the owner's guide.

Every flag can also be set in the config file (--config, default
HOME/config.toml) under the flag's name, e.g. forwarder = "0.0.0.0:1680",
validator = ["/ip4/..."]; a flag given on the command line wins.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if err := applyConfigFile(cmd); err != nil {
				return err
			}
			k, err := keyfile.Load(keyPath(cmd))
			if err != nil {
				return fmt.Errorf("%w (run hotspotd init first)", err)
			}
			f := cmd.Flags()
			fwdAddr, _ := f.GetString(flagForwarder)
			euiHex, _ := f.GetString(flagForwarderEUI)
			metricsAddr, _ := f.GetString(flagMetrics)
			maxPower, _ := f.GetInt32(flagMaxTxPower)
			var eui *gwmp.EUI
			if euiHex != "" {
				e, err := gwmp.ParseEUI(euiHex)
				if err != nil {
					return err
				}
				eui = &e
			}
			if err := checkForwarderExposure(fwdAddr, eui); err != nil {
				return err
			}
			conn, chainID, err := dialChain(ctx, cmd)
			if err != nil {
				return err
			}
			defer conn.Close()
			vals, _ := f.GetStringSlice(flagValidators)
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
			out := &lineWriter{w: cmd.OutOrStdout()}
			reg := prometheus.NewRegistry()
			metrics := forwarder.NewMetrics(reg)
			var srv *forwarder.Server
			if fwdAddr != "" {
				// Listen before anything slow, so a forwarder started next
				// finds the port open.
				srv, err = forwarder.Listen(fwdAddr, forwarder.ServerConfig{EUI: eui, Log: out.printf}, metrics)
				if err != nil {
					return fmt.Errorf("--forwarder %s: %w", fwdAddr, err)
				}
				defer srv.Close()
			}
			if metricsAddr != "" {
				l, err := net.Listen("tcp", metricsAddr)
				switch {
				case err != nil && f.Changed(flagMetrics):
					return fmt.Errorf("--metrics %s: %w", metricsAddr, err)
				case err != nil:
					// The default port is taken (another hotspotd on this
					// host): run without metrics rather than not at all.
					out.printf("metrics: %v (set --metrics to serve them elsewhere)", err)
				default:
					hsrv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
					go func() { _ = hsrv.Serve(l) }()
					defer hsrv.Close()
				}
			}
			pub, err := gateway.NewPublisher(ctx, k.Private, nil, peers, chainID)
			if err != nil {
				return err
			}
			defer pub.Close()
			interval := time.Duration(pp.Params.BeaconIntervalMs) * time.Millisecond
			// maxPower (27 dBm by default), or the region's conducted-power
			// bound for the asserted gain if lower: a beacon declaring more
			// is invalid_tx_power.
			txPower := int32(min(int64(maxPower), verify.MaxConductedPowerDBm(plan.MaxEirpDdbm, hs.Hotspot.Gain)))
			entropy := func(ctx context.Context) (poctypes.BlockEntropy, error) { return gateway.Entropy(ctx, conn) }
			if srv == nil {
				out.printf("hotspot %s (%s) on %s, beaconing every %s (no radio: --forwarder not set)", k.Address(), k.Name(), chainID, interval)
				softwareBeacons(ctx, out, k, entropy, plan, int(pp.Params.PayloadSize), txPower, interval, pub, metrics)
				return nil
			}
			br, err := forwarder.New(forwarder.Config{
				Key: k.Private, Plan: plan, PayloadSize: int(pp.Params.PayloadSize), TxPowerDBm: txPower, GainDdbi: hs.Hotspot.Gain,
				// A block behind the newest, which validators' nodes have
				// committed by the time the beacon goes on air
				// (forwarder.SettledEntropy).
				Entropy: forwarder.SettledEntropy(poctypes.NewQueryClient(conn)), Publisher: pub, Server: srv, Metrics: metrics, Log: out.printf,
			})
			if err != nil {
				return err
			}
			out.printf("hotspot %s (%s) on %s, region %s, beaconing every %s at %d dBm through the packet forwarder at udp %s",
				k.Address(), k.Name(), chainID, hs.Hotspot.Region, interval, txPower, srv.Addr())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); br.RunBeacons(ctx, interval) }()
			err = srv.Serve(ctx)
			wg.Wait()
			br.Wait()
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			return nil
		},
	}
	addChainFlags(cmd)
	f := cmd.Flags()
	f.String(flagConfig, "", "config file (TOML; default HOME/config.toml if it exists): keys are these flags' names")
	f.String(flagForwarder, "", "serve the Semtech packet-forwarder protocol (GWMP v2, UDP) on this address, e.g. 0.0.0.0:1680 (default: no radio)")
	f.String(flagForwarderEUI, "", "the gateway EUI of the hotspot's packet forwarder (16 hex digits; default: the first forwarder heard)")
	f.String(flagMetrics, "127.0.0.1:1690", "serve Prometheus metrics on this address (empty: off)")
	f.Int32(flagMaxTxPower, 27, "highest conducted transmit power in dBm; the region's max EIRP minus the asserted antenna gain caps it")
	return cmd
}

// applyConfigFile sets every flag not given on the command line from the
// config file, where a key is the flag's name.
func applyConfigFile(cmd *cobra.Command) error {
	path, _ := cmd.Flags().GetString(flagConfig)
	explicit := path != ""
	if !explicit {
		home, _ := cmd.Flags().GetString(flagHome)
		path = filepath.Join(home, "config.toml")
	}
	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType("toml")
	if err := v.ReadInConfig(); err != nil {
		var notFound *fs.PathError
		if !explicit && errors.As(err, &notFound) {
			return nil
		}
		return fmt.Errorf("config %s: %w", path, err)
	}
	known := map[string]bool{}
	var errs []error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		known[fl.Name] = true
		if fl.Changed || !v.IsSet(fl.Name) || fl.Name == flagConfig {
			return
		}
		val := v.GetString(fl.Name)
		if fl.Value.Type() == "stringSlice" {
			val = strings.Join(v.GetStringSlice(fl.Name), ",")
		}
		if err := cmd.Flags().Set(fl.Name, val); err != nil {
			errs = append(errs, fmt.Errorf("config %s: %s: %w", path, fl.Name, err))
		}
	})
	for _, key := range v.AllKeys() {
		if !known[key] {
			errs = append(errs, fmt.Errorf("config %s: unknown key %q", path, key))
		}
	}
	return errors.Join(errs...)
}

// softwareBeacons is run without a radio: the beacon report is published
// once per interval, nothing is transmitted or witnessed.
func softwareBeacons(ctx context.Context, out *lineWriter, k keyfile.Key, entropy func(context.Context) (poctypes.BlockEntropy, error),
	plan hotspottypes.RegionPlan, payloadSize int, txPower int32, interval time.Duration, pub *gateway.Publisher, m *forwarder.Metrics,
) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(gateway.NextBeaconTime(time.Now(), interval))):
		}
		e, err := entropy(ctx)
		if err != nil {
			m.Errors.WithLabelValues("entropy").Inc()
			out.printf("entropy: %v", err)
			continue
		}
		local := make([]byte, verify.LocalEntropySize)
		_, _ = rand.Read(local)
		b := gateway.BuildBeacon(k.Private, e, local, plan, payloadSize, txPower, time.Now())
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = pub.PublishBeacon(pctx, b)
		cancel()
		id := b.ID()
		if err != nil {
			m.Errors.WithLabelValues("beacon_publish").Inc()
			out.printf("beacon %x: %v", id[:8], err)
			continue
		}
		m.BeaconsPublished.Inc()
		out.printf("beacon %x published (entropy height %d, %d Hz)", id, e.Height, b.FrequencyHz)
	}
}

// lineWriter serialises log lines from the bridge's goroutines.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", args...)
}

// ErrForwarderUnpinned: --forwarder listens beyond loopback with no
// --forwarder-eui.
var ErrForwarderUnpinned = errors.New("--forwarder listens beyond loopback: set --forwarder-eui to the gateway's gateway_ID")

// checkForwarderExposure refuses a forwarder port reachable from other
// hosts without a pinned gateway EUI: the bridge would serve the first
// forwarder it hears, and whoever that is could have the hotspot sign
// witness reports of its choosing and report beacons never scheduled.
func checkForwarderExposure(addr string, eui *gwmp.EUI) error {
	if addr == "" || eui != nil {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--forwarder %s: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return ErrForwarderUnpinned
}
