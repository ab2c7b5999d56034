package sim

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/pocnet/pocd/chainclient"
	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

// AntennaGainDdbi and ElevationM are what every simulated hotspot asserts.
const (
	AntennaGainDdbi = 12
	ElevationM      = 5
)

// onboardGasAdjustment multiplies the simulated gas of an onboarding
// transaction.
const onboardGasAdjustment = 1.3

// Onboard adds and asserts every hotspot not yet on chain at its asserted
// cell, ten hotspots (twenty messages) per transaction, signed by the
// owner, who pays the transaction fees (its signer's pricing) besides the
// onboarding and location fees. The hotspot key signs the add payload, as on a real hotspot.
func Onboard(ctx context.Context, conn *grpc.ClientConn, owner *chainclient.Signer, chainID, region string, fleet []*Hotspot, logf func(string, ...any)) error {
	q := hotspottypes.NewQueryClient(conn)
	var todo []*Hotspot
	for _, h := range fleet {
		_, err := q.Hotspot(ctx, &hotspottypes.QueryHotspotRequest{Id: h.Address})
		switch {
		case err == nil:
		case status.Code(err) == codes.NotFound:
			todo = append(todo, h)
		default:
			return err
		}
	}
	if len(todo) == 0 {
		logf("all %d hotspots already on chain", len(fleet))
		return nil
	}
	logf("onboarding %d hotspots (owner %s)", len(todo), owner.Address())
	for start := 0; start < len(todo); start += 10 {
		end := min(start+10, len(todo))
		var msgs []sdk.Msg
		for _, h := range todo[start:end] {
			mode := hotspottypes.HOTSPOT_MODE_FULL
			msgs = append(msgs,
				&hotspottypes.MsgAddHotspot{Owner: owner.Address(), HotspotPubkey: h.Key.PubKey(), Mode: mode,
					HotspotSignature: h.Key.SignAdd(chainID, owner.Address(), mode)},
				&hotspottypes.MsgAssertLocation{Owner: owner.Address(), Hotspot: h.Address, Location: h.Cell,
					Gain: AntennaGainDdbi, Elevation: ElevationM, Region: region},
			)
		}
		// Fees are the gas price times the gas limit: simulate rather
		// than guess, with room for state that changes before inclusion.
		gas, err := owner.EstimateGas(ctx, onboardGasAdjustment, msgs...)
		if err != nil {
			return fmt.Errorf("onboarding: %w", err)
		}
		res, err := owner.Broadcast(ctx, gas, msgs...)
		if err != nil {
			return err
		}
		if !res.OK() {
			return fmt.Errorf("onboarding refused: %s code %d: %s", res.Codespace, res.Code, res.Log)
		}
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		_, err = chainclient.WaitTx(wctx, conn, res.TxHash)
		cancel()
		if err != nil {
			return fmt.Errorf("onboarding: %w", err)
		}
	}
	return nil
}
