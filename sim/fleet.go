package sim

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/x/hotspot/keyfile"
)

// Kind is a hotspot's behaviour.
type Kind string

const (
	Honest Kind = "honest"
	// Spoof hotspots sit in the city but assert a location SpoofDistanceM
	// away (each in a different direction), and witness what they really
	// hear.
	Spoof Kind = "spoof"
	// Inflate hotspots witness what they hear but claim a signal
	// InflateDB stronger (capped at InflateCapDBm), to look close.
	Inflate Kind = "inflate"
	// Fabricate hotspots sit (and assert honestly) in a town
	// FabricateDistanceM away, hear nothing of the fleet, and publish
	// witness reports for beacons they learn about from gossip.
	Fabricate Kind = "fabricate"
	// Replay hotspots eavesdrop on gossip and re-publish other hotspots'
	// beacon and witness reports, byte for byte, ReplayAge later, hoping
	// for a second credit. They neither beacon nor witness themselves.
	Replay Kind = "replay"
	// Farm hotspots are a colluding group in one room of a city
	// FarmDistanceM away, asserted kilometres apart across that city, and
	// witness each other's beacons through the air.
	Farm Kind = "farm"
)

// CheatKinds in the order cheaters are assigned.
var CheatKinds = []Kind{Farm, Spoof, Inflate, Fabricate, Replay}

// The cheats' constants (docs/simulator.md).
const (
	SpoofDistanceM     = 300_000
	InflateDB          = 70
	InflateCapDBm      = -20
	FabricateDistanceM = 150_000
	FabricateShare     = 0.5 // of the fleet's beacons each fabricator claims
	FarmDistanceM      = 400_000
	FarmRoomM          = 3
	FarmSpreadM        = 5_000
	FarmMinSepM        = 1_000
	MinSeparationM     = 400 // honest placement: beyond the chain's too-close rule
)

// City is a preset: centre, radius of the fleet, LoRa region.
type City struct {
	Name    string
	Center  LatLng
	RadiusM float64
	Region  string
}

// Cities are the built-in presets.
var Cities = map[string]City{
	"sf":     {"San Francisco", LatLng{37.7749, -122.4194}, 5000, "US915"},
	"nyc":    {"New York", LatLng{40.7128, -74.0060}, 6000, "US915"},
	"london": {"London", LatLng{51.5072, -0.1276}, 6000, "EU868"},
	"berlin": {"Berlin", LatLng{52.5200, 13.4050}, 6000, "EU868"},
}

// Hotspot is one virtual hotspot.
type Hotspot struct {
	Index    int
	Kind     Kind
	Key      keyfile.Key
	Address  string
	Physical LatLng // where its radio is
	Asserted LatLng // what it claims on chain
	Cell     string // asserted H3 cell, resolution 12
	SybilOf  int    // sybil keys: the index of the real hotspot they surround
}

// FleetSpec describes a fleet.
type FleetSpec struct {
	City         City
	Coordinates  []LatLng // if set, in-city hotspots use these positions in order
	Size         int
	CheaterShare float64
	Seed         uint64
	KeyDir       string // keys persist here, so reruns reuse the same hotspots
}

// ReadCoordinates reads "lat,lng" lines (blank lines and # comments skipped).
func ReadCoordinates(path string) ([]LatLng, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []LatLng
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ",")
		if len(parts) < 2 {
			return nil, fmt.Errorf("%s:%d: want lat,lng", path, n)
		}
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
		lng, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			return nil, fmt.Errorf("%s:%d: bad coordinates %q", path, n, line)
		}
		out = append(out, LatLng{lat, lng})
	}
	return out, sc.Err()
}

// BuildFleet lays out the fleet deterministically from the seed and loads
// (or creates) each hotspot's key.
func BuildFleet(spec FleetSpec) ([]*Hotspot, error) {
	if spec.Size < 2 {
		return nil, fmt.Errorf("a fleet needs at least 2 hotspots")
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 0x5eed))
	cheaters := int(float64(spec.Size)*spec.CheaterShare + 0.5)
	if cheaters > spec.Size-2 {
		cheaters = spec.Size - 2
	}
	kinds := make([]Kind, spec.Size)
	for i := range kinds {
		kinds[i] = Honest
	}
	counts := map[Kind]int{}
	for i := 0; i < cheaters; i++ {
		k := CheatKinds[i%len(CheatKinds)]
		counts[k]++
		kinds[spec.Size-cheaters+i] = k
	}
	// A farm of one cannot collude: give a lone farmer to spoofing.
	if counts[Farm] == 1 {
		for i := range kinds {
			if kinds[i] == Farm {
				kinds[i] = Spoof
			}
		}
	}
	// Order kinds so positions do not depend on the assignment order.
	sort.SliceStable(kinds, func(i, j int) bool { return kinds[i] == Honest && kinds[j] != Honest })

	inCity := 0
	for _, k := range kinds {
		if k != Fabricate && k != Farm {
			inCity++
		}
	}
	cityPos := spec.Coordinates
	if len(cityPos) < inCity {
		cityPos = append(append([]LatLng(nil), cityPos...), scatter(rng, spec.City.Center, spec.City.RadiusM, MinSeparationM, inCity-len(cityPos), cityPos)...)
	}
	farmCity := Offset(spec.City.Center, FarmDistanceM, 180)
	fabTown := Offset(spec.City.Center, FabricateDistanceM, 90)
	var farmAsserted []LatLng
	spoofers, spoofed := counts[Spoof], 0
	if counts[Farm] == 1 {
		spoofers++
	}

	if err := os.MkdirAll(spec.KeyDir, 0o700); err != nil {
		return nil, err
	}
	fleet := make([]*Hotspot, spec.Size)
	next := 0
	for i, k := range kinds {
		h := &Hotspot{Index: i, Kind: k}
		switch k {
		case Fabricate:
			h.Physical = scatter(rng, fabTown, 2000, MinSeparationM, 1, nil)[0]
			h.Asserted = h.Physical
		case Farm:
			h.Physical = Offset(farmCity, FarmRoomM*rng.Float64(), rng.Float64()*360)
			p := scatter(rng, farmCity, FarmSpreadM, FarmMinSepM, 1, farmAsserted)[0]
			farmAsserted = append(farmAsserted, p)
			h.Asserted = p
		default:
			h.Physical = cityPos[next]
			next++
			h.Asserted = h.Physical
			if k == Spoof {
				// Spread over the compass, so two spoofers' claims are far
				// apart from each other too.
				h.Asserted = Offset(h.Physical, SpoofDistanceM, 45+360*float64(spoofed)/float64(spoofers))
				spoofed++
			}
		}
		c, err := h3.LatLngToCell(h3.NewLatLng(h.Asserted.Lat, h.Asserted.Lng), 12)
		if err != nil {
			return nil, err
		}
		h.Cell = c.String()
		path := filepath.Join(spec.KeyDir, fmt.Sprintf("hotspot-%03d.key", i))
		key, err := keyfile.Load(path)
		if os.IsNotExist(err) {
			key, err = keyfile.Generate(path)
		}
		if err != nil {
			return nil, err
		}
		h.Key, h.Address = key, key.Address()
		fleet[i] = h
	}
	return fleet, nil
}
