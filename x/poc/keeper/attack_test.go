package keeper_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authcodec "github.com/cosmos/cosmos-sdk/x/auth/codec"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// The attacks of docs/security.md played against the keeper. Each names the
// attack it plays; each would succeed against the code before the fix.

// Attack 1a: any funded account could relay. Now only a bonded validator's
// registered relay account may, and the refusal changes nothing.
func TestAttackCensorshipByFirstRelayUnregisteredRelayer(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	good := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, good)
	beacon := f.beacon("beaconer", 1)
	m := f.msg(beacon) // zero witnesses: the censoring copy
	m.Relayer = bech([]byte("outsider____________"))
	before := f.snapshot(t)
	_, err := f.msgs.SubmitPoc(f.ctx, m)
	require.ErrorIs(t, err, types.ErrUnauthorizedRelayer)
	require.ErrorIs(t, f.k.CheckRelays(f.ctx, fakeTx{m}), types.ErrUnauthorizedRelayer, "refused in CheckTx")
	require.Equal(t, before, f.snapshot(t))

	// The honest relay is then judged normally.
	rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.Equal(t, types.REASON_VALID, rec.Reason)
	require.Equal(t, uint32(1), rec.Selected)
}

// Attack 1b: a copy of a gossiped beacon with a garbage signature was
// recorded as bad_signature under the real beacon's ID, and the honest PoC
// was refused as a duplicate forever.
func TestAttackCensorshipByFirstRelayForgedBeacon(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	beacon := f.beacon("beaconer", 1)
	forged := f.msg(beacon)
	forged.Beacon.Signature = make([]byte, 64)
	before := f.snapshot(t)
	_, err := f.msgs.SubmitPoc(f.ctx, forged)
	require.ErrorIs(t, err, types.ErrBadBeaconSignature)
	require.ErrorIs(t, f.k.CheckRelays(f.ctx, fakeTx{forged}), types.ErrBadBeaconSignature)
	require.Equal(t, before, f.snapshot(t), "no record, no ID used, no interval bucket used")

	rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.Equal(t, types.REASON_VALID, rec.Reason)
}

// Attack 1c: a registered but dishonest relayer relays the genuine beacon
// first with no witnesses (or hand-picked ones). The first relay no longer
// fixes the witness set: an honest validator's relay within the grace adds
// the reports it holds, and the PoC is judged once, when it closes.
func TestAttackCensorshipByFirstRelayEmptyWitnessSet(t *testing.T) {
	f := setup(t)
	dishonest := bech([]byte("dishonest_relayer___"))
	f.registerRelayer(t, bech([]byte("operator2___________")), dishonest)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	good := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.hotspot(t, "other", cellAt(t, 6, 120))
	f.seasoned(t, b, good)
	beacon := f.beacon("beaconer", 1)

	first := f.msg(beacon)
	first.Relayer = dishonest
	res, err := f.msgs.SubmitPoc(f.ctx, first)
	require.NoError(t, err)
	q, err := f.query.Poc(f.ctx, &types.QueryPocRequest{BeaconId: hexID(res.BeaconId)})
	require.NoError(t, err)
	require.True(t, q.Open)

	// Ten seconds later (still open) the honest validator's relay adds the report.
	f.ctx = f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).WithBlockTime(f.ctx.BlockTime().Add(10 * time.Second))
	_, err = f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.NoError(t, err)
	// Relaying the same report again adds nothing; a third validator's relay
	// of it adds nothing either but is listed, so its ingest knows it landed.
	_, err = f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.NoError(t, err)
	third := bech([]byte("third_relayer_______"))
	f.registerRelayer(t, bech([]byte("operator3___________")), third)
	copyOf := f.msg(beacon, f.witness("good", beacon, 300, -950))
	copyOf.Relayer = third
	_, err = f.msgs.SubmitPoc(f.ctx, copyOf)
	require.NoError(t, err)
	open, err := f.k.OpenPocs.Get(f.ctx, res.BeaconId)
	require.NoError(t, err)
	require.Len(t, open.Witnesses, 1)
	require.Len(t, open.Relays, 3)

	f.closeDue(t)
	rec, err := f.k.Pocs.Get(f.ctx, res.BeaconId)
	require.NoError(t, err)
	require.Equal(t, types.REASON_VALID, rec.Reason)
	require.Equal(t, uint32(1), rec.Selected)
	require.Equal(t, dishonest, rec.Relayer)
	require.Equal(t, []string{f.relayer, third}, rec.CoRelayers)
	sh, err := f.k.HotspotShares(f.ctx, 1, good)
	require.NoError(t, err)
	require.NotZero(t, sh.WitnessShares, "the honest witness is paid")

	// Once closed, further relays are refused.
	_, err = f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("other", beacon, 300, -950)))
	require.ErrorIs(t, err, types.ErrDuplicateBeacon)
}

// Attack 1d: a relay before the witness window can have closed could only
// fix a partial witness set; it is refused.
func TestAttackCensorshipByFirstRelayBeforeWindowCloses(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.seasoned(t, b)
	beacon := f.beacon("beaconer", 1)
	early := f.ctx.WithBlockTime(time.UnixMilli(beaconMs + types.DefaultParams().WitnessLagMs - 1))
	_, err := f.msgs.SubmitPoc(early, f.msg(beacon))
	require.ErrorIs(t, err, types.ErrRelayTooEarly)
	at := f.ctx.WithBlockTime(time.UnixMilli(beaconMs + types.DefaultParams().WitnessLagMs))
	_, err = f.msgs.SubmitPoc(at, f.msg(beacon))
	require.NoError(t, err)
}

// Attack 1e: dishonest relayers fill an open PoC to crowd out others'
// reports. Forgeries and reports signed by unregistered keys (which cost
// nothing) are not kept at all. Authentic reports of distinct registered
// hotspots count against the relaying validator's allowance, so rotating
// relay accounts gains nothing. Variants of one
// colluding hotspot's report (each field change is a new signature) keep
// one per witness, so a ring of validators flooding them cannot fill the
// PoC either. The honest validator's report still gets in and is selected.
func TestAttackCensorshipByFirstRelayJunkFlood(t *testing.T) {
	f := setup(t)
	op2 := bech([]byte("operator2___________"))
	dishonest := bech([]byte("dishonest_relayer___"))
	f.registerRelayer(t, op2, dishonest)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	colluder := f.hotspot(t, "colluder", cellAt(t, 5, 0))
	honest := f.hotspot(t, "honest", cellAt(t, 6, 120))
	f.seasoned(t, b, colluder, honest)
	beacon := f.beacon("beaconer", 1)
	allowance := int(types.DefaultParams().MaxWitnessesPerMsg)
	type junk int
	const (
		forged       junk = iota // the colluder's key, garbage signatures
		unregistered             // a fresh key per report, authentic
		sybils                   // a registered hotspot per report, authentic
		variants                 // the colluder's key, authentic, every report different
	)
	for i := range 2 * allowance {
		f.hotspot(t, fmt.Sprintf("sybil%d", i), cellAt(t, 4+float64(i%7), float64(i*5%360)))
	}
	flood := func(relayer string, from int, kind junk) *types.MsgSubmitPoc {
		m := f.msg(beacon)
		m.Relayer = relayer
		for i := from; i < from+allowance; i++ {
			name := "colluder"
			switch kind {
			case sybils:
				name = fmt.Sprintf("sybil%d", i)
			case unregistered:
				name = fmt.Sprintf("unregistered%d", i)
				seed := sha256.Sum256([]byte(name))
				f.keys[name] = ed25519.NewKeyFromSeed(seed[:])
			}
			w := f.witness(name, beacon, int64(i%1000), -950) // distinct timestamps
			if kind == forged {
				w.Signature = binary.BigEndian.AppendUint64(make([]byte, 56), uint64(i))
			}
			m.Witnesses = append(m.Witnesses, types.WitnessFromVerify(w))
		}
		return m
	}
	held := func() int {
		open, err := f.k.OpenPocs.Get(f.ctx, beaconID(beacon))
		require.NoError(t, err)
		return len(open.Witnesses)
	}
	_, err := f.msgs.SubmitPoc(f.ctx, flood(dishonest, 0, forged))
	require.NoError(t, err)
	require.Zero(t, held(), "forgeries are not kept")
	_, err = f.msgs.SubmitPoc(f.ctx, flood(dishonest, 0, unregistered))
	require.NoError(t, err)
	require.Zero(t, held(), "nor reports of unregistered keys")

	_, err = f.msgs.SubmitPoc(f.ctx, flood(dishonest, 0, sybils))
	require.NoError(t, err)
	require.Equal(t, allowance, held())
	rotated := bech([]byte("rotated_relayer_____"))
	f.registerRelayer(t, op2, rotated) // same validator, new account
	_, err = f.msgs.SubmitPoc(f.ctx, flood(rotated, allowance, sybils))
	require.NoError(t, err)
	require.Equal(t, allowance, held(), "the validator's allowance is used up, whatever account relays")

	// A ring: three more validators flood the colluder's variants, enough
	// to fill the PoC (4 x the allowance) if every variant were kept.
	for i := range 3 {
		op, relayer := bech([]byte(fmt.Sprintf("ring_operator_%d_____", i))), bech([]byte(fmt.Sprintf("ring_relayer_%d______", i)))
		f.registerRelayer(t, op, relayer)
		_, err = f.msgs.SubmitPoc(f.ctx, flood(relayer, (i+2)*allowance, variants))
		require.NoError(t, err)
	}
	require.Equal(t, allowance+1, held(), "one report of the colluder's, however many variants")

	_, err = f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("honest", beacon, 300, -950)))
	require.NoError(t, err)
	require.Equal(t, allowance+2, held(), "the honest report gets in")

	f.closeDue(t)
	ws, err := f.query.Witnesses(f.ctx, &types.QueryWitnessesRequest{Hotspot: b})
	require.NoError(t, err)
	got := map[string]types.WitnessRecord{}
	for _, w := range ws.Witnesses {
		got[w.Witness] = w
	}
	require.Equal(t, types.REASON_VALID, got[honest].Reason)
	require.True(t, got[honest].Selected)
}

// Attack 1f (found in review): a relayer added a witness's genuine report of
// another beacon, stamped earlier, so that the real report became a
// "duplicate". A report of another payload is not kept.
func TestAttackReplayedReportOfAnotherBeacon(t *testing.T) {
	f := setup(t)
	dishonest := bech([]byte("dishonest_relayer___"))
	f.registerRelayer(t, bech([]byte("operator2___________")), dishonest)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	good := f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b, good)
	old := f.beacon("beaconer", 9)
	beacon := f.beacon("beaconer", 1)
	replay := f.msg(beacon, f.witness("good", old, -500, -950)) // good's real report of another beacon
	replay.Relayer = dishonest
	_, err := f.msgs.SubmitPoc(f.ctx, replay)
	require.NoError(t, err)
	rec := f.judge(t, f.msg(beacon, f.witness("good", beacon, 300, -950)))
	require.Equal(t, uint32(1), rec.Selected)
	ws, err := f.query.Witnesses(f.ctx, &types.QueryWitnessesRequest{Hotspot: b})
	require.NoError(t, err)
	require.Len(t, ws.Witnesses, 1)
	require.Equal(t, types.REASON_VALID, ws.Witnesses[0].Reason)
}

// A relay of a beacon older than twice the entropy lifespan (long judged,
// perhaps pruned) is refused; one exactly that old is still relayed.
func TestStaleRelayIsRefused(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.seasoned(t, b)
	oldest := 2 * types.DefaultParams().EntropyLifespanMs
	late := f.ctx.WithBlockTime(time.UnixMilli(beaconMs + oldest + 1))
	_, err := f.msgs.SubmitPoc(late, f.msg(f.beacon("beaconer", 1)))
	require.ErrorIs(t, err, types.ErrStaleRelay)
	require.ErrorContains(t, err, fmt.Sprintf("is %d ms old", oldest+1))
	at := f.ctx.WithBlockTime(time.UnixMilli(beaconMs + oldest))
	_, err = f.msgs.SubmitPoc(at, f.msg(f.beacon("beaconer", 1)))
	require.NoError(t, err)
}

// Relaying is a privilege of bonded validators: a registration ends when the
// validator leaves the active set, and one account serves one validator.
func TestRelayerRegistrationFollowsTheActiveSet(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.seasoned(t, b)
	op, err := sdkAccBytes(f.operator)
	require.NoError(t, err)
	val := sdk.ValAddress(op)

	// Another validator cannot take over this relay account.
	other := bech([]byte("operator3___________"))
	o3, _ := sdkAccBytes(other)
	f.staking.bonded[valBech(o3)] = true
	_, err = f.msgs.RegisterRelayer(f.ctx, &types.MsgRegisterRelayer{Operator: other, Relayer: f.relayer})
	require.ErrorIs(t, err, types.ErrInvalidRelayer)
	// An unbonded validator cannot register.
	unbonded := bech([]byte("operator4___________"))
	_, err = f.msgs.RegisterRelayer(f.ctx, &types.MsgRegisterRelayer{Operator: unbonded, Relayer: bech([]byte("r4__________________"))})
	require.ErrorIs(t, err, types.ErrInvalidRelayer)

	// Not bonded any more: refused even before the hook ran.
	f.staking.bonded[valBech(op)] = false
	_, err = f.msgs.SubmitPoc(f.ctx, f.msg(f.beacon("beaconer", 1)))
	require.ErrorIs(t, err, types.ErrUnauthorizedRelayer)
	// The hook drops the registration.
	require.NoError(t, f.k.StakingHooks().AfterValidatorBeginUnbonding(f.ctx, nil, val))
	rs, err := f.query.Relayers(f.ctx, &types.QueryRelayersRequest{})
	require.NoError(t, err)
	require.Empty(t, rs.Relayers)
	f.staking.bonded[valBech(op)] = true
	_, err = f.msgs.SubmitPoc(f.ctx, f.msg(f.beacon("beaconer", 1)))
	require.ErrorIs(t, err, types.ErrUnauthorizedRelayer, "bonded again, but must register again")

	// Replacing the relay account retires the old one.
	f.registerRelayer(t, f.operator, f.relayer)
	replacement := bech([]byte("replacement_________"))
	f.registerRelayer(t, f.operator, replacement)
	_, err = f.msgs.SubmitPoc(f.ctx, f.msg(f.beacon("beaconer", 1)))
	require.ErrorIs(t, err, types.ErrUnauthorizedRelayer)
	m := f.msg(f.beacon("beaconer", 1))
	m.Relayer = replacement
	_, err = f.msgs.SubmitPoc(f.ctx, m)
	require.NoError(t, err)
}

// Attack 1, block cost: closing is bounded per block and drains in order.
func TestClosingWorkIsBoundedPerBlock(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.BeaconIntervalMs = 0 // many beacons of one hotspot
	p.MaxCloseWitnessesPerBlock = types.MinCloseWitnessesPerBlock
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	for j := 0; j < 40; j++ {
		f.hotspot(t, fmt.Sprintf("good%d", j), cellAt(t, 5, float64(j*9)))
	}
	f.seasoned(t, b)
	var ids [][]byte
	for i := 0; i < 3; i++ {
		beacon := f.beacon("beaconer", byte(10+i))
		var ws []verify.Witness
		for j := 0; j < 40; j++ {
			ws = append(ws, f.witness(fmt.Sprintf("good%d", j), beacon, int64(j), -950))
		}
		res, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, ws...))
		require.NoError(t, err)
		ids = append(ids, res.BeaconId)
	}
	judged := func() int {
		n := 0
		for _, id := range ids {
			if ok, _ := f.k.Pocs.Has(f.ctx, id); ok {
				n++
			}
		}
		return n
	}
	f.closeDue(t)
	require.Equal(t, 1, judged(), "40 reports fit in 64, 80 do not")
	f.endBlocks(t, 1)
	require.Equal(t, 2, judged())
	f.endBlocks(t, 1)
	require.Equal(t, 3, judged())
}

// Attack 2 against the keeper: a back-dated report by a registered key
// 1,000 km away does not make the honest witness too late.
func TestAttackBackDatedFirstWitnessKeeper(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	good := f.hotspot(t, "good", cellAt(t, 5, 0))
	far := f.hotspot(t, "far", cellAt(t, 1000, 90))
	f.seasoned(t, b, good, far)
	beacon := f.beacon("beaconer", 1)
	rec := f.judge(t, f.msg(beacon, f.witness("far", beacon, -5000, -1300), f.witness("good", beacon, 2500, -950)))
	require.Equal(t, uint32(1), rec.Selected)
	ws, err := f.query.Witnesses(f.ctx, &types.QueryWitnessesRequest{Hotspot: b})
	require.NoError(t, err)
	got := map[string]types.Reason{}
	for _, w := range ws.Witnesses {
		got[w.Witness] = w.Reason
	}
	require.Equal(t, types.REASON_VALID, got[good])
	require.Equal(t, types.REASON_TOO_EARLY, got[far])
	require.NotEmpty(t, rec.SelectionSeed)
}

// Attack 4 against the keeper: the stored bucket never moves backwards.
func TestAttackBeaconIntervalBypassKeeper(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.BeaconIntervalMs = 20_000 // a boundary at entropy + 20 s
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	at := func(local byte, tsMs int64) types.PocRecord {
		beacon := f.beacon("beaconer", local)
		beacon.TimestampNs = tsMs * 1e6
		beacon.Signature = ed25519.Sign(f.keys["beaconer"], beacon.SignBytes())
		return f.judge(t, f.msg(beacon))
	}
	require.Equal(t, types.REASON_VALID, at(1, entropyMs+25_000).Reason, "bucket k+1")
	require.Equal(t, types.REASON_IRREGULAR_INTERVAL, at(2, entropyMs+15_000).Reason, "bucket k after k+1")
	a, err := f.k.Activity.Get(f.ctx, b)
	require.NoError(t, err)
	require.Equal(t, int64((entropyMs+25_000)/20_000), a.LastBeaconBucket)
	require.Equal(t, types.REASON_IRREGULAR_INTERVAL, at(3, entropyMs+26_000).Reason, "k+1 again")
}

// Attack 5 against the keeper: declared power is bounded by the region's
// EIRP and the asserted gain (US915 36 dBm, 1.2 dBi: at most 35 dBm).
func TestAttackDeclaredTxPowerKeeper(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "colluder", cellAt(t, 22, 45))
	f.seasoned(t, b)
	beacon := f.beacon("beaconer", 1)
	beacon.TxPowerDBm = 200
	beacon.Signature = ed25519.Sign(f.keys["beaconer"], beacon.SignBytes())
	rec := f.judge(t, f.msg(beacon, f.witness("colluder", beacon, 300, -300)))
	require.Equal(t, types.REASON_INVALID_TX_POWER, rec.Reason)
	require.Zero(t, rec.Selected)
}

// Attack 6 against the keeper: junk reports do not make a beacon count for
// the beaconer's reciprocity.
func TestAttackReciprocityWithJunkKeeper(t *testing.T) {
	f := setup(t)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	require.NoError(t, f.k.Activity.Set(f.ctx, b, types.HotspotActivity{Hotspot: b, LastWitnessMs: nowMs - 1000}))
	beacon := f.beacon("beaconer", 1)
	forged := f.witness("good", beacon, 300, -950)
	forged.Signature[3] ^= 1
	rec := f.judge(t, f.msg(beacon, forged))
	require.Equal(t, types.REASON_VALID, rec.Reason)
	a, err := f.k.Activity.Get(f.ctx, b)
	require.NoError(t, err)
	require.Zero(t, a.LastBeaconMs, "a forged report does not count as witnessed")
}

// Attack 9: params could make verification free or blocks unbounded.
func TestAttackFreeVerificationSpamParams(t *testing.T) {
	f := setup(t)
	for name, edit := range map[string]func(p *types.Params){
		"gas_per_witness 0":                func(p *types.Params) { p.GasPerWitness = 0 },
		"gas_per_witness below floor":      func(p *types.Params) { p.GasPerWitness = types.MinGasPerWitness - 1 },
		"max_witnesses_per_msg over cap":   func(p *types.Params) { p.MaxWitnessesPerMsg = types.MaxWitnessesPerMsgCap + 1 },
		"close budget 0":                   func(p *types.Params) { p.MaxCloseWitnessesPerBlock = 0 },
		"prune budget over cap":            func(p *types.Params) { p.PrunePerBlock = types.MaxMaintenancePerBlock + 1 },
		"hex rebuild budget 0":             func(p *types.Params) { p.HexRebuildPerBlock = 0 },
		"close grace above ten minutes":    func(p *types.Params) { p.CloseGraceMs = types.MaxCloseGraceMs + 1 },
		"max_selected_witnesses above cap": func(p *types.Params) { p.MaxSelectedWitnesses = types.MaxSelectedWitnessesCap + 1 },
	} {
		p := types.DefaultParams()
		edit(&p)
		_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: p})
		require.ErrorIs(t, err, types.ErrInvalidParams, name)
	}
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.gov, Params: types.DefaultParams()})
	require.NoError(t, err)
}

// Attack 10: pruning deleted a whole epoch in one block. It now deletes a
// budget per block (here, of 40 PoCs judged in one block), and a failing
// maintenance task is rolled back without taking the block's PoC closing
// with it.
func TestAttackUnboundedBlockWorkPruning(t *testing.T) {
	f := setup(t)
	smallPruneBudget(t, f)
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	f.hotspot(t, "good", cellAt(t, 5, 0))
	f.seasoned(t, b)
	for i := 0; i < 40; i++ {
		beacon := f.beacon("beaconer", byte(i))
		_, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon, f.witness("good", beacon, 300, -950)))
		require.NoError(t, err)
	}
	f.closeDue(t) // 40 PoCs judged in this block, 6 entries each
	judgedAt := f.ctx.BlockHeight()
	countJudged := func() int {
		n := 0
		require.NoError(t, f.k.PocsByHeight.Walk(f.ctx, nil, func(k collections.Pair[int64, []byte]) (bool, error) {
			if k.K1() == judgedAt {
				n++
			}
			return false, nil
		}))
		return n
	}
	require.Equal(t, 40, countJudged())

	// A maintenance task that fails (a corrupt rebuild record makes the hex
	// rebuild fail) is rolled back and reported; the PoC closing of the
	// same block and the pruning still happen.
	kv := f.ctx.KVStore(f.pkey)
	kv.Set(types.HexRebuildKey, []byte{1, 2, 3})
	beacon := f.beacon("beaconer", 200)
	res, err := f.msgs.SubmitPoc(f.ctx, f.msg(beacon))
	require.NoError(t, err)
	f.staleBeacons(t)
	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	f.endBlocks(t, 1)
	judged, err := f.k.Pocs.Has(f.ctx, res.BeaconId)
	require.NoError(t, err)
	require.True(t, judged)
	left := countJudged()
	require.Greater(t, left, 0, "one block's budget does not delete the whole block's records")
	require.Less(t, left, 40)
	failed := false
	for _, e := range f.ctx.EventManager().Events() {
		if e.Type == "pocd.poc.v1.EventMaintenanceFailed" {
			failed = true
		}
	}
	require.True(t, failed, "the failure is reported as an event")
	for i := 0; i < 10 && countJudged() > 0; i++ {
		f.endBlocks(t, 1)
	}
	require.Zero(t, countJudged())
}

func hexID(id []byte) string { return hex.EncodeToString(id) }

func sdkAccBytes(addr string) ([]byte, error) {
	return authcodec.NewBech32Codec("hnt").StringToBytes(addr)
}

func beaconID(b *verify.Beacon) []byte { id := b.ID(); return id[:] }

// Attack 10: the hex-density rebuild walked every activity record ever
// written in one block. It now walks a budget per block and swaps the new
// counts in only when the walk is complete.
func TestAttackUnboundedBlockWorkHexRebuild(t *testing.T) {
	f := setup(t)
	p := types.DefaultParams()
	p.HexRebuildPerBlock = types.MinMaintenancePerBlock
	require.NoError(t, f.k.Params.Set(f.ctx, p))
	b := f.hotspot(t, "beaconer", cellAt(t, 0, 0))
	recent := f.ctx.BlockTime().UnixMilli()
	require.NoError(t, f.k.Activity.Set(f.ctx, b, types.HotspotActivity{Hotspot: b, LastWitnessedBeaconMs: recent}))
	for i := 0; i < 150; i++ { // history of hotspots no longer registered
		addr := bech([]byte(fmt.Sprintf("gone%016d", i)))
		require.NoError(t, f.k.Activity.Set(f.ctx, addr, types.HotspotActivity{Hotspot: addr, LastWitnessedBeaconMs: recent}))
	}
	require.NoError(t, f.k.Hooks().AfterEpochEnd(f.ctx, types.DefaultEpochIdentifier, 1))
	f.endBlocks(t, 1)
	r, err := f.k.HexRebuild.Get(f.ctx)
	require.NoError(t, err)
	require.Equal(t, types.HEX_REBUILD_STAGE_WALK, r.Stage, "151 records do not fit one block's budget of 100")
	hs, err := f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: cellAt(t, 0, 0)})
	require.NoError(t, err)
	require.Empty(t, hs.Counts, "nothing switched in yet")
	// The rest of the walk (51) and the roll-up of one res-11 cell through
	// seven resolutions (14) fit the next block.
	f.endBlocks(t, 1)
	_, err = f.k.HexRebuild.Get(f.ctx)
	require.ErrorIs(t, err, collections.ErrNotFound, "done")
	hs, err = f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: cellAt(t, 0, 0)})
	require.NoError(t, err)
	require.Equal(t, uint32(10000), hs.Scale)
	require.Equal(t, int64(1), hs.ComputedEpoch)
}
