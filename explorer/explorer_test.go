package explorer_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/stretchr/testify/require"

	"github.com/pocnet/pocd/explorer"
)

type appOpts map[string]any

func (o appOpts) Get(k string) any { return o[k] }

func get(t *testing.T, h http.Handler, method, target string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	bz, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return string(bz)
}

// The prefix serves index.html; the bare prefix redirects to it.
func TestServesIndex(t *testing.T) {
	h := explorer.Handler()
	r := get(t, h, http.MethodGet, "/explorer/")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	b := body(t, r)
	require.Contains(t, b, `<script src="app.js"></script>`)
	require.Contains(t, b, `id="search"`)
	require.Contains(t, r.Header.Get("Content-Security-Policy"), "connect-src 'self'")
	require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))

	r = get(t, h, http.MethodGet, "/explorer/index.html")
	require.Equal(t, http.StatusOK, r.StatusCode)

	r = get(t, h, http.MethodGet, "/explorer")
	require.Equal(t, http.StatusMovedPermanently, r.StatusCode)
	require.Equal(t, "/explorer/", r.Header.Get("Location"))

	r = get(t, h, http.MethodHead, "/explorer/")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Empty(t, body(t, r))
}

// Assets come with their content types and an ETag that revalidates.
func TestAssetsContentTypes(t *testing.T) {
	h := explorer.Handler()
	for path, ct := range map[string]string{
		"/explorer/app.js":                      "text/javascript; charset=utf-8",
		"/explorer/style.css":                   "text/css; charset=utf-8",
		"/explorer/basemap/countries-50m.bin":   "application/octet-stream",
		"/explorer/basemap/countries-10m.bin":   "application/octet-stream",
		"/explorer/basemap/LICENSE-world-atlas": "text/plain; charset=utf-8",
	} {
		r := get(t, h, http.MethodGet, path)
		require.Equal(t, http.StatusOK, r.StatusCode, path)
		require.Equal(t, ct, r.Header.Get("Content-Type"), path)
		require.NotEmpty(t, body(t, r), path)
		etag := r.Header.Get("ETag")
		require.NotEmpty(t, etag, path)
		r = get(t, h, http.MethodGet, path, "If-None-Match", etag)
		require.Equal(t, http.StatusNotModified, r.StatusCode, path)
	}
	// The bundle is the app, not a placeholder: it calls the REST API by
	// relative URLs on the same origin.
	js := body(t, get(t, h, http.MethodGet, "/explorer/app.js"))
	require.Contains(t, js, "/pocd/hotspot/v1/hotspots")
	require.Contains(t, js, "/pocd/rewards/v1/emission")
	for _, u := range strings.Split(js, "http")[1:] {
		require.True(t, strings.HasPrefix(u, "://www.w3.org/2000/svg"), "no absolute URL but the SVG namespace: http%.40s", u)
	}
}

// Unknown files, directories, path tricks, other prefixes and other
// methods are refused.
func TestNotFound(t *testing.T) {
	h := explorer.Handler()
	for _, path := range []string{
		"/explorer/nope.js", "/explorer/basemap/", "/explorer/basemap", "/explorer/../go.mod",
		"/explorer//index.html", "/explorer/./app.js", "/other/index.html", "/",
	} {
		r := get(t, h, http.MethodGet, path)
		require.Equal(t, http.StatusNotFound, r.StatusCode, path)
	}
	r := get(t, h, http.MethodPost, "/explorer/")
	require.Equal(t, http.StatusMethodNotAllowed, r.StatusCode)
}

// [explorer] enable switches the mount on the API server's router; absent
// (an app.toml from before the explorer) means on.
func TestEnableSwitch(t *testing.T) {
	require.True(t, explorer.DefaultConfig().Enable)
	require.True(t, explorer.ConfigFromAppOptions(appOpts{}).Enable)
	require.False(t, explorer.ConfigFromAppOptions(appOpts{"explorer.enable": false}).Enable)
	require.False(t, explorer.ConfigFromAppOptions(appOpts{"explorer.enable": "false"}).Enable)
	require.True(t, explorer.ConfigFromAppOptions(appOpts{"explorer.enable": true}).Enable)

	on := mux.NewRouter()
	require.True(t, explorer.Mount(on, explorer.Config{Enable: true}))
	r := get(t, on, http.MethodGet, "/explorer/")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, body(t, r), "app.js")
	r = get(t, on, http.MethodGet, "/explorer/style.css")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, http.StatusMovedPermanently, get(t, on, http.MethodGet, "/explorer").StatusCode)

	off := mux.NewRouter()
	require.False(t, explorer.Mount(off, explorer.Config{Enable: false}))
	require.Equal(t, http.StatusNotFound, get(t, off, http.MethodGet, "/explorer/").StatusCode)
	require.Equal(t, http.StatusNotFound, get(t, off, http.MethodGet, "/explorer/app.js").StatusCode)
}

// The app.toml section renders with the default.
func TestConfigTemplate(t *testing.T) {
	require.True(t, strings.Contains(explorer.ConfigTemplate, "[explorer]\nenable = {{ .Explorer.Enable }}"))
}
