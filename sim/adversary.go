package sim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/uber/h3-go/v4"
	"google.golang.org/grpc"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/x/hotspot/keyfile"
	rewardstypes "github.com/pocnet/pocd/x/rewards/types"
)

// Adversary kinds (--adversaries): one hotspot or actor of each, on top of
// the fleet. Unlike the cheaters, each targets a protocol rule rather than
// the physical checks; docs/simulator.md lists the defence each meets.
const (
	// FrontRunner is a funded outsider account that relays MsgSubmitPoc
	// with forged and witness-stripped copies of beacons it learns of.
	FrontRunner Kind = "front-runner"
	// BackDater witnesses what it hears, signing its timestamp
	// BackDateLead before the beacon's.
	BackDater Kind = "back-dater"
	// VirtualWitness is asserted in the city with no radio: it listens to
	// gossip and witnesses every beacon named by a sealed report, signing
	// over a guessed payload (and again, late, once the window closed).
	VirtualWitness Kind = "virtual-witness"
	// PowerInflater beacons declaring PowerInflateDB over the region's
	// conducted-power bound.
	PowerInflater Kind = "power-inflater"
	// IntervalSkipper beacons twice per interval, timestamps in buckets
	// k+1 then k.
	IntervalSkipper Kind = "interval-skipper"
	// CrossReplayer witnesses what it hears, then re-publishes its own
	// reports re-labelled for other beacons, and byte for byte.
	CrossReplayer Kind = "cross-replayer"
	// Sybil is SybilKeys extra keys asserted within SybilMaxOffsetM of a
	// real (honest) hotspot, witnessing its beacons and it theirs.
	Sybil Kind = "sybil"
	// Flooder floods the witness topic with junk at FloodRate and delivers
	// junk beacons.
	Flooder Kind = "flooder"
	// ModuleTransfer is the owner trying to transfer a hotspot to module
	// accounts (security.md attack 8).
	ModuleTransfer Kind = "module-transfer"
)

// AdversaryKinds in the order they are reported.
var AdversaryKinds = []Kind{FrontRunner, BackDater, VirtualWitness, PowerInflater, IntervalSkipper, CrossReplayer, Sybil, Flooder, ModuleTransfer}

// adversaryHotspots are the adversary kinds that are hotspots on chain, in
// the order AddAdversaries appends them (Sybil SybilKeys times).
var adversaryHotspots = []Kind{BackDater, VirtualWitness, PowerInflater, IntervalSkipper, CrossReplayer}

// The adversaries' constants (docs/simulator.md).
const (
	BackDateLead      = 3 * time.Second
	PowerInflateDB    = 5
	SybilKeys         = 2
	SybilMaxOffsetM   = 100
	FloodRate         = 200 // junk witness reports per second
	FloodBeaconRate   = 2   // junk beacon deliveries per second
	LateWitnessDelay  = 10 * time.Second
	CrossReplayMaxAge = 20 * time.Second // own reports re-labelled while still fresh at ingest
	FrontRunnerFund   = 100_000_000      // bones (1 HNT) for its fees
)

// IsAdversary reports whether k is one of the adversary kinds.
func IsAdversary(k Kind) bool {
	for _, a := range AdversaryKinds {
		if a == k {
			return true
		}
	}
	return false
}

// SybilHost is the index of the honest hotspot the sybil keys surround: the
// first honest hotspot of the fleet.
func SybilHost(fleet []*Hotspot) int {
	for i, h := range fleet {
		if h.Kind == Honest {
			return i
		}
	}
	return -1
}

// SybilPlacement places n keys around host, each within maxM (at 40 % to
// 90 % of it), spread over the compass.
func SybilPlacement(host LatLng, n int, maxM float64, rng *mrand.Rand) []LatLng {
	out := make([]LatLng, n)
	for k := range out {
		d := maxM * (0.4 + 0.5*rng.Float64())
		out[k] = Offset(host, d, 360*float64(k)/float64(n)+rng.Float64()*30)
	}
	return out
}

// SkipperTimestamps are the interval skipper's two beacon timestamps at
// now: one in the next interval bucket (k+1), then one in the current (k).
func SkipperTimestamps(now time.Time, interval time.Duration) [2]time.Time {
	return [2]time.Time{now.Add(interval), now}
}

// Bucket is the interval bucket of a timestamp (the chain's rule:
// timestamp_ms / beacon_interval_ms).
func Bucket(ts time.Time, interval time.Duration) int64 {
	return ts.UnixMilli() / interval.Milliseconds()
}

// AddAdversaries appends the adversary hotspots to a fleet: one each of
// the in-city kinds, asserted where they stand, and the sybil keys around
// the first honest hotspot. Layout and keys are deterministic from the
// seed, and do not move the fleet's own hotspots.
func AddAdversaries(fleet []*Hotspot, spec FleetSpec) ([]*Hotspot, error) {
	host := SybilHost(fleet)
	if host < 0 {
		return nil, fmt.Errorf("adversaries need an honest hotspot for the sybil keys")
	}
	rng := mrand.New(mrand.NewPCG(spec.Seed, 0xadf0e))
	var taken []LatLng
	for _, h := range fleet {
		taken = append(taken, h.Physical)
	}
	pos := scatter(rng, spec.City.Center, spec.City.RadiusM, MinSeparationM, len(adversaryHotspots), taken)
	type slot struct {
		kind Kind
		at   LatLng
		name string
	}
	var slots []slot
	for i, k := range adversaryHotspots {
		slots = append(slots, slot{k, pos[i], string(k)})
	}
	for i, p := range SybilPlacement(fleet[host].Asserted, SybilKeys, SybilMaxOffsetM, rng) {
		slots = append(slots, slot{Sybil, p, fmt.Sprintf("sybil-%d", i)})
	}
	for _, s := range slots {
		h := &Hotspot{Index: len(fleet), Kind: s.kind, Physical: s.at, Asserted: s.at}
		if s.kind == Sybil {
			h.SybilOf = host
		}
		c, err := h3.LatLngToCell(h3.NewLatLng(h.Asserted.Lat, h.Asserted.Lng), 12)
		if err != nil {
			return nil, err
		}
		h.Cell = c.String()
		path := filepath.Join(spec.KeyDir, "adversary-"+s.name+".key")
		key, err := keyfile.Load(path)
		if os.IsNotExist(err) {
			key, err = keyfile.Generate(path)
		}
		if err != nil {
			return nil, err
		}
		h.Key, h.Address = key, key.Address()
		fleet = append(fleet, h)
	}
	return fleet, nil
}

// NewFrontRunner makes the front-runner's account (a fresh key in memory),
// funds it from the owner with FrontRunnerFund for its fees, and returns
// its signer.
func NewFrontRunner(ctx context.Context, conn *grpc.ClientConn, owner *chainclient.Signer, chainID, gasPrices string) (*chainclient.Signer, error) {
	enc := params.MakeClientEncoding()
	kr := keyring.NewInMemory(enc.Codec)
	if _, _, err := kr.NewMnemonic("front-runner", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1); err != nil {
		return nil, err
	}
	fr, err := chainclient.NewSigner(conn, enc, kr, "front-runner", chainID, chainclient.Pricing{GasPrices: gasPrices})
	if err != nil {
		return nil, err
	}
	send := &banktypes.MsgSend{FromAddress: owner.Address(), ToAddress: fr.Address(),
		Amount: sdk.NewCoins(sdk.NewInt64Coin(params.BondDenom, FrontRunnerFund))}
	res, err := owner.Broadcast(ctx, 200_000, send)
	if err != nil {
		return nil, err
	}
	if !res.OK() {
		return nil, fmt.Errorf("funding the front-runner refused: %s code %d: %s", res.Codespace, res.Code, res.Log)
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := chainclient.WaitTx(wctx, conn, res.TxHash); err != nil {
		return nil, fmt.Errorf("funding the front-runner: %w", err)
	}
	return fr, nil
}

// moduleAccounts are the module accounts the bank refuses to send to, which
// the module-transfer adversary tries in turn.
var moduleAccounts = []string{distrtypes.ModuleName, rewardstypes.ModuleName, authtypes.FeeCollectorName, stakingtypes.BondedPoolName}

// AdversaryFigures is what one adversary kind did and got.
type AdversaryFigures struct {
	Hotspots int `json:"hotspots"` // its keys on chain (0: an account or a bare peer)
	// Sent: reports (beacons and witness reports) or transactions.
	Sent int `json:"sent"`
	// IngestAccepted: beacon deliveries a validator acknowledged ACCEPTED.
	IngestAccepted int `json:"ingest_accepted"`
	// Accepted: beacons and witness reports valid on chain, transactions
	// that succeeded.
	Accepted int `json:"accepted"`
	// Outcomes by "what:reason": beacon_ingest (the validator's answer),
	// beacon / witness (the chain's verdict, not_on_chain if it never
	// recorded one; a variant such as relabelled or guess prefixes it), tx
	// (codespace/code of a refusal).
	Outcomes map[string]int `json:"outcomes"`
	// Observed: what it learned (gossip messages, chain reads).
	Observed map[string]int `json:"observed,omitempty"`
	// EarnedBones: x/rewards paid or settled to its hotspots; EarnedHNT the
	// same in HNT.
	EarnedBones int64   `json:"earned_bones"`
	EarnedHNT   float64 `json:"earned_hnt"`
	// MaxEarnedHNT: its best-paid hotspot.
	MaxEarnedHNT float64 `json:"max_earned_hnt"`
}

func (f *AdversaryFigures) outcome(what, reason string) {
	if f.Outcomes == nil {
		f.Outcomes = map[string]int{}
	}
	f.Outcomes[what+":"+reason]++
}

func (f *AdversaryFigures) observe(what string, n int) {
	if f.Observed == nil {
		f.Observed = map[string]int{}
	}
	f.Observed[what] += n
}

var refusedRe = regexp.MustCompile(`beacon refused: ([a-z_]+)`)

// ackReason names a beacon delivery's outcome: accepted, the validator's
// refusal reason, or error.
func ackReason(err error) string {
	if err == nil {
		return "accepted"
	}
	if m := refusedRe.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return "error"
}

func bonesToHNT(b int64) float64 { return float64(b) / math.Pow10(params.DisplayExponent) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func newKey() ed25519.PrivateKey {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	return priv
}
