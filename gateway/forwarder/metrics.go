package forwarder

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bridge's Prometheus counters (docs/gateway.md, "Metrics").
type Metrics struct {
	// Datagrams by direction ("up": from the forwarder, "down": to it) and
	// GWMP type, counting only datagrams that decoded.
	Datagrams *prometheus.CounterVec
	// Dropped datagrams by reason: version, unknown_type, short, json,
	// oversize, unexpected_type, unexpected_tx_ack, unknown_eui,
	// spoofed_source, wrong_port.
	Dropped *prometheus.CounterVec
	// RXPK: received packets by outcome: beacon, or the reason one was
	// ignored (crc, modulation, size, data_rate, frequency, channel,
	// own_beacon, duplicate, payload, signal).
	RXPK *prometheus.CounterVec
	// BeaconsSent: beacons sent to the forwarder in PULL_RESP.
	BeaconsSent prometheus.Counter
	// BeaconsAcked: TX_ACKs reporting the beacon scheduled.
	BeaconsAcked prometheus.Counter
	// BeaconsPublished: beacon reports a validator stored.
	BeaconsPublished prometheus.Counter
	// BeaconsHeard: received packets that were beacons of other hotspots.
	BeaconsHeard prometheus.Counter
	// WitnessesPublished: witness reports gossiped.
	WitnessesPublished prometheus.Counter
	// Errors by reason: tx_ack_<ERROR> (the forwarder refused a beacon),
	// tx_ack_timeout, tx_power_out_of_range, no_forwarder, transmit,
	// entropy, beacon_publish, witness_publish, witness_queue_full,
	// rx_time_skew, udp_read.
	Errors *prometheus.CounterVec
}

// NewMetrics registers the counters with reg (nil: unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	ns := "hotspotd"
	m := &Metrics{
		Datagrams: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "forwarder_datagrams_total",
			Help: "GWMP datagrams exchanged with the packet forwarder, by direction (up: from it) and type."}, []string{"direction", "type"}),
		Dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "forwarder_dropped_total",
			Help: "Datagrams ignored, by reason."}, []string{"reason"}),
		RXPK: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "forwarder_rxpk_total",
			Help: "Received packets (rxpk) by outcome: beacon, or why one was not taken for a beacon."}, []string{"outcome"}),
		BeaconsSent: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "beacons_sent_total",
			Help: "Beacons sent to the forwarder for transmission (PULL_RESP)."}),
		BeaconsAcked: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "beacons_acked_total",
			Help: "Beacons the forwarder acknowledged as scheduled (TX_ACK without error)."}),
		BeaconsPublished: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "beacons_published_total",
			Help: "Beacon reports a validator stored."}),
		BeaconsHeard: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "beacons_heard_total",
			Help: "Beacons of other hotspots received over the radio."}),
		WitnessesPublished: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "witness_reports_published_total",
			Help: "Witness reports published."}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "errors_total",
			Help: "Failures by reason."}, []string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.Datagrams, m.Dropped, m.RXPK, m.BeaconsSent, m.BeaconsAcked, m.BeaconsPublished,
			m.BeaconsHeard, m.WitnessesPublished, m.Errors)
	}
	return m
}
