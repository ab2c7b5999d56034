package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// InitGenesis loads the module state.
func (k *Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.requireEpoch(ctx, gs.Params.EpochIdentifier); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, h := range gs.DeniedHotspots {
		if err := k.DeniedHotspots.Set(ctx, h); err != nil {
			return err
		}
	}
	for _, e := range gs.DeniedEdges {
		c := types.CanonicalEdge(e.A, e.B)
		if err := k.DeniedEdges.Set(ctx, collections.Join(c.A, c.B)); err != nil {
			return err
		}
	}
	for _, a := range gs.Activity {
		if err := k.Activity.Set(ctx, a.Hotspot, a); err != nil {
			return err
		}
	}
	totals := map[int64]types.RewardShares{}
	var epochs []int64
	for _, s := range gs.Shares {
		if err := k.Shares.Set(ctx, collections.Join(s.Epoch, s.Hotspot), s); err != nil {
			return err
		}
		t, seen := totals[s.Epoch]
		if !seen {
			epochs = append(epochs, s.Epoch)
		}
		t.Epoch = s.Epoch
		t.BeaconShares += s.BeaconShares
		t.WitnessShares += s.WitnessShares
		totals[s.Epoch] = t
	}
	for _, e := range epochs { // in input order: deterministic
		if err := k.EpochTotals.Set(ctx, e, totals[e]); err != nil {
			return err
		}
	}
	// A record's retention counts from its judging height, or from the
	// genesis height if that is lower: after a zero-height export the new
	// chain starts below the old chain's heights, and records judged at
	// them would otherwise wait to be pruned until it got there again.
	initial := sdk.UnwrapSDKContext(ctx).BlockHeight()
	for _, p := range gs.Pocs {
		if err := k.putPoc(ctx, p, min(p.Height, initial)); err != nil {
			return err
		}
	}
	for _, w := range gs.Witnesses {
		if err := k.putWitness(ctx, w); err != nil {
			return err
		}
	}
	for _, o := range gs.OpenPocs {
		if err := k.OpenPocs.Set(ctx, o.BeaconId, o); err != nil {
			return err
		}
	}
	for _, r := range gs.Relayers {
		if err := k.Relayers.Set(ctx, r.Validator, r); err != nil {
			return err
		}
	}
	if gs.SharesPruneBefore > 0 {
		if err := k.SharesPruneBefore.Set(ctx, gs.SharesPruneBefore); err != nil {
			return err
		}
	}
	if gs.HexRebuild != nil {
		if err := k.HexRebuild.Set(ctx, *gs.HexRebuild); err != nil {
			return err
		}
	}
	// A rebuild's res-11 counts are the start of the next generation.
	gen := gs.HexGeneration
	if err := k.HexGeneration.Set(ctx, gen); err != nil {
		return err
	}
	if len(gs.HexTable) > 0 {
		if err := k.HexTable.Set(ctx, types.HexTable{HexParams: gs.HexTable}); err != nil {
			return err
		}
	}
	for _, c := range gs.HexStaging {
		if err := k.HexCounts.Set(ctx, collections.Join(gen+1, c.Cell), populationCount(c.Cell, c.Count)); err != nil {
			return err
		}
	}
	for _, h := range gs.HexCounts {
		if err := k.HexCounts.Set(ctx, collections.Join(gen, h.Cell), h); err != nil {
			return err
		}
	}
	if err := k.HexEpoch.Set(ctx, gs.HexEpoch); err != nil {
		return err
	}
	for _, e := range gs.Entropy {
		if err := k.Entropy.Set(ctx, e.Height, e); err != nil {
			return err
		}
	}
	next := gs.NextSeq
	if next > 0 {
		next-- // Seq.Next returns the stored value; stored = last issued
	}
	return k.Seq.Set(ctx, next)
}

// ExportGenesis writes the whole module state in key order.
func (k *Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p}
	if err := k.DeniedHotspots.Walk(ctx, nil, func(h string) (bool, error) {
		gs.DeniedHotspots = append(gs.DeniedHotspots, h)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.DeniedEdges.Walk(ctx, nil, func(e collections.Pair[string, string]) (bool, error) {
		gs.DeniedEdges = append(gs.DeniedEdges, types.Edge{A: e.K1(), B: e.K2()})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Activity.Walk(ctx, nil, func(_ string, a types.HotspotActivity) (bool, error) {
		gs.Activity = append(gs.Activity, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Shares.Walk(ctx, nil, func(_ collections.Pair[int64, string], s types.RewardShares) (bool, error) {
		gs.Shares = append(gs.Shares, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Pocs.Walk(ctx, nil, func(_ []byte, r types.PocRecord) (bool, error) {
		gs.Pocs = append(gs.Pocs, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Witnesses.Walk(ctx, nil, func(_ collections.Triple[string, uint64, string], w types.WitnessRecord) (bool, error) {
		gs.Witnesses = append(gs.Witnesses, w)
		return false, nil
	}); err != nil {
		return nil, err
	}
	gen, err := k.hexGeneration(ctx)
	if err != nil {
		return nil, err
	}
	gs.HexGeneration = gen
	if t, err := k.HexTable.Get(ctx); err == nil {
		gs.HexTable = t.HexParams
	} else if !isNotFound(err) {
		return nil, err
	}
	if err := k.HexCounts.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint64](gen), func(_ collections.Pair[uint64, uint64], h types.HexCount) (bool, error) {
		gs.HexCounts = append(gs.HexCounts, h)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if e, err := k.HexEpoch.Get(ctx); err == nil {
		gs.HexEpoch = e
	}
	if err := k.Entropy.Walk(ctx, nil, func(_ int64, e types.BlockEntropy) (bool, error) {
		gs.Entropy = append(gs.Entropy, e)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.OpenPocs.Walk(ctx, nil, func(_ []byte, o types.OpenPoc) (bool, error) {
		gs.OpenPocs = append(gs.OpenPocs, o)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Relayers.Walk(ctx, nil, func(_ string, r types.RelayerRegistration) (bool, error) {
		gs.Relayers = append(gs.Relayers, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if b, err := k.SharesPruneBefore.Get(ctx); err == nil {
		gs.SharesPruneBefore = b
	} else if !isNotFound(err) {
		return nil, err
	}
	if err := k.exportHexRebuild(ctx, gen, gs); err != nil {
		return nil, err
	}
	seq, err := k.Seq.Peek(ctx)
	if err != nil {
		return nil, err
	}
	gs.NextSeq = seq + 1
	return gs, nil
}

// exportHexRebuild exports a rebuild in progress as its walked res-11
// counts: a roll-up under way restarts from its first resolution after
// import (it is a function of those counts and its table), and a rebuild
// clearing its old generation is over as far as the new chain is concerned.
func (k *Keeper) exportHexRebuild(ctx context.Context, gen uint64, gs *types.GenesisState) error {
	r, err := k.HexRebuild.Get(ctx)
	if isNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if r.Stage == types.HEX_REBUILD_STAGE_CLEAR {
		return nil
	}
	if err := k.HexCounts.Walk(ctx, resolutionRange(gen+1, verify.PopulationResolution, 0), func(_ collections.Pair[uint64, uint64], h types.HexCount) (bool, error) {
		gs.HexStaging = append(gs.HexStaging, types.HexStagingCount{Cell: h.Cell, Count: h.Unclipped})
		return false, nil
	}); err != nil {
		return err
	}
	if r.Stage != types.HEX_REBUILD_STAGE_WALK {
		r.Stage, r.Level, r.CellCursor = types.HEX_REBUILD_STAGE_SUM, 0, 0
		r.Cells = uint64(len(gs.HexStaging))
	}
	gs.HexRebuild = &r
	return nil
}
