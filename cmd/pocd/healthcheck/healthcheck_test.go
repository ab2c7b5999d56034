package healthcheck

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func rpc(t *testing.T, code int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/status" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return "tcp://" + strings.TrimPrefix(srv.URL, "http://")
}

func status(height string, catchingUp bool) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":-1,"result":{"sync_info":{"latest_block_height":%q,"catching_up":%t}}}`, height, catchingUp)
}

func run(args ...string) (int, string) {
	var out, errOut bytes.Buffer
	code := Run(args, &out, &errOut)
	return code, out.String() + errOut.String()
}

func TestHealthyWhenTheNodeHasBlocks(t *testing.T) {
	code, out := run("--node", rpc(t, 200, status("42", false)))
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "height 42")
}

func TestUnhealthy(t *testing.T) {
	for name, tc := range map[string]struct {
		node string
		args []string
		want string
	}{
		"no blocks yet":   {node: rpc(t, 200, status("0", false)), want: ErrNoBlocks.Error()},
		"http error":      {node: rpc(t, 500, "{}"), want: "HTTP 500"},
		"not json":        {node: rpc(t, 200, "<html>"), want: "invalid character"},
		"catching up":     {node: rpc(t, 200, status("9", true)), args: []string{"--synced"}, want: "catching up at height 9"},
		"nothing listens": {node: "tcp://127.0.0.1:1", want: "connect"},
		"unix socket":     {node: "unix:///tmp/cmt.sock", want: ErrUnsupportedAddress.Error()},
		"https":           {node: "https://127.0.0.1:26657", want: ErrUnsupportedAddress.Error()},
	} {
		t.Run(name, func(t *testing.T) {
			code, out := run(append([]string{"--node", tc.node}, tc.args...)...)
			require.Equal(t, 1, code, out)
			require.Contains(t, out, tc.want)
		})
	}
	// Catching up is healthy unless --synced asks otherwise: a restarted
	// node must be able to report healthy while it syncs.
	code, out := run("--node", rpc(t, 200, status("9", true)))
	require.Equal(t, 0, code, out)
}

// Docker reserves exit code 2: a bad command line is unhealthy (1).
func TestBadArgumentsExitOne(t *testing.T) {
	code, _ := run("--no-such-flag")
	require.Equal(t, 1, code)
	code, out := run("--node", rpc(t, 200, status("3", false)), "extra")
	require.Equal(t, 1, code)
	require.Contains(t, out, "unexpected arguments")
}
