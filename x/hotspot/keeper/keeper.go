package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/x/hotspot/types"
)

// CommunityPool receives onboarding and location fees.
type CommunityPool interface {
	FundCommunityPool(ctx context.Context, amount sdk.Coins, sender sdk.AccAddress) error
}

// BlockedAddrs says which addresses the bank refuses to send to (module
// accounts): the bank keeper's BlockedAddr.
type BlockedAddrs interface {
	BlockedAddr(addr sdk.AccAddress) bool
}

// HotspotIndexes are the secondary indexes of the hotspot registry. Every
// index maps a reference to the primary key (the hotspot address).
type HotspotIndexes struct {
	// Owner lists an account's hotspots.
	Owner *indexes.Multi[sdk.AccAddress, string, types.Hotspot]
	// Cell orders asserted hotspots by the H3 path key of their location, so
	// that the hotspots inside a cell of any resolution are one range scan.
	Cell *indexes.Multi[uint64, string, types.Hotspot]
	// Name resolves three-word names (which may collide).
	Name *indexes.Multi[string, string, types.Hotspot]
	// Region lists the hotspots asserted in a region.
	Region *indexes.Multi[string, string, types.Hotspot]
}

// IndexesList implements collections.Indexes.
func (i HotspotIndexes) IndexesList() []collections.Index[string, types.Hotspot] {
	return []collections.Index[string, types.Hotspot]{i.Owner, i.Cell, i.Name, i.Region}
}

// Keeper owns the hotspot registry.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	authority    string
	fees         CommunityPool
	// transferHooks run before a transfer; nil when no module needs them.
	transferHooks TransferHooks
	// blocked refuses owners the bank cannot pay; nil accepts every owner
	// (keepers built without a bank, as in other modules' tests).
	blocked BlockedAddrs

	Schema   collections.Schema
	Params   collections.Item[types.Params]
	Hotspots *collections.IndexedMap[string, types.Hotspot, HotspotIndexes]
}

// NewKeeper builds the keeper. authority is the gov module account unless
// consensus AuthorityParams override it.
func NewKeeper(cdc codec.BinaryCodec, storeService corestore.KVStoreService, addressCodec address.Codec, fees CommunityPool, authority string) *Keeper {
	sb := collections.NewSchemaBuilder(storeService)
	idx := HotspotIndexes{
		Owner: indexes.NewMulti(sb, types.HotspotsByOwner, "hotspots_by_owner",
			sdk.AccAddressKey, collections.StringKey,
			func(_ string, h types.Hotspot) (sdk.AccAddress, error) { return addressCodec.StringToBytes(h.Owner) }),
		Cell: indexes.NewMulti(sb, types.HotspotsByCell, "hotspots_by_cell",
			collections.Uint64Key, collections.StringKey,
			func(_ string, h types.Hotspot) (uint64, error) { return cellIndexKey(h) }),
		Name: indexes.NewMulti(sb, types.HotspotsByName, "hotspots_by_name",
			collections.StringKey, collections.StringKey,
			func(_ string, h types.Hotspot) (string, error) { return h.Name, nil }),
		Region: indexes.NewMulti(sb, types.HotspotsByRegion, "hotspots_by_region",
			collections.StringKey, collections.StringKey,
			func(_ string, h types.Hotspot) (string, error) { return h.Region, nil }),
	}
	k := &Keeper{
		cdc:          cdc,
		addressCodec: addressCodec,
		authority:    authority,
		fees:         fees,
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Hotspots: collections.NewIndexedMap(sb, types.HotspotsKey, "hotspots",
			collections.StringKey, codec.CollValue[types.Hotspot](cdc), idx),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// unassertedCellKey sorts hotspots without a location apart from every real
// cell (real path keys have mode bit 59 set, so they are all >= 2^59 and < 2^60).
const unassertedCellKey = 0

func cellIndexKey(h types.Hotspot) (uint64, error) {
	if h.Location == "" {
		return unassertedCellKey, nil
	}
	c, err := types.ParseLocation(h.Location)
	if err != nil {
		return 0, err
	}
	return c.PathKey(), nil
}

// WithBlockedAddrs installs the bank's blocked-address check (call it on
// the keeper NewKeeper returns, while wiring the app): a hotspot may not be
// registered to or transferred to an address the bank refuses to send to,
// since x/rewards could never pay its owner.
func (k *Keeper) WithBlockedAddrs(b BlockedAddrs) *Keeper {
	k.blocked = b
	return k
}

// CheckOwner refuses an owner the bank will not send to (ErrBlockedOwner).
func (k *Keeper) CheckOwner(owner sdk.AccAddress) error {
	if k.blocked != nil && k.blocked.BlockedAddr(owner) {
		s, err := k.addressCodec.BytesToString(owner)
		if err != nil {
			s = owner.String()
		}
		return types.ErrBlockedOwner.Wrapf("%s is a module account or otherwise blocked from receiving funds", s)
	}
	return nil
}

// Authority is the address allowed to update params.
func (k *Keeper) Authority() string { return k.authority }

// GetHotspot resolves an address or a three-word name.
func (k *Keeper) GetHotspot(ctx context.Context, id string) (types.Hotspot, error) {
	if id == "" {
		return types.Hotspot{}, types.ErrHotspotNotFound.Wrap("empty hotspot id")
	}
	if !types.LooksLikeName(id) {
		h, err := k.Hotspots.Get(ctx, id)
		if errors.Is(err, collections.ErrNotFound) {
			return types.Hotspot{}, types.ErrHotspotNotFound.Wrapf("no hotspot %s", id)
		}
		return h, err
	}
	it, err := k.Hotspots.Indexes.Name.MatchExact(ctx, id)
	if err != nil {
		return types.Hotspot{}, err
	}
	defer it.Close()
	pks, err := it.PrimaryKeys()
	if err != nil {
		return types.Hotspot{}, err
	}
	switch len(pks) {
	case 0:
		return types.Hotspot{}, types.ErrHotspotNotFound.Wrapf("no hotspot named %s", id)
	case 1:
		return k.Hotspots.Get(ctx, pks[0])
	default:
		return types.Hotspot{}, types.ErrAmbiguousName.Wrapf("%s names %d hotspots: %v", id, len(pks), pks)
	}
}

// RegionPlan returns the named region plan from the current parameters.
func (k *Keeper) RegionPlan(ctx context.Context, region string) (types.RegionPlan, bool, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return types.RegionPlan{}, false, err
	}
	rp, ok := p.RegionPlan(region)
	return rp, ok, nil
}

// HotspotsOf lists an owner's hotspot addresses (owner index).
func (k *Keeper) HotspotsOf(ctx context.Context, owner sdk.AccAddress) ([]string, error) {
	it, err := k.Hotspots.Indexes.Owner.MatchExact(ctx, owner)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	return it.PrimaryKeys()
}

// TransferHooks lets other modules act before a hotspot changes owner
// (x/rewards pays what the old owner is owed).
type TransferHooks interface {
	BeforeHotspotTransfer(ctx context.Context, hotspot string) error
}

// SetTransferHooks installs the hooks; call once while wiring the app.
func (k *Keeper) SetTransferHooks(h TransferHooks) { k.transferHooks = h }
