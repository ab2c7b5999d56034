package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	reflectpb "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	hotspottypes "github.com/pocnet/pocd/x/hotspot/types"
)

// A res-12 cell in San Francisco and its res-8 ancestor.
const (
	sfCell   = "8c28308280c01ff"
	sfParent = "8828308281fffff"
)

// TestHotspotLifecycle runs the operator path end to end on a real node:
// onboard and assert a hotspot with the CLI, read it back over gRPC (with
// server reflection, as grpcurl would) and REST, transfer it, restart the
// node and find the state intact, then export it.
func TestHotspotLifecycle(t *testing.T) {
	n := newNode(t, "pocd-e2e-1")
	addrs := n.initChain("alice", "bob")
	n.start()
	n.waitHeight(2, 90*time.Second)

	// --- onboard with an offline-signed proof of possession ------------------
	keyFile := filepath.Join(n.home, "hotspot.key")
	var key struct{ Address, Name string }
	require.NoError(t, json.Unmarshal([]byte(n.mustRun("hotspot-key", "generate", keyFile)), &key))
	var signed struct {
		PubKey    string `json:"pubkey_hex"`
		Signature string `json:"signature_hex"`
		Mode      string `json:"mode"`
	}
	require.NoError(t, json.Unmarshal([]byte(n.mustRun("hotspot-key", "sign-add", keyFile, addrs["alice"], "--chain-id", n.chainID)), &signed))

	res := n.tx("tx", "hotspot", "add-hotspot", signed.PubKey, signed.Mode, signed.Signature, "--from", "alice")
	require.EqualValues(t, 0, res["code"], "add-hotspot: %v", res["raw_log"])

	// The same payload again is refused with the registered error.
	out, err := n.run(append([]string{"tx", "hotspot", "add-hotspot", signed.PubKey, signed.Mode, signed.Signature, "--from", "alice",
		"--keyring-backend", "test", "--chain-id", n.chainID, "--node", n.nodeFlag(), "-y", "-o", "json"}, feeFlags(300_000)...)...)
	require.NoError(t, err)
	var dup map[string]any
	require.NoError(t, json.Unmarshal([]byte(lastJSON(out)), &dup))
	if dup["code"].(float64) == 0 { // accepted into the mempool: the block refuses it
		dup = n.waitTx(dup["txhash"].(string))
	}
	require.Equal(t, "hotspot", dup["codespace"])
	require.EqualValues(t, hotspottypes.ErrDuplicateHotspot.ABCICode(), dup["code"])

	res = n.tx("tx", "hotspot", "assert-location", key.Name, sfCell, "12", "5", "US915", "--from", "alice")
	require.EqualValues(t, 0, res["code"], "assert-location: %v", res["raw_log"])

	// --- CLI query by name --------------------------------------------------
	var q struct {
		Hotspot struct{ Address, Location, Mode string }
	}
	requireJSON(t, n.mustRun("query", "hotspot", "hotspot", key.Name, "--node", n.nodeFlag(), "-o", "json"), &q)
	require.Equal(t, key.Address, q.Hotspot.Address)
	require.Equal(t, sfCell, q.Hotspot.Location)
	require.Equal(t, "HOTSPOT_MODE_FULL", q.Hotspot.Mode)
	var locs struct {
		Locations []struct{ Address, Name, Location string }
	}
	requireJSON(t, n.mustRun("query", "hotspot", "locations", "--node", n.nodeFlag(), "-o", "json"), &locs)
	require.Equal(t, []struct{ Address, Name, Location string }{{key.Address, key.Name, sfCell}}, locs.Locations)

	// --- gRPC: reflection lists the service; a typed client reads state ------
	conn := dialGRPC(t, n.grpc)
	services := reflectionServices(t, conn)
	require.Contains(t, services, "pocd.hotspot.v1.Query")
	requireReflectionDescribes(t, conn, "pocd.hotspot.v1.Query")

	qc := hotspottypes.NewQueryClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := qc.Hotspot(ctx, &hotspottypes.QueryHotspotRequest{Id: key.Address})
	require.NoError(t, err)
	require.Equal(t, addrs["alice"], got.Hotspot.Owner)
	require.Equal(t, int32(12), got.Hotspot.Gain)
	require.Equal(t, uint64(1), got.Hotspot.LocationNonce)
	inCell, err := qc.HotspotsInCell(ctx, &hotspottypes.QueryHotspotsInCellRequest{Cell: sfParent})
	require.NoError(t, err)
	require.Len(t, inCell.Hotspots, 1)
	byOwner, err := qc.Hotspots(ctx, &hotspottypes.QueryHotspotsRequest{Owner: addrs["alice"]})
	require.NoError(t, err)
	require.Len(t, byOwner.Hotspots, 1)

	// --- REST ---------------------------------------------------------------
	rest := fmt.Sprintf("http://127.0.0.1:%d", n.api)
	var restHotspot struct {
		Hotspot struct{ Address, Owner, Location string }
	}
	requireJSON(t, string(n.waitHTTP(rest+"/pocd/hotspot/v1/hotspots/"+key.Name, 30*time.Second)), &restHotspot)
	require.Equal(t, key.Address, restHotspot.Hotspot.Address)
	var restLocs struct {
		Locations []struct{ Address, Location string }
	}
	requireJSON(t, string(n.waitHTTP(rest+"/pocd/hotspot/v1/locations?pagination.offset=0&pagination.limit=10", 10*time.Second)), &restLocs)
	require.Equal(t, []struct{ Address, Location string }{{key.Address, sfCell}}, restLocs.Locations)
	var restCell struct{ Hotspots []struct{ Address string } }
	requireJSON(t, string(n.waitHTTP(rest+"/pocd/hotspot/v1/cells/"+sfParent+"/hotspots", 10*time.Second)), &restCell)
	require.Len(t, restCell.Hotspots, 1)
	var restParams struct {
		Params struct {
			RegionPlans []any `json:"region_plans"`
		}
	}
	requireJSON(t, string(n.waitHTTP(rest+"/pocd/hotspot/v1/params", 10*time.Second)), &restParams)
	require.Len(t, restParams.Params.RegionPlans, 11)
	var restList struct{ Hotspots []any }
	requireJSON(t, string(n.waitHTTP(rest+"/pocd/hotspot/v1/hotspots?owner="+addrs["alice"], 10*time.Second)), &restList)
	require.Len(t, restList.Hotspots, 1)
	spec := string(n.waitHTTP(rest+"/openapi/pocd.json", 10*time.Second))
	require.Contains(t, spec, "/pocd/hotspot/v1/cells/{cell}/hotspots")

	// --- operability: metrics on by default, JSON logs ----------------------
	cometMetrics := string(n.waitHTTP(fmt.Sprintf("http://127.0.0.1:%d/metrics", n.prom), 10*time.Second))
	require.Contains(t, cometMetrics, "cometbft_consensus_height")
	sdkMetrics := string(n.waitHTTP(rest+"/metrics?format=prometheus", 10*time.Second))
	require.Contains(t, sdkMetrics, "# TYPE")
	n.requireJSONLogs()

	// --- transfer, then restart and find everything intact --------------------
	res = n.tx("tx", "hotspot", "transfer-hotspot", key.Address, addrs["bob"], "--from", "alice")
	require.EqualValues(t, 0, res["code"], "transfer: %v", res["raw_log"])
	h, err := n.height()
	require.NoError(t, err)

	n.stop()
	require.NoError(t, n.exitErr, "SIGTERM stops the node cleanly (the SDK closed pebble twice: a panic, status 2)")
	n.start()
	n.waitHeight(h+2, 90*time.Second)

	conn = dialGRPC(t, n.grpc)
	qc = hotspottypes.NewQueryClient(conn)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	// Right after a restart the gRPC server can answer before the query
	// context has a committed height; await the first successful answer.
	var lastErr error
	require.Eventually(t, func() bool {
		got, lastErr = qc.Hotspot(ctx2, &hotspottypes.QueryHotspotRequest{Id: key.Name})
		return lastErr == nil
	}, 30*time.Second, 200*time.Millisecond, "gRPC after restart: %v", lastErr)
	require.Equal(t, addrs["bob"], got.Hotspot.Owner, "transfer survived the restart")
	require.Equal(t, sfCell, got.Hotspot.Location)

	// --- export -------------------------------------------------------------
	n.stop()
	exported := n.mustRun("export")
	require.Contains(t, exported, key.Address)
	require.Contains(t, exported, addrs["bob"])
}

func requireJSON(t *testing.T, s string, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal([]byte(lastJSON(s)), v), s)
}

func dialGRPC(t *testing.T, port int) *grpc.ClientConn {
	t.Helper()
	reg := codectypes.NewInterfaceRegistry()
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(reg).GRPCCodec())))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// reflectionServices lists services the way `grpcurl -plaintext host list` does.
func reflectionServices(t *testing.T, conn *grpc.ClientConn) []string {
	t.Helper()
	stream := reflectionStream(t, conn)
	require.NoError(t, stream.Send(&reflectpb.ServerReflectionRequest{
		MessageRequest: &reflectpb.ServerReflectionRequest_ListServices{ListServices: "*"},
	}))
	resp, err := stream.Recv()
	require.NoError(t, err)
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	return names
}

// requireReflectionDescribes checks that the server hands out the file
// descriptor for a symbol, which grpcurl needs to call a method without protos.
func requireReflectionDescribes(t *testing.T, conn *grpc.ClientConn, symbol string) {
	t.Helper()
	stream := reflectionStream(t, conn)
	require.NoError(t, stream.Send(&reflectpb.ServerReflectionRequest{
		MessageRequest: &reflectpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: symbol},
	}))
	resp, err := stream.Recv()
	require.NoError(t, err)
	require.Nil(t, resp.GetErrorResponse(), "reflection error for %s", symbol)
	fds := resp.GetFileDescriptorResponse().GetFileDescriptorProto()
	require.NotEmpty(t, fds)
	found := false
	for _, fd := range fds {
		if strings.Contains(string(fd), "HotspotsInCell") {
			found = true
		}
	}
	require.True(t, found, "descriptor of %s lists its methods", symbol)
}

func reflectionStream(t *testing.T, conn *grpc.ClientConn) reflectpb.ServerReflection_ServerReflectionInfoClient {
	t.Helper()
	// Reflection uses standard protobuf messages: a plain connection.
	plain, err := grpc.NewClient(conn.Target(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { plain.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	stream, err := reflectpb.NewServerReflectionClient(plain).ServerReflectionInfo(ctx)
	require.NoError(t, err)
	return stream
}
