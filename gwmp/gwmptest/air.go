package gwmptest

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/pocnet/pocd/gwmp"
)

type jsonNumber = json.Number

// Delivery is one packet the Air delivered.
type Delivery struct {
	From, To int // indexes of the forwarders in the Air
	TX       gwmp.TXPK
	RX       gwmp.RXPK // as pushed to the receiver's server
}

// Air joins forwarders: what one transmits reaches the others that
// Propagate says hear it, Airtime after the TX_ACK (the packet is received
// when its transmission ends).
type Air struct {
	// Propagate decides whether forwarder to hears a packet from forwarder
	// from, and how strongly.
	Propagate func(from, to int, tx gwmp.TXPK) (Reception, bool)
	// Airtime is how long a transmission lasts (0: delivered at once).
	Airtime func(tx gwmp.TXPK) time.Duration

	mu         sync.Mutex
	forwarders []*Forwarder
	deliveries []Delivery
	errs       []error
}

// Join adds a forwarder config to the air: its OnTransmit is set to
// broadcast. Use the returned config with Start, then Attach the forwarder
// under the index returned.
func (a *Air) Join(cfg Config) (Config, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i := len(a.forwarders)
	a.forwarders = append(a.forwarders, nil)
	cfg.OnTransmit = func(_ *Forwarder, tx gwmp.TXPK) { a.broadcast(i, tx) }
	return cfg, i
}

// Attach registers a started forwarder under its Join index.
func (a *Air) Attach(i int, f *Forwarder) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.forwarders[i] = f
}

func (a *Air) broadcast(from int, tx gwmp.TXPK) {
	deliver := func() {
		a.mu.Lock()
		fs := append([]*Forwarder(nil), a.forwarders...)
		a.mu.Unlock()
		for to, f := range fs {
			if to == from || f == nil {
				continue
			}
			r, heard := a.Propagate(from, to, tx)
			if !heard {
				continue
			}
			rx, err := f.Receive(tx, r)
			a.mu.Lock()
			if err != nil {
				a.errs = append(a.errs, err)
			} else {
				a.deliveries = append(a.deliveries, Delivery{From: from, To: to, TX: tx, RX: rx})
			}
			a.mu.Unlock()
		}
	}
	var d time.Duration
	if a.Airtime != nil {
		d = a.Airtime(tx)
	}
	time.AfterFunc(d, deliver)
}

// Deliveries is every packet delivered so far.
func (a *Air) Deliveries() []Delivery {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Delivery(nil), a.deliveries...)
}

// Errors are failures to push a delivery.
func (a *Air) Errors() []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]error(nil), a.errs...)
}
