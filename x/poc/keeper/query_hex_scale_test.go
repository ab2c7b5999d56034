package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uber/h3-go/v4"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pocnet/pocd/x/poc/types"
)

// A cell at the finest resolution the density rules count is answered; a
// coarser one has no scale of its own and is refused as an argument error.
func TestHexScaleQueryResolutionFloor(t *testing.T) {
	f := setup(t)
	finest := int(types.DefaultParams().HexParams[0].Res)
	res12 := h3.Cell(h3.IndexFromString(cellAt(t, 0, 0)))

	at, err := res12.Parent(finest)
	require.NoError(t, err)
	hs, err := f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: at.String()})
	require.NoError(t, err)
	require.NotZero(t, hs.Scale)

	coarser, err := res12.Parent(finest - 1)
	require.NoError(t, err)
	_, err = f.query.HexScale(f.ctx, &types.QueryHexScaleRequest{Cell: coarser.String()})
	require.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
}
