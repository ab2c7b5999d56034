package verify

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/geo"
)

// fakeChain is an in-memory Chain for tests; apply() records a verdict's
// effects the way the keeper does.
type fakeChain struct {
	hotspots    map[string]Hotspot // by pubkey
	keys        map[string]ed25519.PrivateKey
	plans       map[string]RegionPlan
	denied      map[string]bool
	deniedEdges map[[2]string]bool
	blocks      map[int64][]byte
	blockTimes  map[int64]int64
	bucket      map[string]int64
	lastWitness map[string]int64
	lastBeacon  map[string]int64
}

var us915 = RegionPlan{
	Channels:    []uint64{903_900_000, 904_100_000, 904_300_000, 904_500_000, 904_700_000, 904_900_000, 905_100_000, 905_300_000},
	DataRate:    "SF9BW125",
	MaxEIRPDdbm: 360,
}

func newFakeChain() *fakeChain {
	c := &fakeChain{
		hotspots: map[string]Hotspot{}, keys: map[string]ed25519.PrivateKey{},
		plans:  map[string]RegionPlan{"US915": us915, "EU868": {Channels: []uint64{868_100_000}, DataRate: "SF12BW125", MaxEIRPDdbm: 160}},
		denied: map[string]bool{}, deniedEdges: map[[2]string]bool{},
		blocks: map[int64][]byte{}, blockTimes: map[int64]int64{},
		bucket: map[string]int64{}, lastWitness: map[string]int64{}, lastBeacon: map[string]int64{},
	}
	h := sha256.Sum256([]byte("block 100"))
	c.blocks[100] = h[:]
	c.blockTimes[100] = 1_700_000_000_000
	return c
}

func (c *fakeChain) Hotspot(pub []byte) (Hotspot, bool) {
	h, ok := c.hotspots[string(pub)]
	return h, ok
}
func (c *fakeChain) RegionPlan(r string) (RegionPlan, bool) { p, ok := c.plans[r]; return p, ok }
func (c *fakeChain) Denied(a string) bool                   { return c.denied[a] }
func (c *fakeChain) DeniedEdge(a, b string) bool {
	return c.deniedEdges[[2]string{a, b}] || c.deniedEdges[[2]string{b, a}]
}
func (c *fakeChain) EntropyTimeMs(height int64, hash []byte) (int64, bool) {
	bh, ok := c.blocks[height]
	if !ok || string(bh) != string(hash) {
		return 0, false
	}
	return c.blockTimes[height], true
}
func (c *fakeChain) LastBeaconBucket(a string) (int64, bool) { v, ok := c.bucket[a]; return v, ok }
func (c *fakeChain) LastWitnessMs(a string) (int64, bool)    { v, ok := c.lastWitness[a]; return v, ok }
func (c *fakeChain) LastBeaconMs(a string) (int64, bool)     { v, ok := c.lastBeacon[a]; return v, ok }

func (c *fakeChain) apply(v Verdict, nowMs int64) {
	if last, ok := c.bucket[v.Beaconer.Address]; v.UsedBucket && (!ok || v.Bucket > last) {
		c.bucket[v.Beaconer.Address] = v.Bucket
	}
	if v.BeaconCounts {
		c.lastBeacon[v.Beaconer.Address] = nowMs
	}
	for _, w := range v.Witnesses {
		if w.PassedPhysical {
			c.lastWitness[w.Address] = nowMs
		}
	}
}

// add registers a hotspot at a res-12 cell and returns its name.
func (c *fakeChain) add(name string, cell h3.Cell) string {
	seed := sha256.Sum256([]byte(name))
	k := ed25519.NewKeyFromSeed(seed[:])
	pub := string(k.Public().(ed25519.PublicKey))
	c.keys[name] = k
	c.hotspots[pub] = Hotspot{
		Address: name, Asserted: true, Location: uint64(cell), Center: geo.CellCenter(uint64(cell)),
		Gain: 12, Region: "US915",
	}
	return name
}

func (c *fakeChain) pub(name string) []byte { return []byte(c.keys[name].Public().(ed25519.PublicKey)) }

// seasoned marks hotspots as having recent beacons and witnesses, so that
// reciprocity passes.
func (c *fakeChain) seasoned(nowMs int64, names ...string) {
	for _, n := range names {
		c.lastWitness[n] = nowMs - 1000
		c.lastBeacon[n] = nowMs - 1000
	}
}

const beaconTs = 1_700_000_010_000 // ms, 10 s after the entropy block

func (c *fakeChain) beacon(name string, tsMs int64) *Beacon {
	local := []byte{1, 2, 3, 4}
	payload := BeaconPayload(c.blocks[100], c.pub(name), local, 51)
	b := &Beacon{
		Pubkey: c.pub(name), EntropyHeight: 100, EntropyHash: c.blocks[100], LocalEntropy: local,
		Payload: payload, FrequencyHz: us915.Channels[BeaconChannel(payload, len(us915.Channels))],
		DataRate: us915.DataRate, TxPowerDBm: 27, TimestampNs: tsMs * 1e6, Tmst: 7,
	}
	b.Signature = ed25519.Sign(c.keys[name], b.SignBytes())
	return b
}

func (c *fakeChain) witness(name string, b *Beacon, tsMs int64, rssi int32, edit ...func(*Witness)) Witness {
	w := Witness{
		Pubkey: c.pub(name), Payload: b.Payload, RSSIDdbm: rssi, SNRDdb: 55,
		FrequencyHz: b.FrequencyHz, DataRate: b.DataRate, TimestampNs: tsMs * 1e6, Tmst: 9,
	}
	for _, e := range edit {
		e(&w)
	}
	w.Signature = ed25519.Sign(c.keys[name], w.SignBytes())
	return w
}

// cellAt places a res-12 cell at a bearing and distance from a point.
func cellAt(t testing.TB, lat, lng, km, bearingDeg float64) h3.Cell {
	t.Helper()
	const R = 6371.007180918475
	la, lo, br, d := lat*math.Pi/180, lng*math.Pi/180, bearingDeg*math.Pi/180, km/R
	la2 := math.Asin(math.Sin(la)*math.Cos(d) + math.Cos(la)*math.Sin(d)*math.Cos(br))
	lo2 := lo + math.Atan2(math.Sin(br)*math.Sin(d)*math.Cos(la), math.Cos(d)-math.Sin(la)*math.Sin(la2))
	c, err := h3.LatLngToCell(h3.NewLatLng(la2*180/math.Pi, lo2*180/math.Pi), 12)
	require.NoError(t, err)
	return c
}

// ringCell returns the res-12 centre child of a res-11 cell exactly k grid
// steps from the res-11 parent of origin.
func ringCell(t testing.TB, origin h3.Cell, k int) h3.Cell {
	t.Helper()
	p, err := origin.Parent(11)
	require.NoError(t, err)
	ring, err := p.GridRing(k)
	require.NoError(t, err)
	c, err := ring[0].CenterChild(12)
	require.NoError(t, err)
	return c
}

const sfLat, sfLng = 37.7749, -122.4194

func sfCell(t testing.TB) h3.Cell { return cellAt(t, sfLat, sfLng, 0, 0) }

func names(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}
