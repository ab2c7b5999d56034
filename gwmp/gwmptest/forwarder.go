// Package gwmptest emulates a LoRa packet forwarder (Semtech's lora_pkt_fwd)
// speaking GWMP v2 over UDP, for tests of the hotspot bridge: it sends
// PULL_DATA keep-alives on its downstream socket, PUSH_DATA with rxpk and
// stat on its upstream socket, and answers each PULL_RESP with a TX_ACK,
// then "transmits" the txpk into an Air that delivers it to the other
// forwarders as received packets, with the signal a propagation model
// gives.
package gwmptest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocnet/pocd/gwmp"
)

// Config of an emulated forwarder. Server is global_conf.json's
// server_address with serv_port_up and serv_port_down both the same port,
// as hotspotd expects.
type Config struct {
	EUI    gwmp.EUI
	Server string // host:port
	// Local is the address the forwarder's sockets bind to (default
	// 127.0.0.1:0): a test binds 127.0.0.2 to play another host.
	Local string
	// KeepAlive is keepalive_interval: the PULL_DATA period (lora_pkt_fwd:
	// 10 s). Tests shorten it.
	KeepAlive time.Duration
	// StatInterval is stat_interval: a PUSH_DATA with "stat" this often
	// (lora_pkt_fwd: 30 s); 0 means 30 s.
	StatInterval time.Duration
	// GPS: received packets carry "time" (lora_pkt_fwd writes it only with a
	// GPS fix).
	GPS bool
	// MaxPowerDBm, when set, is the highest power the radio emits: a txpk
	// asking for more is sent at this power and acknowledged with the
	// TX_POWER warning, as the SX1302 forwarder does.
	MaxPowerDBm int
	// WarnPowerDBm, when set, is the power every transmission is
	// acknowledged at (TX_POWER warning), whatever was asked: a power table
	// that fell back to another entry, or a lying forwarder.
	WarnPowerDBm int
	// TxAckError, when set, is the error of every TX_ACK (e.g. "TOO_LATE"):
	// nothing is transmitted.
	TxAckError string
	// OnTransmit is called with every packet the forwarder transmits.
	OnTransmit func(f *Forwarder, tx gwmp.TXPK)
}

// Stats counts what the forwarder saw and sent.
type Stats struct {
	PullData, PullAck, PushData, PushAck, PullResp, TxAck, Transmitted, BadDownlink int64
}

// Forwarder is one emulated packet forwarder.
type Forwarder struct {
	cfg      Config
	up, down *net.UDPConn
	start    time.Time
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	pullData, pullAck, pushData, pushAck, pullResp, txAck, transmitted, badDown atomic.Int64
	rxnb, txnb                                                                  atomic.Uint64
}

// Start opens the upstream and downstream sockets (each connected to the
// server, like lora_pkt_fwd's sock_up and sock_down) and starts the
// keep-alive, status and downlink loops.
func Start(ctx context.Context, cfg Config) (*Forwarder, error) {
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 10 * time.Second
	}
	if cfg.StatInterval <= 0 {
		cfg.StatInterval = 30 * time.Second
	}
	if cfg.Local == "" {
		cfg.Local = "127.0.0.1:0"
	}
	srv, err := net.ResolveUDPAddr("udp", cfg.Server)
	if err != nil {
		return nil, err
	}
	local, err := net.ResolveUDPAddr("udp", cfg.Local)
	if err != nil {
		return nil, err
	}
	f := &Forwarder{cfg: cfg, start: time.Now()}
	if f.up, err = net.DialUDP("udp", local, srv); err != nil {
		return nil, err
	}
	if f.down, err = net.DialUDP("udp", local, srv); err != nil {
		f.up.Close()
		return nil, err
	}
	ctx, f.cancel = context.WithCancel(ctx)
	f.wg.Add(3)
	go f.keepAlive(ctx)
	go f.readUp()
	go f.readDown()
	go func() { <-ctx.Done(); f.up.Close(); f.down.Close() }()
	return f, nil
}

// Close stops the forwarder.
func (f *Forwarder) Close() {
	f.cancel()
	f.wg.Wait()
}

// DownAddr is the local address of the downstream socket, which sends
// PULL_DATA and TX_ACK (lora_pkt_fwd's sock_down, fixed for its life).
func (f *Forwarder) DownAddr() netip.AddrPort { return localAddr(f.down) }

// UpAddr is the local address of the upstream socket, which sends
// PUSH_DATA (lora_pkt_fwd's sock_up).
func (f *Forwarder) UpAddr() netip.AddrPort { return localAddr(f.up) }

func localAddr(c *net.UDPConn) netip.AddrPort {
	ap := c.LocalAddr().(*net.UDPAddr).AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// EUI is the forwarder's gateway EUI.
func (f *Forwarder) EUI() gwmp.EUI { return f.cfg.EUI }

// Stats is a snapshot of the counters.
func (f *Forwarder) Stats() Stats {
	return Stats{
		PullData: f.pullData.Load(), PullAck: f.pullAck.Load(), PushData: f.pushData.Load(), PushAck: f.pushAck.Load(),
		PullResp: f.pullResp.Load(), TxAck: f.txAck.Load(), Transmitted: f.transmitted.Load(), BadDownlink: f.badDown.Load(),
	}
}

func token() uint16 { return uint16(rand.Uint32()) }

// keepAlive sends PULL_DATA at once and every KeepAlive, and a status
// report every StatInterval.
func (f *Forwarder) keepAlive(ctx context.Context) {
	defer f.wg.Done()
	pull := time.NewTicker(f.cfg.KeepAlive)
	stat := time.NewTicker(f.cfg.StatInterval)
	defer pull.Stop()
	defer stat.Stop()
	f.sendPull()
	for {
		select {
		case <-ctx.Done():
			return
		case <-pull.C:
			f.sendPull()
		case <-stat.C:
			f.push(gwmp.PushDataBody{Stat: &gwmp.Stat{
				Time: time.Now().UTC().Format("2006-01-02 15:04:05 UTC"), Rxnb: f.rxnb.Load(), Rxok: f.rxnb.Load(), Rxfw: f.rxnb.Load(),
				Ackr: "100.0", Dwnb: uint64(f.pullResp.Load()), Txnb: f.txnb.Load(),
			}})
		}
	}
}

func (f *Forwarder) sendPull() {
	if _, err := f.down.Write(gwmp.EncodePullData(token(), f.cfg.EUI)); err == nil {
		f.pullData.Add(1)
	}
}

func (f *Forwarder) push(body gwmp.PushDataBody) error {
	_, err := f.up.Write(gwmp.EncodePushData(token(), f.cfg.EUI, body))
	if err == nil {
		f.pushData.Add(1)
	}
	return err
}

// SendUp writes raw bytes on the upstream socket (malformed datagrams).
// A TX_ACK sent this way does not come from the downstream socket, so a
// server answers it only by counting it (unexpected_tx_ack, wrong_port).
func (f *Forwarder) SendUp(raw []byte) error {
	_, err := f.up.Write(raw)
	return err
}

// readUp counts PUSH_ACKs. A refused datagram (nobody listening yet)
// surfaces here as a read error; the forwarder goes on, as lora_pkt_fwd does.
func (f *Forwarder) readUp() {
	defer f.wg.Done()
	buf := make([]byte, gwmp.MaxDatagramBytes)
	for {
		n, err := f.up.Read(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		if d, err := gwmp.Decode(buf[:n]); err == nil && d.Type == gwmp.PushAck {
			f.pushAck.Add(1)
		}
	}
}

// readDown takes PULL_ACKs and PULL_RESPs; each PULL_RESP gets a TX_ACK
// with its token.
func (f *Forwarder) readDown() {
	defer f.wg.Done()
	buf := make([]byte, gwmp.MaxDatagramBytes)
	for {
		n, err := f.down.Read(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		d, err := gwmp.Decode(buf[:n])
		if err != nil {
			f.badDown.Add(1)
			continue
		}
		switch d.Type {
		case gwmp.PullAck:
			f.pullAck.Add(1)
		case gwmp.PullResp:
			f.pullResp.Add(1)
			f.transmit(d)
		default:
			f.badDown.Add(1)
		}
	}
}

func (f *Forwarder) transmit(d gwmp.Datagram) {
	tx, err := gwmp.DecodePullResp(d)
	var res gwmp.TxAckResult
	switch {
	case err != nil:
		f.badDown.Add(1)
		res.Error = "TX_FREQ" // lora_pkt_fwd has no error for bad JSON; any error will do
	case f.cfg.TxAckError != "":
		res.Error = f.cfg.TxAckError
	case f.cfg.WarnPowerDBm != 0:
		v := f.cfg.WarnPowerDBm
		tx.Powe = v
		res = gwmp.TxAckResult{Warn: "TX_POWER", Value: &v}
	case f.cfg.MaxPowerDBm != 0 && tx.Powe > f.cfg.MaxPowerDBm:
		v := f.cfg.MaxPowerDBm
		tx.Powe = v
		res = gwmp.TxAckResult{Warn: "TX_POWER", Value: &v}
	}
	if _, err := f.down.Write(gwmp.EncodeTxAck(d.Token, f.cfg.EUI, res)); err == nil {
		f.txAck.Add(1)
	}
	if !res.OK() {
		return
	}
	f.transmitted.Add(1)
	f.txnb.Add(1)
	if f.cfg.OnTransmit != nil {
		f.cfg.OnTransmit(f, tx)
	}
}

// Reception is what a receiving radio measured.
type Reception struct {
	RSSIDBm float64
	SNRDB   float64
}

// Receive pushes a packet as the concentrator received it: PUSH_DATA with
// one rxpk written as lora_pkt_fwd writes it (freq with 6 decimals, rssis
// and rssi rounded to 1 dB, lsnr to 0.1 dB, tmst the µs counter, time only
// with GPS). It returns the rxpk sent.
func (f *Forwarder) Receive(tx gwmp.TXPK, r Reception) (gwmp.RXPK, error) {
	hz, err := gwmp.MHzToHz(tx.Freq)
	if err != nil {
		return gwmp.RXPK{}, err
	}
	now := time.Now()
	p := gwmp.RXPK{
		Tmst: uint32(now.Sub(f.start).Microseconds()), Freq: formatFreq(hz), Chan: 0, RFCh: 0, Stat: 1, Modu: tx.Modu,
		DatR: tx.DatR, CodR: tx.CodR, RSSIS: dB(r.RSSIDBm, 0), RSSI: dB(r.RSSIDBm+1, 0), LSNR: dB(r.SNRDB, 1),
		FOff: "-1209", Size: tx.Size, Data: tx.Data, Jver: 1,
	}
	if f.cfg.GPS {
		p.Time = gwmp.FormatTime(now)
	}
	f.rxnb.Add(1)
	return p, f.push(gwmp.PushDataBody{RXPK: []gwmp.RXPK{p}})
}

// PushRX pushes arbitrary received packets.
func (f *Forwarder) PushRX(ps ...gwmp.RXPK) error {
	f.rxnb.Add(uint64(len(ps)))
	return f.push(gwmp.PushDataBody{RXPK: ps})
}

// formatFreq is lora_pkt_fwd's "%.6lf" of the frequency in MHz.
func formatFreq(hz uint64) jsonNumber {
	return jsonNumber(fmt.Sprintf("%d.%06d", hz/1_000_000, hz%1_000_000))
}

// dB formats a level as the C forwarder's "%.Nf" would.
func dB(v float64, decimals int) jsonNumber {
	if decimals == 0 {
		return jsonNumber(fmt.Sprintf("%.0f", math.Round(v)))
	}
	return jsonNumber(fmt.Sprintf("%.*f", decimals, v))
}
