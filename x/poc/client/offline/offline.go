// Package offline judges PoC scenarios without a chain, for operators
// (`pocd poc check`, `pocd poc hex-scale`). It runs the same rules as the
// chain (package verify); what needs chain history cannot be checked here.
package offline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/pocnet/pocd/geo"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// Scenario is the input of `pocd poc check`.
type Scenario struct {
	Hotspots  []ScenarioHotspot `json:"hotspots"`
	Beacon    ScenarioBeacon    `json:"beacon"`
	Witnesses []ScenarioWitness `json:"witnesses"`
	// SelectionSeedHex is the 32-byte seed the witnesses are drawn with
	// when more than 14 are valid: the chain's is SHA-256(closing block
	// hash || beacon ID), stored in the PoC record as selection_seed.
	// Default: SHA-256 of 32 zero bytes and the beacon ID.
	SelectionSeedHex string `json:"selection_seed_hex,omitempty"`
}

// ScenarioHotspot is a hotspot as registered. pubkey_hex is needed only to
// check signatures.
type ScenarioHotspot struct {
	Name      string `json:"name"`
	Location  string `json:"location"`
	Gain      int32  `json:"gain"`
	Elevation int32  `json:"elevation"`
	Region    string `json:"region"`
	Mode      string `json:"mode"`
	PubkeyHex string `json:"pubkey_hex,omitempty"`
}

// ScenarioBeacon is a beacon. The optional fields complete the sign bytes
// when signatures are checked.
type ScenarioBeacon struct {
	Hotspot         string `json:"hotspot"`
	FrequencyHz     uint64 `json:"frequency_hz"`
	TxPowerDBm      int32  `json:"tx_power_dbm"`
	TimestampMs     int64  `json:"timestamp_ms"`
	PayloadHex      string `json:"payload_hex"`
	DataRate        string `json:"data_rate,omitempty"`
	EntropyHeight   int64  `json:"entropy_height,omitempty"`
	EntropyHashHex  string `json:"entropy_hash_hex,omitempty"`
	LocalEntropyHex string `json:"local_entropy_hex,omitempty"`
	Tmst            uint32 `json:"tmst,omitempty"`
	SignatureHex    string `json:"signature_hex,omitempty"`
}

// ScenarioWitness is a witness report.
type ScenarioWitness struct {
	Hotspot      string `json:"hotspot"`
	RSSIDdbm     int32  `json:"rssi_ddbm"`
	SNRDdb       int32  `json:"snr_ddb"`
	FrequencyHz  uint64 `json:"frequency_hz"`
	TimestampMs  int64  `json:"timestamp_ms"`
	PayloadHex   string `json:"payload_hex"`
	DataRate     string `json:"data_rate,omitempty"`
	Tmst         uint32 `json:"tmst,omitempty"`
	SignatureHex string `json:"signature_hex,omitempty"`
}

// Result is the output of `pocd poc check`.
type Result struct {
	Beacon        BeaconResult    `json:"beacon"`
	SelectionSeed string          `json:"selection_seed"`
	Witnesses     []WitnessResult `json:"witnesses"`
	HexScale      json.Number     `json:"hex_scale"`
}

// BeaconResult is the beacon's verdict.
type BeaconResult struct {
	Valid      bool        `json:"valid"`
	Reason     string      `json:"reason"`
	RewardUnit json.Number `json:"reward_unit"`
}

// WitnessResult is one witness's verdict, in input order.
type WitnessResult struct {
	Hotspot    string       `json:"hotspot"`
	Valid      bool         `json:"valid"`
	Reason     string       `json:"reason"`
	DistanceM  uint64       `json:"distance_m"`
	MaxRSSIDBm *json.Number `json:"max_rssi_dbm"`
	Selected   bool         `json:"selected"`
	RewardUnit json.Number  `json:"reward_unit"`
}

// Fixed-point to JSON decimal, exactly.
func decimal(v int64, places int) json.Number {
	return json.Number(new(big.Rat).SetFrac64(v, pow10(places)).FloatString(places))
}

func pow10(n int) int64 {
	p := int64(1)
	for i := 0; i < n; i++ {
		p *= 10
	}
	return p
}

type scenarioChain struct {
	byKey map[string]verify.Hotspot
	plans map[string]verify.RegionPlan
}

func (c scenarioChain) Hotspot(pub []byte) (verify.Hotspot, bool) {
	h, ok := c.byKey[string(pub)]
	return h, ok
}
func (c scenarioChain) RegionPlan(r string) (verify.RegionPlan, bool) {
	p, ok := c.plans[r]
	return p, ok
}
func (scenarioChain) Denied(string) bool                        { return false }
func (scenarioChain) DeniedEdge(string, string) bool            { return false }
func (scenarioChain) EntropyTimeMs(int64, []byte) (int64, bool) { return 0, false }
func (scenarioChain) LastBeaconBucket(string) (int64, bool)     { return 0, false }
func (scenarioChain) LastWitnessMs(string) (int64, bool)        { return 0, false }
func (scenarioChain) LastBeaconMs(string) (int64, bool)         { return 0, false }

// pseudoKey stands in for a hotspot's key when signatures are not checked.
func pseudoKey(name string) []byte { h := sha256.Sum256([]byte("pocd/offline/" + name)); return h[:] }

func decodeHex(what, s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s: not hex: %w", what, err)
	}
	return b, nil
}

// Check judges a scenario. unsigned skips signature checks; the checks that
// need chain history (entropy, interval, reciprocity, denylist) are always
// skipped, since there is no chain.
func Check(s Scenario, unsigned bool) (Result, error) {
	plans := map[string]verify.RegionPlan{}
	for _, rp := range hotspottypes.DefaultRegionPlans() {
		plans[rp.Region] = verify.RegionPlan{Channels: rp.ChannelFrequenciesHz, DataRate: rp.DataRate, MaxEIRPDdbm: rp.MaxEirpDdbm}
	}
	chain := scenarioChain{byKey: map[string]verify.Hotspot{}, plans: plans}
	keys := map[string][]byte{}
	var locations []uint64
	for _, h := range s.Hotspots {
		cell, err := hotspottypes.ParseLocation(h.Location)
		if err != nil {
			return Result{}, fmt.Errorf("hotspot %s: %w", h.Name, err)
		}
		key := pseudoKey(h.Name)
		if !unsigned {
			if h.PubkeyHex == "" {
				return Result{}, fmt.Errorf("hotspot %s: pubkey_hex is required to check signatures (or use --unsigned)", h.Name)
			}
			if key, err = decodeHex("pubkey_hex of "+h.Name, h.PubkeyHex); err != nil {
				return Result{}, err
			}
		}
		mode := h.Mode
		if mode == "" {
			mode = "full"
		}
		m, err := hotspottypes.ParseHotspotMode(mode)
		if err != nil {
			return Result{}, fmt.Errorf("hotspot %s: %w", h.Name, err)
		}
		c := geo.CellCenter(uint64(cell))
		keys[h.Name] = key
		chain.byKey[string(key)] = verify.Hotspot{
			Address: h.Name, DataOnly: m == hotspottypes.HOTSPOT_MODE_DATA_ONLY, Asserted: true,
			Location: uint64(cell), Center: c, Gain: h.Gain, Region: h.Region,
		}
		locations = append(locations, uint64(cell))
	}
	keyOf := func(name string) []byte {
		if k, ok := keys[name]; ok {
			return k
		}
		return pseudoKey(name) // unknown hotspot: gateway_not_found
	}

	payload, err := decodeHex("beacon payload_hex", s.Beacon.PayloadHex)
	if err != nil {
		return Result{}, err
	}
	b := &verify.Beacon{
		Pubkey: keyOf(s.Beacon.Hotspot), Payload: payload, FrequencyHz: s.Beacon.FrequencyHz, DataRate: s.Beacon.DataRate,
		TxPowerDBm: s.Beacon.TxPowerDBm, TimestampNs: s.Beacon.TimestampMs * 1e6, EntropyHeight: s.Beacon.EntropyHeight, Tmst: s.Beacon.Tmst,
	}
	if b.EntropyHash, err = decodeHex("entropy_hash_hex", s.Beacon.EntropyHashHex); err != nil {
		return Result{}, err
	}
	if b.LocalEntropy, err = decodeHex("local_entropy_hex", s.Beacon.LocalEntropyHex); err != nil {
		return Result{}, err
	}
	if b.Signature, err = decodeHex("beacon signature_hex", s.Beacon.SignatureHex); err != nil {
		return Result{}, err
	}
	ws := make([]verify.Witness, len(s.Witnesses))
	for i, w := range s.Witnesses {
		p, err := decodeHex(fmt.Sprintf("witness %d payload_hex", i), w.PayloadHex)
		if err != nil {
			return Result{}, err
		}
		if len(p) == 0 {
			p = payload // as on chain: a report without a payload stands for the beacon's (WithPayload)
		}
		sig, err := decodeHex(fmt.Sprintf("witness %d signature_hex", i), w.SignatureHex)
		if err != nil {
			return Result{}, err
		}
		ws[i] = verify.Witness{
			Pubkey: keyOf(w.Hotspot), Payload: p, RSSIDdbm: w.RSSIDdbm, SNRDdb: w.SNRDdb, FrequencyHz: w.FrequencyHz,
			DataRate: w.DataRate, TimestampNs: w.TimestampMs * 1e6, Tmst: w.Tmst, Signature: sig,
		}
	}
	seed := verify.SelectionSeed(make([]byte, 32), b.ID())
	if s.SelectionSeedHex != "" {
		raw, err := decodeHex("selection_seed_hex", s.SelectionSeedHex)
		if err != nil {
			return Result{}, err
		}
		if len(raw) != 32 {
			return Result{}, fmt.Errorf("selection_seed_hex: want 32 bytes, got %d", len(raw))
		}
		copy(seed[:], raw)
	}
	v := verify.Judge(verify.DefaultParams(), chain, b, ws, s.Beacon.TimestampMs, seed, verify.Options{SkipSignatures: unsigned, SkipHistory: true})

	out := Result{
		Beacon: BeaconResult{Valid: v.BeaconReason == verify.Valid, Reason: v.BeaconReason.String(),
			RewardUnit: decimal(int64(v.BeaconRewardUnit), 4)},
		HexScale:      decimal(verify.DefaultScale, 4),
		SelectionSeed: hex.EncodeToString(seed[:]),
	}
	if v.BeaconerKnown {
		m, err := verify.NewHexDensityMap(verify.DefaultHexParams(), locations)
		if err != nil {
			return Result{}, err
		}
		out.HexScale = decimal(int64(m.Scale(v.Beaconer.Location)), 4)
	}
	for i, w := range v.Witnesses {
		r := WitnessResult{
			Hotspot: s.Witnesses[i].Hotspot, Valid: w.Reason == verify.Valid, Reason: w.Reason.String(),
			DistanceM: w.DistanceM, Selected: w.Selected, RewardUnit: decimal(int64(w.RewardUnit), 4),
		}
		if w.RSSIComputed {
			n := decimal(w.MaxRSSIMicroDBm, 6)
			r.MaxRSSIDBm = &n
		}
		out.Witnesses = append(out.Witnesses, r)
	}
	return out, nil
}

// HexInput is the input of `pocd poc hex-scale`.
type HexInput struct {
	Hotspots []struct {
		Name     string `json:"name"`
		Location string `json:"location"`
	} `json:"hotspots"`
}

// HexOutput lists every hotspot's scale.
type HexOutput struct {
	Hotspots []HexOutputHotspot `json:"hotspots"`
}

// HexOutputHotspot is one hotspot's scale.
type HexOutputHotspot struct {
	Name     string      `json:"name"`
	Location string      `json:"location"`
	Scale    json.Number `json:"scale"`
}

// HexScales treats every listed hotspot as active (several may share a
// cell) and returns each one's transmit scale, in input order.
func HexScales(in HexInput) (HexOutput, error) {
	locs := make([]uint64, len(in.Hotspots))
	for i, h := range in.Hotspots {
		c, err := hotspottypes.ParseLocation(h.Location)
		if err != nil {
			return HexOutput{}, fmt.Errorf("hotspot %s: %w", h.Name, err)
		}
		locs[i] = uint64(c)
	}
	m, err := verify.NewHexDensityMap(verify.DefaultHexParams(), locs)
	if err != nil {
		return HexOutput{}, err
	}
	out := HexOutput{Hotspots: []HexOutputHotspot{}}
	for i, h := range in.Hotspots {
		out.Hotspots = append(out.Hotspots, HexOutputHotspot{Name: h.Name, Location: h.Location, Scale: decimal(int64(m.Scale(locs[i])), 4)})
	}
	return out, nil
}
