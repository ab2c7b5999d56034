package forwarder

import (
	"context"
	"crypto/ed25519"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/gateway"
	"github.com/pocnet/pocd/gwmp"
	"github.com/pocnet/pocd/gwmp/gwmptest"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

type fakePublisher struct {
	beacons   chan *verify.Beacon
	witnesses chan verify.Witness
}

func (p *fakePublisher) PublishBeacon(_ context.Context, b *verify.Beacon) error {
	p.beacons <- b
	return nil
}

func (p *fakePublisher) PublishWitness(_ context.Context, w verify.Witness) error {
	p.witnesses <- w
	return nil
}

var (
	eui      = gwmp.EUI{0xaa, 0x55, 0x5a, 0, 0, 0, 0, 1}
	entropy  = poctypes.BlockEntropy{Height: 7, Hash: make([]byte, 32)}
	us915    = hotspottypes.DefaultRegionPlans()[0]
	testWait = 5 * time.Second
)

type rig struct {
	srv *Server
	br  *Bridge
	m   *Metrics
	pub *fakePublisher
	key ed25519.PrivateKey
	mu  sync.Mutex
	txs []gwmp.TXPK
}

func (r *rig) transmitted() []gwmp.TXPK {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]gwmp.TXPK(nil), r.txs...)
}

// newRig starts a bridge on a loopback port, with the forwarder's EUI
// configured, and a fake publisher.
func newRig(t *testing.T) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	_, key, _ := ed25519.GenerateKey(nil)
	r := &rig{m: NewMetrics(nil), pub: &fakePublisher{beacons: make(chan *verify.Beacon, 10), witnesses: make(chan verify.Witness, 10)}, key: key}
	e := eui
	var err error
	r.srv, err = Listen("127.0.0.1:0", ServerConfig{EUI: &e, HostTimeout: 2 * time.Second, AckTimeout: time.Second, Log: t.Logf}, r.m)
	require.NoError(t, err)
	r.br, err = New(Config{
		Key: key, Plan: us915, PayloadSize: 51, TxPowerDBm: 27,
		Entropy:   func(context.Context) (poctypes.BlockEntropy, error) { return entropy, nil },
		Publisher: r.pub, Server: r.srv, Metrics: r.m, Log: t.Logf,
	})
	require.NoError(t, err)
	go func() { _ = r.srv.Serve(ctx) }()
	t.Cleanup(r.br.Wait)
	return r
}

// forwarder starts an emulated forwarder against the rig and waits until
// the bridge has its downlink address.
func (r *rig) forwarder(t *testing.T, cfg gwmptest.Config) *gwmptest.Forwarder {
	t.Helper()
	cfg.Server = r.srv.Addr().String()
	if cfg.KeepAlive == 0 {
		cfg.KeepAlive = 100 * time.Millisecond
	}
	if cfg.OnTransmit == nil {
		cfg.OnTransmit = func(_ *gwmptest.Forwarder, tx gwmp.TXPK) {
			r.mu.Lock()
			r.txs = append(r.txs, tx)
			r.mu.Unlock()
		}
	}
	f, err := gwmptest.Start(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(f.Close)
	return f
}

func (r *rig) connected(t *testing.T, f *gwmptest.Forwarder) {
	t.Helper()
	require.Eventually(t, func() bool { return r.srv.Connected() && f.Stats().PullAck > 0 }, testWait, 10*time.Millisecond)
}

func TestBeaconTransmittedThenPublished(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	_, err := r.br.Beacon(ctx, time.Now())
	require.ErrorIs(t, err, ErrNoForwarder, "no forwarder yet")
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.Errors.WithLabelValues("no_forwarder")))
	require.Zero(t, testutil.ToFloat64(r.m.BeaconsSent))

	f := r.forwarder(t, gwmptest.Config{EUI: eui})
	r.connected(t, f)
	bc, err := r.br.Beacon(ctx, time.Now())
	require.NoError(t, err)
	got := <-r.pub.beacons
	require.Same(t, bc, got)
	require.True(t, got.VerifySignature())
	require.Equal(t, int32(27), got.TxPowerDBm)
	require.LessOrEqual(t, int64(got.TxPowerDBm), verify.MaxConductedPowerDBm(us915.MaxEirpDdbm, 12), "27 dBm within US915's bound for 1.2 dBi")
	require.Equal(t, us915.ChannelFrequenciesHz[verify.BeaconChannel(got.Payload, 8)], got.FrequencyHz)

	require.Eventually(t, func() bool { return len(r.transmitted()) == 1 }, testWait, 10*time.Millisecond)
	tx := r.transmitted()[0]
	hz, err := gwmp.MHzToHz(tx.Freq)
	require.NoError(t, err)
	require.Equal(t, got.FrequencyHz, hz)
	require.Equal(t, gwmp.TXPK{Imme: true, Freq: tx.Freq, Powe: 27, Modu: "LORA", DatR: gwmp.DataRate{LoRa: "SF9BW125"}, CodR: "4/5",
		Size: 51, Data: gwmp.EncodeData(got.Payload)}, tx)
	st := f.Stats()
	require.Equal(t, int64(1), st.PullResp)
	require.Equal(t, int64(1), st.TxAck)
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.BeaconsSent))
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.BeaconsAcked))
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.BeaconsPublished))
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.Datagrams.WithLabelValues("down", "pull_resp")))
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.Datagrams.WithLabelValues("up", "tx_ack")))
}

func TestBeaconNotPublishedOnTxAckError(t *testing.T) {
	r := newRig(t)
	f := r.forwarder(t, gwmptest.Config{EUI: eui, TxAckError: "COLLISION_BEACON"})
	r.connected(t, f)
	_, err := r.br.Beacon(context.Background(), time.Now())
	require.ErrorIs(t, err, ErrTxRefused)
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.Errors.WithLabelValues("tx_ack_collision_beacon")))
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.BeaconsSent))
	require.Zero(t, testutil.ToFloat64(r.m.BeaconsAcked))
	require.Zero(t, testutil.ToFloat64(r.m.BeaconsPublished))
	require.Empty(t, r.pub.beacons)
	require.Empty(t, r.transmitted())
}

func TestBeaconDeclaresThePowerTheForwarderUsed(t *testing.T) {
	r := newRig(t)
	f := r.forwarder(t, gwmptest.Config{EUI: eui, MaxPowerDBm: 20})
	r.connected(t, f)
	_, err := r.br.Beacon(context.Background(), time.Now())
	require.NoError(t, err)
	got := <-r.pub.beacons
	require.Equal(t, int32(20), got.TxPowerDBm, "TX_ACK warned TX_POWER 20")
	require.True(t, got.VerifySignature(), "re-signed")
}

// A TX_ACK saying the beacon went out above the power asked for (a power
// table that fell back upwards, or a lying forwarder) or at an implausibly
// low power: the beacon is not reported, and the reason is counted.
func TestBeaconNotReportedAtPowerOutOfRange(t *testing.T) {
	for _, warned := range []int{30, -100, 1 << 32} {
		r := newRig(t)
		f := r.forwarder(t, gwmptest.Config{EUI: eui, WarnPowerDBm: warned})
		r.connected(t, f)
		_, err := r.br.Beacon(context.Background(), time.Now())
		require.ErrorIs(t, err, ErrTxPowerOutOfRange, "warned %d dBm", warned)
		require.Equal(t, 1.0, testutil.ToFloat64(r.m.Errors.WithLabelValues("tx_power_out_of_range")))
		require.Zero(t, testutil.ToFloat64(r.m.BeaconsPublished))
		require.Empty(t, r.pub.beacons)
	}
}

// The conducted power is bounded by the region's max EIRP less the
// asserted antenna gain: EU868's 16 dBm EIRP with a 3 dBi antenna allows
// 13 dBm, not 14.
func TestBridgePowerBoundedByEIRPLessGain(t *testing.T) {
	eu := us915
	eu.MaxEirpDdbm = 160
	srv, err := Listen("127.0.0.1:0", ServerConfig{}, NewMetrics(nil))
	require.NoError(t, err)
	defer srv.Close()
	cfg := Config{Key: make(ed25519.PrivateKey, ed25519.PrivateKeySize), Plan: eu, PayloadSize: 51, TxPowerDBm: 14, GainDdbi: 30, Server: srv}
	_, err = New(cfg)
	require.ErrorContains(t, err, "outside 0..13 dBm")
	cfg.TxPowerDBm = 13
	_, err = New(cfg)
	require.NoError(t, err)
}

func TestBeaconTxAckTimeout(t *testing.T) {
	r := newRig(t)
	// A forwarder that keeps alive but never answers a PULL_RESP: play it
	// with a bare socket.
	f := r.forwarder(t, gwmptest.Config{EUI: eui})
	r.connected(t, f)
	f.Close()
	_, err := r.br.Beacon(context.Background(), time.Now())
	require.ErrorIs(t, err, ErrTxAckTimeout)
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.Errors.WithLabelValues("tx_ack_timeout")))
	require.Empty(t, r.pub.beacons)
}

// beaconRX is how a forwarder reports another hotspot's beacon.
func beaconRX(t *testing.T) (*verify.Beacon, gwmp.RXPK) {
	_, other, _ := ed25519.GenerateKey(nil)
	b := gateway.BuildBeacon(other, entropy, []byte{1, 2, 3, 4}, us915, 51, 27, time.Now())
	return b, gwmp.RXPK{
		Tmst: 3512348611, Freq: gwmp.HzToMHz(b.FrequencyHz) + "00", Stat: 1, Modu: "LORA", DatR: gwmp.DataRate{LoRa: "SF9BW125"}, CodR: "4/5",
		RSSI: "-96", RSSIS: "-97", LSNR: "-9.5", Size: 51, Data: gwmp.EncodeData(b.Payload),
	}
}

func TestWitnessOfReceivedBeacon(t *testing.T) {
	r := newRig(t)
	f := r.forwarder(t, gwmptest.Config{EUI: eui})
	r.connected(t, f)
	b, p := beaconRX(t)
	at := time.Now().Add(-300 * time.Millisecond).UTC().Truncate(time.Microsecond)
	p.Time = gwmp.FormatTime(at)

	// Everything that is not this beacon is ignored.
	wrongChannel := p
	for _, hz := range us915.ChannelFrequenciesHz {
		if hz != b.FrequencyHz {
			wrongChannel.Freq = gwmp.HzToMHz(hz)
			break
		}
	}
	crc, fsk, size, datr, freq, bad64, nosig := p, p, p, p, p, p, p
	crc.Stat = -1
	fsk.Modu, fsk.DatR = "FSK", gwmp.DataRate{FSK: 50000}
	size.Size, size.Data = 3, "AQID"
	datr.DatR.LoRa = "SF10BW125"
	freq.Freq = "904.6"
	bad64.Data = "!!!"
	nosig.RSSI, nosig.RSSIS = "", ""
	require.NoError(t, f.PushRX(crc, fsk, size, datr, freq, wrongChannel, bad64, nosig, p, p))

	w := <-r.pub.witnesses
	require.True(t, w.VerifySignature())
	require.Equal(t, []byte(r.key.Public().(ed25519.PublicKey)), w.Pubkey)
	require.Equal(t, b.Payload, w.Payload)
	require.Equal(t, b.FrequencyHz, w.FrequencyHz, "exact Hz")
	require.Equal(t, int32(-970), w.RSSIDdbm, "rssis, in tenths of dBm")
	require.Equal(t, int32(-95), w.SNRDdb, "lsnr, in tenths of dB")
	require.Equal(t, "SF9BW125", w.DataRate)
	require.Equal(t, uint32(3512348611), w.Tmst)
	require.Equal(t, at.UnixNano(), w.TimestampNs, "the rxpk's time")
	// The datagram's last packet (the second copy) handled, then no
	// publication left.
	require.Eventually(t, func() bool { return testutil.ToFloat64(r.m.RXPK.WithLabelValues("duplicate")) == 1 }, testWait, 10*time.Millisecond)
	r.br.Wait()
	for outcome, n := range map[string]float64{"crc": 1, "modulation": 1, "size": 1, "data_rate": 1, "frequency": 1, "channel": 1, "payload": 1, "signal": 1, "beacon": 1, "duplicate": 1} {
		require.Equal(t, n, testutil.ToFloat64(r.m.RXPK.WithLabelValues(outcome)), outcome)
	}
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.BeaconsHeard))
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.WitnessesPublished))
	require.Empty(t, r.pub.witnesses, "one witness report per beacon")

	// Our own beacon, heard back, is not witnessed; a packet stamped far
	// from the bridge's clock is witnessed at its arrival.
	_, err := r.br.Beacon(context.Background(), time.Now())
	require.NoError(t, err)
	own := <-r.pub.beacons
	p2 := p
	p2.Freq, p2.Data = gwmp.HzToMHz(own.FrequencyHz), gwmp.EncodeData(own.Payload)
	_, p3 := beaconRX(t)
	p3.Time = gwmp.FormatTime(time.Now().Add(-time.Hour))
	before := time.Now()
	require.NoError(t, f.PushRX(p2, p3))
	w = <-r.pub.witnesses
	require.GreaterOrEqual(t, w.TimestampNs, before.UnixNano())
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.RXPK.WithLabelValues("own_beacon")))
	require.Equal(t, 1.0, testutil.ToFloat64(r.m.Errors.WithLabelValues("rx_time_skew")))
}

// TestBadDatagramsCountedAndIgnored sends every malformed kind once, a
// forwarder with another EUI and one with this EUI from another host; each
// is counted by reason, and the bridge goes on serving its forwarder.
func TestBadDatagramsCountedAndIgnored(t *testing.T) {
	r := newRig(t)
	f := r.forwarder(t, gwmptest.Config{EUI: eui})
	r.connected(t, f)
	want := map[string]float64{}
	for _, bad := range gwmptest.Malformed(eui) {
		require.NoError(t, f.SendUp(bad.Raw), bad.Kind)
		want[bad.Reason]++
	}
	stranger := r.forwarder(t, gwmptest.Config{EUI: gwmp.EUI{1, 2, 3, 4, 5, 6, 7, 8}})
	impostor := r.forwarder(t, gwmptest.Config{EUI: eui, Local: "127.0.0.2:0"})
	_, p := beaconRX(t)
	require.NoError(t, impostor.PushRX(p))
	require.Eventually(t, func() bool {
		for reason, n := range want {
			if testutil.ToFloat64(r.m.Dropped.WithLabelValues(reason)) != n {
				return false
			}
		}
		return testutil.ToFloat64(r.m.Dropped.WithLabelValues("unknown_eui")) >= 2 &&
			testutil.ToFloat64(r.m.Dropped.WithLabelValues("spoofed_source")) >= 2
	}, testWait, 10*time.Millisecond)
	require.Zero(t, stranger.Stats().PullAck, "another gateway is not served")
	require.Zero(t, impostor.Stats().PullAck+impostor.Stats().PushAck, "the EUI from another host is not served")
	require.Zero(t, testutil.ToFloat64(r.m.BeaconsHeard), "nothing the impostor pushed is witnessed")

	// Still serving the real forwarder.
	acks := f.Stats().PullAck
	require.Eventually(t, func() bool { return f.Stats().PullAck > acks }, testWait, 10*time.Millisecond)
	_, err := r.br.Beacon(context.Background(), time.Now())
	require.NoError(t, err)
}
