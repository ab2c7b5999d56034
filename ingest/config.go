package ingest

import (
	"fmt"
	"time"

	"github.com/spf13/cast"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/wire"
)

// Config is the [ingest] section of app.toml. Every field has a documented
// default (docs/operator-guide.md, "PoC ingest").
type Config struct {
	// Enable starts the gossip host, the queue and the relayer. Full nodes
	// that only serve queries leave it off.
	Enable bool `mapstructure:"enable"`
	// Listen are libp2p multiaddrs (TCP and QUIC).
	Listen []string `mapstructure:"listen"`
	// Peers are multiaddrs with /p2p/<id> of other ingest hosts to keep
	// connected (the other validators).
	Peers []string `mapstructure:"peers"`
	// KeyFile holds the gossip identity, relative to the node home; created
	// on first start.
	KeyFile string `mapstructure:"key-file"`
	// DBDir is the badger queue, relative to the node home.
	DBDir string `mapstructure:"db-dir"`
	// WitnessWindow is how long after first seeing a beacon the relayer
	// waits for witness reports before submitting the PoC.
	WitnessWindow time.Duration `mapstructure:"witness-window"`
	// WitnessAdmission is how long after a beacon arrives its witness
	// reports are admitted. It is shorter than WitnessWindow, so it closes
	// on every validator before the first relay puts the payload in a
	// mempool (where anyone could read it and witness virtually).
	WitnessAdmission time.Duration `mapstructure:"witness-admission"`
	// RelayJitter is the wait per rank: for each beacon the validators
	// (this node and its peers) are ranked by a hash of the beacon and
	// their peer IDs, and rank k relays only after k * RelayJitter: the
	// first opens the PoC, the others add the witness reports it lacks
	// while it is open. (validators - 1) * RelayJitter plus a few blocks
	// must stay under x/poc's close_grace_ms (30 s). A PoC not yet on
	// chain at a later rank's turn waits longer still: as long as this
	// node's relays take to land (Relayer.landingWait).
	RelayJitter time.Duration `mapstructure:"relay-jitter"`
	// RelayInterval is how often the relayer looks for ready beacons.
	RelayInterval time.Duration `mapstructure:"relay-interval"`
	// ReportTTL bounds how long any report stays queued: a report older than
	// this (by arrival) is deleted whether or not it was relayed.
	ReportTTL time.Duration `mapstructure:"report-ttl"`
	// MaxReportAge rejects reports whose signed timestamp is further than
	// this from the node's clock (replays, badly set clocks).
	MaxReportAge time.Duration `mapstructure:"max-report-age"`
	// GCInterval schedules badger value-log GC.
	GCInterval time.Duration `mapstructure:"gc-interval"`
	// RelayerKey is the keyring key that signs MsgSubmitPoc; its account
	// must exist on chain. Empty disables relaying (gossip and queue only).
	RelayerKey     string `mapstructure:"relayer-key"`
	KeyringBackend string `mapstructure:"keyring-backend"`
	// GasPrices is what a relay transaction pays per unit of its gas limit
	// (a dec-coin string), so a batch pays in proportion to its size. The
	// default is the minimum gas price `pocd init` writes for the node
	// itself; every validator refuses cheaper transactions.
	GasPrices string `mapstructure:"gas-prices"`
	// Fees, when set, is a fixed fee per relay transaction (a coin string)
	// instead of GasPrices.
	Fees string `mapstructure:"fees"`
	// MaxPocsPerTx batches beacons into one transaction.
	MaxPocsPerTx int `mapstructure:"max-pocs-per-tx"`
	// MaxMessageBytes is gossipsub's message size limit; reports are a few
	// hundred bytes.
	MaxMessageBytes int `mapstructure:"max-message-bytes"`
	// ValidateQueue is gossipsub's shared validation queue; when full,
	// messages are dropped before validation (counted as queue_full).
	ValidateQueue int `mapstructure:"validate-queue"`
	// ValidateConcurrency is how many reports per topic are validated (and
	// written) at once; badger groups concurrent synced writes. A validation
	// mostly waits for its fsync, which stalls for a few hundred
	// milliseconds when the node commits a block to the same disk; the
	// slots must cover the reports that arrive meanwhile (at 2,000/s, 256
	// slots dropped 1-3 % of reports as throttled; 2,048 none in three
	// minutes: docs/benchmarks.md). An idle slot costs nothing; a busy one
	// a goroutine and a report, tens of megabytes when all are busy.
	ValidateConcurrency int `mapstructure:"validate-concurrency"`
	// MaxQueueBytes is the queue's disk ceiling: past it, new reports are
	// refused (counted as disk_full) while what was acknowledged is still
	// relayed. 0 means no ceiling.
	MaxQueueBytes int64 `mapstructure:"max-queue-bytes"`
	// MaxRelayDelay sheds load: while the least delay over 5 s between this
	// node's first relays falling due (witness window passed) and their
	// inclusion exceeds it, new beacons are refused as overloaded and
	// witness reports of beacons this node does not hold are ignored
	// before any signature is checked. A node offered more than it can
	// include so keeps including at capacity with a bounded latency instead
	// of queueing everything until all of it is late. 0 never sheds.
	// Twice it caps how long a later rank waits for the first relay of a
	// PoC not on chain (Relayer.landingWait).
	MaxRelayDelay time.Duration `mapstructure:"max-relay-delay"`
	// PeerQueue is the per-peer outbound queue.
	PeerQueue int `mapstructure:"peer-queue"`
	// MaxConnsPerIP bounds concurrent libp2p connections from one IP
	// address (libp2p's own default is 8).
	MaxConnsPerIP int `mapstructure:"max-conns-per-ip"`
	// MaxConns bounds concurrent inbound libp2p connections in all. Every
	// hotspot that delivers beacons here keeps one, so it must exceed the
	// fleet (libp2p's own default scales with memory: 252 at 24 GiB), and
	// the process needs a file descriptor for each.
	MaxConns int `mapstructure:"max-conns"`
}

// minMessageBytes is above the largest canonically encoded report (every
// field at its limit: about 560 bytes).
const minMessageBytes = 1024

// DefaultConfig is what `pocd init` writes.
func DefaultConfig() Config {
	return Config{
		Enable:              true,
		Listen:              []string{"/ip4/0.0.0.0/tcp/26670", "/ip4/0.0.0.0/udp/26670/quic-v1"},
		KeyFile:             "config/ingest_key",
		DBDir:               "data/ingest",
		WitnessWindow:       10 * time.Second,
		WitnessAdmission:    5 * time.Second,
		MaxQueueBytes:       2 << 30,
		MaxRelayDelay:       10 * time.Second,
		RelayJitter:         4 * time.Second,
		RelayInterval:       500 * time.Millisecond,
		ReportTTL:           10 * time.Minute,
		MaxReportAge:        3 * time.Minute,
		GCInterval:          5 * time.Minute,
		RelayerKey:          "relayer",
		KeyringBackend:      "test",
		GasPrices:           params.DefaultMinGasPrices,
		Fees:                "",
		MaxPocsPerTx:        20,
		MaxMessageBytes:     wire.MaxReportBytes,
		ValidateQueue:       8192,
		ValidateConcurrency: 2048,
		PeerQueue:           4096,
		MaxConnsPerIP:       256,
		MaxConns:            4096,
	}
}

// Validate refuses settings that would make the queue misbehave.
func (c Config) Validate() error {
	switch {
	case !c.Enable:
		return nil
	case len(c.Listen) == 0:
		return fmt.Errorf("ingest.listen: at least one address")
	case c.WitnessWindow <= 0 || c.RelayInterval <= 0 || c.GCInterval <= 0:
		return fmt.Errorf("ingest: witness-window, relay-interval and gc-interval must be positive")
	case c.WitnessAdmission <= 0 || c.WitnessAdmission >= c.WitnessWindow:
		return fmt.Errorf("ingest.witness-admission (%s) must be positive and shorter than witness-window (%s)",
			c.WitnessAdmission, c.WitnessWindow)
	case c.MaxQueueBytes < 0 || c.MaxRelayDelay < 0:
		return fmt.Errorf("ingest.max-queue-bytes and max-relay-delay must not be negative")
	case c.ReportTTL <= c.WitnessWindow+c.RelayJitter:
		return fmt.Errorf("ingest.report-ttl (%s) must exceed witness-window + relay-jitter", c.ReportTTL)
	case c.MaxPocsPerTx < 1:
		return fmt.Errorf("ingest.max-pocs-per-tx must be at least 1")
	case c.MaxMessageBytes < minMessageBytes:
		// Above the largest canonical report, so validators configured
		// differently never disagree on a shared one.
		return fmt.Errorf("ingest.max-message-bytes must be at least %d", minMessageBytes)
	case c.ValidateQueue < 1 || c.ValidateConcurrency < 1 || c.PeerQueue < 1 || c.MaxConnsPerIP < 1 || c.MaxConns < 1:
		return fmt.Errorf("ingest: queue sizes must be positive")
	}
	if _, err := sdk.ParseDecCoins(c.GasPrices); err != nil {
		return fmt.Errorf("ingest.gas-prices %q: %w", c.GasPrices, err)
	}
	if _, err := sdk.ParseCoinsNormalized(c.Fees); err != nil {
		return fmt.Errorf("ingest.fees %q: %w", c.Fees, err)
	}
	return nil
}

// AppOptions is the server's view of app.toml.
type AppOptions interface{ Get(string) any }

// ConfigFromAppOptions reads [ingest], keeping defaults for absent keys.
func ConfigFromAppOptions(o AppOptions) Config {
	c := DefaultConfig()
	get := func(k string) (any, bool) { v := o.Get("ingest." + k); return v, v != nil }
	if v, ok := get("enable"); ok {
		c.Enable = cast.ToBool(v)
	}
	if v, ok := get("listen"); ok {
		c.Listen = cast.ToStringSlice(v)
	}
	if v, ok := get("peers"); ok {
		c.Peers = cast.ToStringSlice(v)
	}
	strs := map[string]*string{"key-file": &c.KeyFile, "db-dir": &c.DBDir, "relayer-key": &c.RelayerKey,
		"keyring-backend": &c.KeyringBackend, "gas-prices": &c.GasPrices, "fees": &c.Fees}
	for k, p := range strs {
		if v, ok := get(k); ok {
			*p = cast.ToString(v)
		}
	}
	if v, ok := get("max-queue-bytes"); ok {
		c.MaxQueueBytes = cast.ToInt64(v)
	}
	durs := map[string]*time.Duration{"witness-window": &c.WitnessWindow, "witness-admission": &c.WitnessAdmission, "relay-jitter": &c.RelayJitter,
		"relay-interval": &c.RelayInterval, "report-ttl": &c.ReportTTL, "max-report-age": &c.MaxReportAge,
		"gc-interval": &c.GCInterval, "max-relay-delay": &c.MaxRelayDelay}
	for k, p := range durs {
		if v, ok := get(k); ok {
			*p = cast.ToDuration(v)
		}
	}
	if _, ok := get("witness-admission"); !ok {
		// An app.toml from before witness-admission: half the window, as
		// the defaults have it.
		c.WitnessAdmission = c.WitnessWindow / 2
	}
	ints := map[string]*int{"max-pocs-per-tx": &c.MaxPocsPerTx, "max-message-bytes": &c.MaxMessageBytes,
		"validate-queue": &c.ValidateQueue, "validate-concurrency": &c.ValidateConcurrency, "peer-queue": &c.PeerQueue,
		"max-conns-per-ip": &c.MaxConnsPerIP, "max-conns": &c.MaxConns}
	for k, p := range ints {
		if v, ok := get(k); ok {
			*p = cast.ToInt(v)
		}
	}
	return c
}

// ConfigTemplate is appended to the SDK's app.toml template.
const ConfigTemplate = `
###############################################################################
###                           PoC ingest                                    ###
###############################################################################

# Gossip host, durable report queue and relayer for beacon and witness
# reports (docs/operator-guide.md, "PoC ingest"). Validators run it; full
# nodes that only serve queries can switch it off.
[ingest]
enable = {{ .Ingest.Enable }}
# libp2p listen addresses (TCP and QUIC).
listen = [{{ range $i, $a := .Ingest.Listen }}{{ if $i }}, {{ end }}"{{ $a }}"{{ end }}]
# Other validators' ingest hosts: /ip4/.../tcp/26670/p2p/<peer id>.
peers = [{{ range $i, $a := .Ingest.Peers }}{{ if $i }}, {{ end }}"{{ $a }}"{{ end }}]
# Gossip identity (created on first start) and queue directory, relative to the home.
key-file = "{{ .Ingest.KeyFile }}"
db-dir = "{{ .Ingest.DBDir }}"
# Wait this long after a beacon arrives for its witnesses, then relay.
witness-window = "{{ .Ingest.WitnessWindow }}"
# Witness reports are admitted only this long after their beacon arrived
# (shorter than witness-window, so it closes before any relay reveals the beacon).
witness-admission = "{{ .Ingest.WitnessAdmission }}"
# Per-beacon relay order: the validator ranked k (by a hash of the beacon and
# the peer IDs in peers) waits k times this, then relays only if the PoC is
# still missing. A few blocks, so exactly one validator normally relays.
relay-jitter = "{{ .Ingest.RelayJitter }}"
relay-interval = "{{ .Ingest.RelayInterval }}"
# Any queued report older than this is deleted, relayed or not.
report-ttl = "{{ .Ingest.ReportTTL }}"
# Reports signed further than this from the node's clock are rejected.
max-report-age = "{{ .Ingest.MaxReportAge }}"
# Badger value-log GC schedule.
gc-interval = "{{ .Ingest.GCInterval }}"
# Keyring key that signs MsgSubmitPoc (its account must exist); empty = do not relay.
relayer-key = "{{ .Ingest.RelayerKey }}"
keyring-backend = "{{ .Ingest.KeyringBackend }}"
# What a relay transaction pays: gas-prices times its gas limit (at least the
# chain's minimum-gas-prices, or validators refuse it), or, when fees is set,
# that fixed fee per transaction.
gas-prices = "{{ .Ingest.GasPrices }}"
fees = "{{ .Ingest.Fees }}"
max-pocs-per-tx = {{ .Ingest.MaxPocsPerTx }}
# gossipsub limits: message size, shared validation queue, per-topic
# validation concurrency, per-peer outbound queue.
max-message-bytes = {{ .Ingest.MaxMessageBytes }}
validate-queue = {{ .Ingest.ValidateQueue }}
validate-concurrency = {{ .Ingest.ValidateConcurrency }}
peer-queue = {{ .Ingest.PeerQueue }}
# Disk ceiling of the queue in bytes: past it new reports are refused (and
# counted as disk_full); acknowledged ones are still relayed. 0 = none.
max-queue-bytes = {{ .Ingest.MaxQueueBytes }}
# Overload: while this node's relays reach the chain more than this after
# they fell due (the least such delay over 5 s), new beacons are refused as
# overloaded (hotspots are told to retry) so what was admitted stays on
# time. 0 = never refuse.
max-relay-delay = "{{ .Ingest.MaxRelayDelay }}"
# Concurrent connections from one IP address (hotspots behind a carrier NAT
# share one); libp2p's own default is 8.
max-conns-per-ip = {{ .Ingest.MaxConnsPerIP }}
# Concurrent inbound connections in all: every hotspot delivering beacons
# here keeps one (libp2p's own default, scaled from memory, is about 250).
max-conns = {{ .Ingest.MaxConns }}
`
