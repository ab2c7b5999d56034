package ingest

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the ingest counters, exported on CometBFT's Prometheus
// endpoint (:26660/metrics) under pocd_ingest_*.
type Metrics struct {
	Received  *prometheus.CounterVec // by topic
	Accepted  *prometheus.CounterVec // by topic: stored durably, then acknowledged
	Rejected  *prometheus.CounterVec // by topic and reason: dropped, sender penalised
	Ignored   *prometheus.CounterVec // by topic and reason: dropped, no penalty
	Relayed   prometheus.Counter     // beacons submitted in a relay transaction
	RelayedW  prometheus.Counter     // witness reports submitted
	Included  prometheus.Counter     // beacons this node relayed, seen on chain
	Dropped   *prometheus.CounterVec // by reason: peer_relayed, refused, expired
	RelayErrs prometheus.Counter     // failed relay attempts (retried)
	Queued    prometheus.Gauge       // beacons waiting in the queue
	// QueueBytes is the queue's size on disk, against max-queue-bytes.
	QueueBytes prometheus.Gauge
	// OldestQueued is the age of the oldest queued beacon: steady under
	// load (witness window, relay turns, close grace), growing when
	// beacons get stuck.
	OldestQueued prometheus.Gauge
	Latency      prometheus.Histogram // witness signed timestamp to seen included, seconds
	// Overloaded is 1 while admission refuses new beacons (max-relay-delay).
	Overloaded prometheus.Gauge
	// Landing is how long this node's relays have lately taken to land:
	// a later rank waits that long for the first relay of a PoC not yet
	// on chain (capped; Relayer.landingWait).
	Landing prometheus.Gauge
	// Validation is the time a report holds one of validate-concurrency's
	// slots: checks plus the synced store write. When slots × 1/duration
	// falls under the arrival rate, gossipsub drops reports as throttled.
	Validation *prometheus.HistogramVec // by topic, seconds
}

var (
	metricsOnce sync.Once
	metrics     *Metrics
)

// DefaultMetrics registers the counters once per process with the default
// registry (the one CometBFT's Prometheus server exports).
func DefaultMetrics() *Metrics {
	metricsOnce.Do(func() {
		metrics = NewMetrics()
		metrics.register(prometheus.DefaultRegisterer)
	})
	return metrics
}

// NewMetrics makes unregistered counters (tests read them directly).
func NewMetrics() *Metrics {
	ns, sub := "pocd", "ingest"
	return &Metrics{
		Received: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "received_total",
			Help: "Reports that reached validation."}, []string{"topic"}),
		Accepted: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "accepted_total",
			Help: "Reports stored durably and acknowledged."}, []string{"topic"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "rejected_total",
			Help: "Reports rejected; the sending peer is penalised."}, []string{"topic", "reason"}),
		Ignored: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "ignored_total",
			Help: "Reports dropped without penalty (duplicates, not yet verifiable)."}, []string{"topic", "reason"}),
		Relayed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "relayed_total",
			Help: "Beacons submitted to the chain in MsgSubmitPoc (each attempt)."}),
		RelayedW: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "relayed_witnesses_total",
			Help: "Witness reports submitted to the chain (each attempt)."}),
		Included: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "included_total",
			Help: "Beacons relayed by this node and found on chain."}),
		Dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "dropped_total",
			Help: "Beacons removed from the queue without this node's inclusion."}, []string{"reason"}),
		RelayErrs: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "relay_errors_total",
			Help: "Relay attempts that failed and will be retried."}),
		Queued: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "queued_beacons",
			Help: "Beacons waiting to be relayed or confirmed."}),
		QueueBytes: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "queue_bytes",
			Help: "The report queue's size on disk; new reports are refused past max-queue-bytes."}),
		OldestQueued: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "queue_oldest_seconds",
			Help: "Age of the oldest queued beacon (since it arrived); 0 when the queue is empty."}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "inclusion_seconds",
			Help:    "From a witness report's signed timestamp to this node seeing its PoC on chain.",
			Buckets: []float64{1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300}}),
		Overloaded: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "overloaded",
			Help: "1 while new beacons are refused as overloaded: this node's first relays reach the chain later than max-relay-delay."}),
		Landing: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "relay_landing_seconds",
			Help: "Moving average of the time this node's first relays took from falling due to landing on chain; a later rank waits it (capped at twice max-relay-delay) for the first relay of a PoC not yet on chain."}),
		Validation: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "validation_seconds",
			Help:    "Time to validate and durably store one report.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"topic"}),
	}
}

func (m *Metrics) register(r prometheus.Registerer) {
	r.MustRegister(m.Received, m.Accepted, m.Rejected, m.Ignored, m.Relayed, m.RelayedW, m.Included, m.Dropped,
		m.RelayErrs, m.Queued, m.QueueBytes, m.OldestQueued, m.Latency, m.Overloaded, m.Landing, m.Validation)
}
