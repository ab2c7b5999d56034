package types_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"

	"github.com/pocnet/pocd/x/hotspot/types"
)

func TestParseCell(t *testing.T) {
	cases := []struct {
		in     string
		res    int
		target error
	}{
		{"8928308280fffff", 9, nil},   // H3 documentation example (San Francisco)
		{"0x8928308280FFFFF", 9, nil}, // prefix and upper case
		{"8c28308280c01ff", 12, nil},
		{"8001fffffffffff", 0, nil}, // base cell 0 at res 0
		{"", 0, types.ErrMalformedCell},
		{"hello", 0, types.ErrMalformedCell},
		{"18928308280fffff", 0, types.ErrMalformedCell},      // 17 hex digits
		{"8c2a1072b59ffff", 0, types.ErrMalformedCell},       // digit 11 is 7 before the resolution ends
		{"1928308280fffff", 0, types.ErrMalformedCell},       // mode 0
		{"89f7ffffffffffff"[:15], 0, types.ErrMalformedCell}, // base cell 127 >= 122
		{"8928308280ff0ff", 0, types.ErrMalformedCell},       // digit past the resolution is not 7
		{"81087ffffffffff", 0, types.ErrMalformedCell},       // pentagon base cell 4, first non-zero digit 1 (deleted)
		{"82080ffffffffff", 0, types.ErrMalformedCell},       // ... also after a leading 0
		{"820817fffffffff", 2, nil},                          // pentagon base cell 4, digits 0,2
		{"810a7ffffffffff", 1, nil},                          // hexagon base cell 5 may use digit 1
	}
	for _, tc := range cases {
		c, err := types.ParseCell(tc.in)
		if tc.target != nil {
			require.ErrorIs(t, err, tc.target, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.res, c.Resolution(), tc.in)
	}
	// Every child H3 lists for a pentagon is accepted.
	parent := h3.Cell(0x8009fffffffffff) // base cell 4, res 0
	require.True(t, parent.IsPentagon())
	kids, err := parent.Children(2)
	require.NoError(t, err)
	for _, k := range kids {
		_, err := types.ParseCell(fmt.Sprintf("%x", uint64(k)))
		require.NoError(t, err, k.String())
	}
}

func TestParseLocationResolution(t *testing.T) {
	_, err := types.ParseLocation("8c28308280c01ff")
	require.NoError(t, err)
	_, err = types.ParseLocation("8928308280fffff")
	require.ErrorIs(t, err, types.ErrWrongResolution)
}

// Parent and DescendantKeyRange agree with the reference C implementation.
func TestCellHierarchyMatchesH3(t *testing.T) {
	ll := h3.NewLatLng(37.7759, -122.4180)
	leaf, err := h3.LatLngToCell(ll, 12)
	require.NoError(t, err)
	c, err := types.ParseLocation(leaf.String())
	require.NoError(t, err)
	for res := 0; res <= 12; res++ {
		want, err := leaf.Parent(res)
		require.NoError(t, err)
		require.Equal(t, want.String(), c.Parent(res).String(), "res %d", res)

		lo, hi := c.Parent(res).DescendantKeyRange()
		require.True(t, lo <= c.PathKey() && c.PathKey() <= hi, "leaf inside its res-%d ancestor's range", res)
		// A neighbour outside the ancestor is outside the range.
		ring, err := want.GridDisk(1)
		require.NoError(t, err)
		for _, n := range ring {
			if n == want {
				continue
			}
			nc, err := n.CenterChild(12)
			require.NoError(t, err)
			k := types.Cell(uint64(nc)).PathKey()
			require.False(t, lo <= k && k <= hi, "neighbour %s of %s inside range", n, want)
		}
	}
}

// FuzzParseCell: never panics, accepts exactly what H3's isValidCell accepts,
// and accepted cells print back to the same index.
func FuzzParseCell(f *testing.F) {
	for _, s := range []string{"8928308280fffff", "8c28308280c01ff", "8009fffffffffff", "81087ffffffffff", "0x0", "ffffffffffffffff", "", "8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := types.ParseCell(s)
		if err != nil {
			require.ErrorIs(t, err, types.ErrMalformedCell)
			return
		}
		require.True(t, h3.Cell(uint64(c)).IsValid(), "accepted %s but H3 rejects it", c)
		again, err := types.ParseCell(c.String())
		require.NoError(t, err)
		require.Equal(t, c, again)
	})
}

// FuzzCellValidateMatchesH3 compares on raw 64-bit values, which reach far
// more of the bit patterns than hex strings do.
func FuzzCellValidateMatchesH3(f *testing.F) {
	for _, v := range []uint64{0x8928308280fffff, 0x8c28308280c01ff, 0x8009fffffffffff, 0x81087ffffffffff, 0, 1 << 63} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v uint64) {
		ours := types.Cell(v).Validate() == nil
		require.Equal(t, h3.Cell(v).IsValid(), ours, "%x", v)
	})
}
