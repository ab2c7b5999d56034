package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/uber/h3-go/v4"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
	"github.com/pocnet/pocd/x/poc/types"
	"github.com/pocnet/pocd/x/poc/verify"
)

// The hex-density rebuild recomputes HIP-17's counts from the hotspots
// active in the window. It builds the next generation of HexCounts beside
// the one in use, hex_rebuild_per_block units of work per block, through
// four stages:
//
//	WALK   each activity record walked (one unit): +1 at its hotspot's
//	       res-11 cell if it is active
//	SUM    per resolution of hex_params (10 down to 4): each child cell
//	       (one unit) adds its clipped count to its parent's unclipped
//	JUDGE  per resolution: each cell (one unit: seven reads, one write)
//	       gets its occupied neighbours, limit and clipped count
//	CLEAR  after HexGeneration is switched in one write, each cell of the
//	       old generation (one unit) is deleted
//
// A resolution is summed completely before it is judged: a cell's
// occupied count reads its six neighbours' unclipped counts, and those may
// lie under another parent. The result equals
// verify.NewHexDensityMapFromCounts over the walked counts at any budget.
// Before this, the roll-up and swap-in ran in one block, whose cost grew
// with the cells (0.9 s at 100,000 hotspots).

// hexGeneration is the generation of HexCounts in use.
func (k *Keeper) hexGeneration(ctx context.Context) (uint64, error) {
	g, err := k.HexGeneration.Get(ctx)
	if isNotFound(err) {
		return 0, nil
	}
	return g, err
}

// hexTable is the HIP-17 table the generation in use was built with: the
// params' until a rebuild has switched one in.
func (k *Keeper) hexTable(ctx context.Context, p types.Params) ([]types.HexResParams, error) {
	t, err := k.HexTable.Get(ctx)
	if isNotFound(err) {
		return p.HexParams, nil
	}
	return t.HexParams, err
}

// hexCount reads a cell's counts in the generation in use.
func (k *Keeper) hexCount(ctx context.Context, gen, cell uint64) (types.HexCount, bool, error) {
	hc, err := k.HexCounts.Get(ctx, collections.Join(gen, cell))
	if isNotFound(err) {
		return types.HexCount{}, false, nil
	}
	return hc, err == nil, err
}

// resolutionRange is the cells of one resolution in one generation after
// the cell cursor (0: all of them): an H3 cell index holds its mode and
// resolution above its base cell and digits, so the cells of a resolution
// are contiguous.
func resolutionRange(gen uint64, res int, after uint64) *collections.Range[collections.Pair[uint64, uint64]] {
	rng := new(collections.Range[collections.Pair[uint64, uint64]])
	if after != 0 {
		rng = rng.StartExclusive(collections.Join(gen, after))
	} else {
		rng = rng.StartInclusive(collections.Join(gen, cellIndexFloor(res)))
	}
	return rng.EndExclusive(collections.Join(gen, cellIndexFloor(res+1)))
}

// cellIndexFloor is the least index of an H3 cell (mode 1) at res.
func cellIndexFloor(res int) uint64 { return 1<<59 | uint64(res)<<52 }

// hexRebuildStep spends one block's budget on the rebuild in progress.
// Each stage either uses the whole budget left or finishes, so the loop
// ends.
func (k *Keeper) hexRebuildStep(ctx sdk.Context, p types.Params) error {
	r, err := k.HexRebuild.Get(ctx)
	if isNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	gen, err := k.hexGeneration(ctx)
	if err != nil {
		return err
	}
	left := p.HexRebuildPerBlock
	for left > 0 {
		var used uint64
		switch r.Stage {
		case types.HEX_REBUILD_STAGE_WALK:
			used, err = k.hexWalk(ctx, &r, gen+1, left, p.HexParams)
		case types.HEX_REBUILD_STAGE_SUM:
			used, err = k.hexSum(ctx, &r, gen+1, left)
		case types.HEX_REBUILD_STAGE_JUDGE:
			used, err = k.hexJudge(ctx, &r, gen+1, left)
			if err == nil && r.Stage == types.HEX_REBUILD_STAGE_CLEAR {
				gen++ // switched: what is cleared from now is gen-1
			}
		case types.HEX_REBUILD_STAGE_CLEAR:
			var done bool
			used, done, err = k.hexClear(ctx, gen-1, left)
			if err == nil && done {
				return k.HexRebuild.Remove(ctx)
			}
		default:
			return fmt.Errorf("hex rebuild in unknown stage %d", r.Stage)
		}
		if err != nil {
			return err
		}
		left -= used
	}
	return k.HexRebuild.Set(ctx, r)
}

// hexWalk walks up to budget activity records, counting each active
// hotspot at its res-11 cell in generation next. At the end of the walk it
// fixes the HIP-17 table the roll-up will use.
func (k *Keeper) hexWalk(ctx sdk.Context, r *types.HexRebuild, next, budget uint64, table []types.HexResParams) (uint64, error) {
	rng := new(collections.Range[string])
	if r.Cursor != "" {
		rng = rng.StartExclusive(r.Cursor)
	}
	it, err := k.Activity.Iterate(ctx, rng)
	if err != nil {
		return 0, err
	}
	records, err := firstKeyValues(it, budget)
	if err != nil {
		return 0, err
	}
	for _, kv := range records {
		r.Cursor = kv.Key
		if err := k.countActive(ctx, r, next, kv.Key, kv.Value); err != nil {
			return 0, err
		}
	}
	if uint64(len(records)) < budget {
		r.Stage, r.Level, r.CellCursor = types.HEX_REBUILD_STAGE_SUM, 0, 0
		r.HexParams = append([]types.HexResParams(nil), table...)
	}
	return uint64(len(records)), nil
}

// countActive adds a hotspot to its res-11 cell if it witnessed within the
// window and is still registered and asserted.
func (k *Keeper) countActive(ctx sdk.Context, r *types.HexRebuild, next uint64, addr string, a types.HotspotActivity) error {
	if a.LastWitnessedBeaconMs == 0 || a.LastWitnessedBeaconMs < r.SinceMs {
		return nil
	}
	hs, err := k.hotspots.GetHotspot(ctx, addr)
	if errors.Is(err, hotspottypes.ErrHotspotNotFound) {
		return nil // no longer registered: not active
	} else if err != nil {
		return err
	}
	cell, err := hotspottypes.ParseLocation(hs.Location)
	if err != nil {
		return nil
	}
	p11, err := h3.Cell(cell).Parent(verify.PopulationResolution)
	if err != nil {
		return nil
	}
	hc, found, err := k.hexCount(ctx, next, uint64(p11))
	if err != nil {
		return err
	}
	if !found {
		r.Cells++
	}
	r.Active++
	return k.HexCounts.Set(ctx, collections.Join(next, uint64(p11)), populationCount(uint64(p11), hc.Unclipped+1))
}

// populationCount is a res-11 cell's count of n active hotspots. It is
// not clipped: its count is its own limit.
func populationCount(cell, n uint64) types.HexCount {
	return types.HexCount{Cell: cell, Res: verify.PopulationResolution, Unclipped: n, Limit: n, Clipped: n}
}

// childRes is the resolution summed into hex_params[level]: the
// population's for the first, the previous entry's after that.
func childRes(r *types.HexRebuild) int {
	if r.Level == 0 {
		return verify.PopulationResolution
	}
	return int(r.HexParams[r.Level-1].Res)
}

// hexSum adds up to budget child cells' clipped counts into their parents
// at hex_params[level]; when every child is summed the level is judged.
func (k *Keeper) hexSum(ctx sdk.Context, r *types.HexRebuild, next, budget uint64) (uint64, error) {
	rp := r.HexParams[r.Level]
	children, err := k.hexCells(ctx, next, childRes(r), r.CellCursor, budget)
	if err != nil {
		return 0, err
	}
	for _, child := range children {
		r.CellCursor = child.Cell
		parent, err := h3.Cell(child.Cell).Parent(int(rp.Res))
		if err != nil {
			return 0, err
		}
		hc, found, err := k.hexCount(ctx, next, uint64(parent))
		if err != nil {
			return 0, err
		}
		if !found {
			hc = types.HexCount{Cell: uint64(parent), Res: rp.Res}
			r.Cells++
		}
		hc.Unclipped += child.Clipped
		if err := k.HexCounts.Set(ctx, collections.Join(next, uint64(parent)), hc); err != nil {
			return 0, err
		}
	}
	if uint64(len(children)) < budget {
		r.Stage, r.CellCursor = types.HEX_REBUILD_STAGE_JUDGE, 0
	}
	return uint64(len(children)), nil
}

// hexJudge judges up to budget cells of hex_params[level] against their
// k=1 disks. When the level is done the next one is summed; after the last
// the new generation goes into use.
func (k *Keeper) hexJudge(ctx sdk.Context, r *types.HexRebuild, next, budget uint64) (uint64, error) {
	vrp := types.VerifyHexTable(r.HexParams)[r.Level]
	cells, err := k.hexCells(ctx, next, vrp.Res, r.CellCursor, budget)
	if err != nil {
		return 0, err
	}
	for _, c := range cells {
		r.CellCursor = c.Cell
		disk, err := h3.Cell(c.Cell).GridDisk(1)
		if err != nil {
			return 0, err
		}
		var occupied uint64
		for _, q := range disk {
			n, _, err := k.hexCount(ctx, next, uint64(q)) // absent: 0, which never occupies
			if err != nil {
				return 0, err
			}
			if vrp.Occupies(n.Unclipped) {
				occupied++
			}
		}
		j := types.HexCountFromVerify(vrp.Clip(c.Cell, c.Unclipped, occupied))
		if err := k.HexCounts.Set(ctx, collections.Join(next, c.Cell), j); err != nil {
			return 0, err
		}
	}
	if uint64(len(cells)) == budget {
		return budget, nil
	}
	r.CellCursor = 0
	if int(r.Level)+1 < len(r.HexParams) {
		r.Stage = types.HEX_REBUILD_STAGE_SUM
		r.Level++
		return uint64(len(cells)), nil
	}
	if err := k.HexGeneration.Set(ctx, next); err != nil {
		return 0, err
	}
	if err := k.HexTable.Set(ctx, types.HexTable{HexParams: r.HexParams}); err != nil {
		return 0, err
	}
	if err := k.HexEpoch.Set(ctx, r.Epoch); err != nil {
		return 0, err
	}
	r.Stage = types.HEX_REBUILD_STAGE_CLEAR
	return uint64(len(cells)), ctx.EventManager().EmitTypedEvent(&types.EventHexScalesRecomputed{
		Epoch: r.Epoch, ActiveHotspots: r.Active, Cells: r.Cells,
	})
}

// hexClear deletes up to budget cells of an old generation; done when
// none is left.
func (k *Keeper) hexClear(ctx sdk.Context, old, budget uint64) (uint64, bool, error) {
	it, err := k.HexCounts.Iterate(ctx, collections.NewPrefixedPairRange[uint64, uint64](old))
	if err != nil {
		return 0, false, err
	}
	keys, err := firstKeys(it, budget)
	if err != nil {
		return 0, false, err
	}
	for _, key := range keys {
		if err := k.HexCounts.Remove(ctx, key); err != nil {
			return 0, false, err
		}
	}
	return uint64(len(keys)), uint64(len(keys)) < budget, nil
}

// hexCells reads up to n cells of one resolution of a generation, after
// the cell cursor (0: from the first).
func (k *Keeper) hexCells(ctx context.Context, gen uint64, res int, cursor, n uint64) ([]types.HexCount, error) {
	it, err := k.HexCounts.Iterate(ctx, resolutionRange(gen, res, cursor))
	if err != nil {
		return nil, err
	}
	kvs, err := firstKeyValues(it, n)
	if err != nil {
		return nil, err
	}
	out := make([]types.HexCount, len(kvs))
	for i, kv := range kvs {
		out[i] = kv.Value
	}
	return out, nil
}

func firstKeyValues[K, V any](it collections.Iterator[K, V], n uint64) ([]collections.KeyValue[K, V], error) {
	defer it.Close()
	var out []collections.KeyValue[K, V]
	for ; it.Valid() && uint64(len(out)) < n; it.Next() {
		kv, err := it.KeyValue()
		if err != nil {
			return nil, err
		}
		out = append(out, kv)
	}
	return out, nil
}
