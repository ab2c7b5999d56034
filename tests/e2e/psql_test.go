package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// postgres is a PostgreSQL server of the test's own: Debian's postgresql
// binaries, a fresh cluster in a temporary directory, listening on a free
// loopback port, stopped and removed at the end.
type postgres struct {
	t    *testing.T
	bin  string // the directory holding initdb, pg_ctl and psql
	dir  string
	port int
	cred *syscall.Credential // the postgres user's, when the test runs as root
}

// startPostgres starts one. Without the binaries the test skips, except in
// CI (POCD_CI set), where it fails: .ci/run installs them.
func startPostgres(t *testing.T) *postgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Strings(bins)
	if len(bins) == 0 {
		msg := "the psql event sink test needs PostgreSQL: apt-get install -y postgresql"
		if os.Getenv("POCD_CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	pg := &postgres{t: t, bin: filepath.Dir(bins[len(bins)-1]), port: freePorts(t, 1)[0]}
	dir, err := os.MkdirTemp("", "pocd-pg-")
	require.NoError(t, err)
	pg.dir = dir
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	// PostgreSQL refuses to run as root: run it as the postgres user, in a
	// directory it owns.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		require.NoError(t, err, "the postgresql package creates the postgres user")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		pg.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		require.NoError(t, os.Chmod(dir, 0o755))
		require.NoError(t, os.Chown(dir, uid, gid))
	}
	data := filepath.Join(dir, "data")
	pg.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
	pg.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, dir))
	t.Cleanup(func() { pg.run("pg_ctl", "-D", data, "-m", "fast", "-w", "stop") })
	return pg
}

// run runs one of the server's programs as its user and returns stdout.
func (pg *postgres) run(name string, args ...string) string {
	pg.t.Helper()
	cmd := exec.Command(filepath.Join(pg.bin, name), args...)
	cmd.Dir = pg.dir
	if pg.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred}
	}
	out, err := cmd.Output()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(pg.dir, "log"))
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		pg.t.Fatalf("%s %s: %v\n%s%s\nserver log:\n%s", name, strings.Join(args, " "), err, out, stderr, log)
	}
	return string(out)
}

// sql runs statements against a database and returns the unaligned output.
func (pg *postgres) sql(db, statements string) string {
	pg.t.Helper()
	return strings.TrimSpace(pg.run("psql", "-h", "127.0.0.1", "-p", strconv.Itoa(pg.port), "-U", "postgres", "-d", db,
		"-v", "ON_ERROR_STOP=1", "-At", "-c", statements))
}

func (pg *postgres) url(db string) string {
	return fmt.Sprintf("postgresql://postgres@127.0.0.1:%d/%s?sslmode=disable", pg.port, db)
}

// TestPsqlEventSink is the operator's full event search (docs/operator-guide.md,
// "Disk"): CometBFT's psql event sink, with the schema this repository ships,
// in a real PostgreSQL, and every event indexed.
func TestPsqlEventSink(t *testing.T) {
	// Light (one idle node each): runs beside the other parallel test after the heavy ones.
	t.Parallel()
	pg := startPostgres(t)
	pg.sql("postgres", "CREATE DATABASE pocd")
	schema, err := os.ReadFile("../../third_party/cometbft/psql/schema.sql")
	require.NoError(t, err)
	pg.sql("pocd", string(schema))

	n := newNode(t, "pocd-e2e-psql")
	addrs := n.initChain("alice")
	n.rewriteConfig("config.toml", func(section, line string) string {
		switch {
		case section == "[tx_index]" && strings.HasPrefix(line, "indexer = "):
			return `indexer = "psql"`
		case section == "[tx_index]" && strings.HasPrefix(line, "psql-conn = "):
			return fmt.Sprintf("psql-conn = %q", pg.url("pocd"))
		}
		return line
	})
	n.rewriteConfig("app.toml", func(section, line string) string {
		if strings.HasPrefix(line, "index-events = ") {
			return "index-events = []" // every event
		}
		return line
	})
	n.start()
	n.waitHeight(2, 90*time.Second)
	// With the psql sink CometBFT serves no transaction search (/tx,
	// /tx_search, so no `query wait-tx`): the transaction is awaited in
	// PostgreSQL, as an app would.
	keyFile := filepath.Join(n.home, "hs.key")
	n.mustRun("hotspot-key", "generate", keyFile)
	var signed struct {
		PubKey    string `json:"pubkey_hex"`
		Signature string `json:"signature_hex"`
		Mode      string `json:"mode"`
		Address   string `json:"address"`
	}
	require.NoError(t, json.Unmarshal([]byte(n.mustRun("hotspot-key", "sign-add", keyFile, addrs["alice"], "--chain-id", n.chainID)), &signed))
	out := n.mustRun("tx", "hotspot", "add-hotspot", signed.PubKey, signed.Mode, signed.Signature, "--from", "alice",
		"--keyring-backend", "test", "--chain-id", n.chainID, "--node", n.nodeFlag(),
		"--gas", "auto", "--gas-adjustment", "1.5", "--gas-prices", gasPrices, "-y", "-o", "json")
	var res struct {
		Code   int    `json:"code"`
		TxHash string `json:"txhash"`
	}
	require.NoError(t, json.Unmarshal([]byte(lastJSON(out)), &res), out)
	require.Zero(t, res.Code, out)
	require.Eventually(t, func() bool {
		return pg.sql("pocd", fmt.Sprintf("SELECT count(*) FROM tx_results WHERE tx_hash = '%s'", res.TxHash)) == "1"
	}, 60*time.Second, 250*time.Millisecond, "transaction %s not in PostgreSQL", res.TxHash)

	// The transaction, its message and the typed hotspot event are there,
	// searchable by SQL.
	txs := pg.sql("pocd", "SELECT count(*) FROM tx_events WHERE composite_key = 'message.action' AND value = '/pocd.hotspot.v1.MsgAddHotspot'")
	require.Equal(t, "1", txs)
	added := pg.sql("pocd", "SELECT value FROM tx_events WHERE type = 'pocd.hotspot.v1.EventHotspotAdded' AND key = 'address'")
	require.Equal(t, strconv.Quote(signed.Address), added)
	// Nothing is filtered: coin_spent, left out of the default list, is here.
	spent := pg.sql("pocd", fmt.Sprintf("SELECT count(*) FROM tx_events WHERE composite_key = 'coin_spent.spender' AND value = '%s'", addrs["alice"]))
	require.NotEqual(t, "0", spent)
	// Block events too, from the blocks' own begin and end.
	require.NotEqual(t, "0", pg.sql("pocd", "SELECT count(*) FROM block_events WHERE height > 1"))
	require.Equal(t, "pocd-e2e-psql", pg.sql("pocd", "SELECT DISTINCT chain_id FROM blocks"))
}
