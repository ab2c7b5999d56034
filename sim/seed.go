package sim

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"

	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/geo"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

// SeedCells lays out the res-12 cells of a state seeded with n hotspots,
// four to a cell (a distinct cell per hotspot would cost a big-float cell
// centre each: minutes at a million): the cells lie about 1 km apart on
// lines of longitude 1,000 km long (3 lines at 10,000 hotspots, 25 at
// 100,000). Hotspot i sits in cells[i%len(cells)]; centres are the cells'
// stored centres. BenchmarkGrowth and scripts/querybench seed with it.
func SeedCells(n int) (cells []uint64, centres []hotspottypes.Vec3, err error) {
	cells = make([]uint64, max(1, n/4))
	centres = make([]hotspottypes.Vec3, len(cells))
	for i := range cells {
		lat := 32 + 9*float64(i%1000)/1000 + 0.0001*float64(i/1000%97)
		lng := -122 + 11*float64(i/1000)/float64(len(cells)/1000+1)
		cell, err := h3.LatLngToCell(h3.NewLatLng(lat, lng), hotspottypes.LocationResolution)
		if err != nil {
			return nil, nil, err
		}
		cells[i] = uint64(cell)
		cc := geo.CellCenter(cells[i])
		centres[i] = hotspottypes.Vec3{X: cc.X, Y: cc.Y, Z: cc.Z}
	}
	return cells, centres, nil
}

// SeedPubkey is seeded hotspot i's ed25519 public key (its seed is
// SHA-256 of i, big-endian).
func SeedPubkey(i int) []byte {
	return []byte(SeedKey(i).Public().(ed25519.PublicKey))
}

// SeedKey is seeded hotspot i's key, for benchmarks that sign its reports.
func SeedKey(i int) ed25519.PrivateKey {
	seed := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
	return ed25519.NewKeyFromSeed(seed[:])
}
