package types

import (
	"fmt"
	"strconv"
	"strings"
)

// H3 cell indexes are handled here with integer bit operations only, so that
// validation and containment never depend on a C library or floating point.
// Bit layout (from the H3 specification): 1 reserved high bit, 4 mode bits
// (1 = cell), 3 reserved bits, 4 resolution bits, 7 base-cell bits, then
// fifteen 3-bit digits; digits past the resolution are all 7.

// LocationResolution is the only resolution a hotspot may assert.
const LocationResolution = 12

const (
	h3MaxRes        = 15
	h3NumBaseCells  = 122
	h3ResOffset     = 52
	h3BaseCellShift = 45
	h3DigitMask     = 7
)

// pentagon base cells; their first non-zero digit may not be 1 (the deleted
// K-axis subsequence).
var h3PentagonBaseCells = map[uint64]bool{
	4: true, 14: true, 24: true, 38: true, 49: true, 58: true,
	63: true, 72: true, 83: true, 97: true, 107: true, 117: true,
}

// Cell is a validated H3 cell index.
type Cell uint64

// ParseCell parses a hex H3 cell ("8c2a1072b59ffff", optional 0x prefix, any
// case) and validates it as a cell of any resolution.
func ParseCell(s string) (Cell, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
	if t == "" || len(t) > 16 {
		return 0, ErrMalformedCell.Wrapf("%q is not a 64-bit hex H3 index", s)
	}
	v, err := strconv.ParseUint(t, 16, 64)
	if err != nil {
		return 0, ErrMalformedCell.Wrapf("%q is not a 64-bit hex H3 index", s)
	}
	c := Cell(v)
	if err := c.Validate(); err != nil {
		return 0, err
	}
	return c, nil
}

// ParseLocation parses a cell that must be of LocationResolution.
func ParseLocation(s string) (Cell, error) {
	c, err := ParseCell(s)
	if err != nil {
		return 0, err
	}
	if c.Resolution() != LocationResolution {
		return 0, ErrWrongResolution.Wrapf("cell %s has resolution %d, want %d", c, c.Resolution(), LocationResolution)
	}
	return c, nil
}

// Validate applies H3's isValidCell rules.
func (c Cell) Validate() error {
	v := uint64(c)
	if v>>56 != 0b00001000 { // high bit 0, mode 1, reserved 0
		return ErrMalformedCell.Wrapf("%s is not an H3 cell index (mode/reserved bits)", c)
	}
	bc := c.BaseCell()
	if bc >= h3NumBaseCells {
		return ErrMalformedCell.Wrapf("%s has base cell %d >= %d", c, bc, h3NumBaseCells)
	}
	res := c.Resolution()
	firstNonZero := uint64(0)
	for r := 1; r <= h3MaxRes; r++ {
		d := c.Digit(r)
		if r <= res {
			if d == h3DigitMask {
				return ErrMalformedCell.Wrapf("%s has an unused digit at resolution %d", c, r)
			}
			if firstNonZero == 0 && d != 0 {
				firstNonZero = d
			}
		} else if d != h3DigitMask {
			return ErrMalformedCell.Wrapf("%s has a digit past its resolution", c)
		}
	}
	if h3PentagonBaseCells[bc] && firstNonZero == 1 {
		return ErrMalformedCell.Wrapf("%s is in a pentagon's deleted subsequence", c)
	}
	return nil
}

// Resolution returns the cell's resolution (0..15).
func (c Cell) Resolution() int { return int((uint64(c) >> h3ResOffset) & 0xF) }

// BaseCell returns the base cell number.
func (c Cell) BaseCell() uint64 { return (uint64(c) >> h3BaseCellShift) & 0x7F }

// Digit returns the digit for resolution r (1..15).
func (c Cell) Digit(r int) uint64 { return (uint64(c) >> (uint(h3MaxRes-r) * 3)) & h3DigitMask }

// Parent returns the ancestor at resolution res (res <= c.Resolution()).
func (c Cell) Parent(res int) Cell {
	v := uint64(c)
	v = v&^(uint64(0xF)<<h3ResOffset) | uint64(res)<<h3ResOffset
	for r := res + 1; r <= h3MaxRes; r++ {
		v |= h3DigitMask << (uint(h3MaxRes-r) * 3)
	}
	return Cell(v)
}

// String prints the canonical lower-case hex form.
func (c Cell) String() string { return fmt.Sprintf("%x", uint64(c)) }

// PathKey maps a cell to its position in a depth-first ordering of the H3
// hierarchy: the index with the resolution bits cleared. The descendants of any
// cell P at resolution r then occupy the contiguous key range
// [P.PathKey() with digits r+1..15 = 0, P.PathKey() with digits r+1..15 = 7],
// which lets a single index over res-12 locations answer "who is inside P" for
// every resolution with one range scan.
func (c Cell) PathKey() uint64 { return uint64(c) &^ (uint64(0xF) << h3ResOffset) }

// DescendantKeyRange returns the inclusive PathKey range covering c and all
// its descendants.
func (c Cell) DescendantKeyRange() (lo, hi uint64) {
	res := c.Resolution()
	var tail uint64
	for r := res + 1; r <= h3MaxRes; r++ {
		tail |= h3DigitMask << (uint(h3MaxRes-r) * 3)
	}
	k := c.PathKey()
	return k &^ tail, k | tail
}
