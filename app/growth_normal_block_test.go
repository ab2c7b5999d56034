package app_test

import (
	"crypto/ed25519"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	pockeeper "github.com/pocnet/pocd/x/poc/keeper"
	poctypes "github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"

	"github.com/pocnet/pocd/sim"
)

// Normal block: what a block carries at the measured load, 50 relayed
// PoCs of 14 witnesses each (BenchmarkSubmitPoc14Witnesses' unit), on the
// same seeded state as the budgeted blocks it is compared with.
const (
	normalPocs      = 50
	normalWitnesses = 14
)

// normalBlock relays normalPocs PoCs among the seeded hotspots, spread
// over the whole seed so their reads are as cold as a real block's, and
// closes them close_grace_ms later. It returns the relay block's and the
// closing block's execution times; their sum is a normal block's work.
// Hotspot i sits in seed cell i mod cells; cells on one line of longitude
// are about 1 km apart, so a beaconer's witnesses are the hotspots of the
// seven cells either side of its own.
func (c *growthChain) normalBlock(b *testing.B, cells int) (relay, closing time.Duration) {
	const side = normalWitnesses / 2
	require.GreaterOrEqual(b, cells, 2*normalPocs*(2*side+1), "room for the PoCs' neighbourhoods")
	valoper := sdk.ValAddress([]byte("growth validator____")[:20]).String()
	relayer := acct("growth relayer")
	var entropy poctypes.BlockEntropy
	c.block(b, func(ctx sdk.Context) error {
		require.NoError(b, c.a.StakingKeeper.SetValidator(ctx, stakingtypes.Validator{OperatorAddress: valoper, Status: stakingtypes.Bonded}))
		require.NoError(b, c.a.PocKeeper.Relayers.Set(ctx, valoper, poctypes.RelayerRegistration{Validator: valoper, Relayer: relayer, Height: ctx.BlockHeight()}))
		// An entropy block 20 s old, so the beacons' witness windows have
		// closed by the relay block.
		entropy = poctypes.BlockEntropy{Height: ctx.BlockHeight(), Hash: []byte("growth entropy block hash 32 B!!"), TimeMs: ctx.BlockTime().UnixMilli() - 20_000}
		return c.a.PocKeeper.Entropy.Set(ctx, entropy.Height, entropy)
	})
	plan := hotspottypes.DefaultRegionPlans()[0] // US915, the seed's region
	require.Equal(b, "US915", plan.Region)
	beaconTs := time.UnixMilli(entropy.TimeMs).Add(500 * time.Millisecond)
	msgs := make([]*poctypes.MsgSubmitPoc, normalPocs)
	for k := range msgs {
		// Cell ci and its neighbours on one line (lines are 1,000 cells).
		ci := side + k*(cells/normalPocs)
		if line := ci % 1000; line < side || line >= 1000-side {
			ci += 2 * side
		}
		le := binary.BigEndian.AppendUint32(nil, uint32(k))
		pub := sim.SeedPubkey(ci)
		payload := verify.BeaconPayload(entropy.Hash, pub, le, 51)
		beacon := &verify.Beacon{
			Pubkey: pub, EntropyHeight: entropy.Height, EntropyHash: entropy.Hash, LocalEntropy: le, Payload: payload,
			FrequencyHz: plan.ChannelFrequenciesHz[verify.BeaconChannel(payload, len(plan.ChannelFrequenciesHz))],
			DataRate:    plan.DataRate, TxPowerDBm: 27, TimestampNs: beaconTs.UnixNano(),
		}
		beacon.Signature = ed25519.Sign(sim.SeedKey(ci), beacon.SignBytes())
		m := &poctypes.MsgSubmitPoc{Relayer: relayer, Beacon: poctypes.BeaconFromVerify(beacon)}
		for d := -side; d <= side; d++ {
			if d == 0 {
				continue
			}
			w := verify.Witness{Pubkey: sim.SeedPubkey(ci + d), Payload: payload, RSSIDdbm: -1100, SNRDdb: 60,
				FrequencyHz: beacon.FrequencyHz, DataRate: beacon.DataRate, TimestampNs: beaconTs.Add(time.Duration(100+d+side) * time.Millisecond).UnixNano()}
			w.Signature = ed25519.Sign(sim.SeedKey(ci+d), w.SignBytes())
			m.Witnesses = append(m.Witnesses, poctypes.WitnessFromVerify(w))
		}
		msgs[k] = m
	}
	srv := pockeeper.NewMsgServerImpl(c.a.PocKeeper)
	ids := make([][]byte, normalPocs)
	relay = c.block(b, func(ctx sdk.Context) error {
		for k, m := range msgs {
			res, err := srv.SubmitPoc(ctx, m)
			if err != nil {
				return err
			}
			ids[k] = res.BeaconId
		}
		return nil
	})
	var grace int64
	c.block(b, func(ctx sdk.Context) error {
		p, err := c.a.PocKeeper.Params.Get(ctx)
		grace = p.CloseGraceMs
		return err
	})
	for range grace / 1000 {
		c.block(b, func(sdk.Context) error { return nil })
	}
	closing = c.block(b, func(ctx sdk.Context) error { return c.a.PocKeeper.EndBlock(ctx) })
	c.block(b, func(ctx sdk.Context) error {
		for _, id := range ids {
			rec, err := c.a.PocKeeper.Pocs.Get(ctx, id)
			require.NoError(b, err, "judged in the closing block")
			require.Equal(b, poctypes.REASON_VALID, rec.Reason, "a valid beacon")
			require.Equal(b, uint32(normalWitnesses), rec.Selected, "every witness valid and selected")
		}
		return nil
	})
	return relay, closing
}
