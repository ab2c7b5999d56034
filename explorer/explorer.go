// Package explorer serves pocd's coverage explorer: a static single-page app
// (explorer/dist, built from explorer/web by scripts/explorer-build.sh and
// committed) that reads only the node's public REST API from the same
// origin. The node mounts it on its API server under Prefix when
// [explorer] enable = true in app.toml (the default); docs/explorer.md.
package explorer

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/spf13/cast"
)

// Prefix is where the API server serves the explorer.
const Prefix = "/explorer/"

//go:embed dist
var dist embed.FS

// Files is the embedded bundle (index.html, app.js, style.css, basemap/).
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed directive guarantees dist exists
	}
	return sub
}

// contentTypes are set explicitly rather than from the host's mime tables.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".bin":  "application/octet-stream",
	".png":  "image/png",
	".svg":  "image/svg+xml",
}

// csp lets the page load only its own files and call only its own origin
// (the node's REST API).
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Handler serves the bundle under Prefix: Prefix itself is index.html (the
// pages are hash routes, so no other path needs the index), the bare prefix
// without its slash redirects to it, files by name with their content type,
// anything else 404. Only GET and HEAD.
func Handler() http.Handler {
	assets := loadAssets(Files())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == strings.TrimSuffix(Prefix, "/") {
			http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
			return
		}
		rel, ok := strings.CutPrefix(r.URL.Path, Prefix)
		if !ok {
			http.NotFound(w, r)
			return
		}
		if rel == "" {
			rel = "index.html"
		}
		a, ok := assets[rel]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "no-referrer")
		// index.html names its assets without a content hash: revalidate.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", a.etag)
		http.ServeContent(w, r, rel, time.Time{}, bytes.NewReader(a.body))
	})
}

// asset is one embedded file, read and hashed once when the handler is built
// rather than on every request.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// loadAssets indexes every regular file of the bundle by its clean relative
// path; a request for any other path (directories, "..", "//") finds none.
func loadAssets(files fs.FS) map[string]asset {
	assets := map[string]asset{}
	err := fs.WalkDir(files, ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		bz, err := fs.ReadFile(files, rel)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(rel)]
		if !ok {
			ct = "text/plain; charset=utf-8"
		}
		sum := sha256.Sum256(bz)
		assets[rel] = asset{body: bz, contentType: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		panic(err) // the bundle is embedded: reading it cannot fail
	}
	return assets
}

// Mount serves Handler under Prefix on the API server's router when the
// explorer is enabled, and reports whether it did.
func Mount(r *mux.Router, cfg Config) bool {
	if !cfg.Enable {
		return false
	}
	h := Handler()
	r.Handle(strings.TrimSuffix(Prefix, "/"), h)
	r.PathPrefix(Prefix).Handler(h)
	return true
}

// Config is app.toml's [explorer] section.
type Config struct {
	// Enable serves the explorer under /explorer/ on the API server.
	Enable bool `mapstructure:"enable"`
}

// DefaultConfig is what `pocd init` writes: on.
func DefaultConfig() Config { return Config{Enable: true} }

// AppOptions is the server's view of app.toml.
type AppOptions interface{ Get(string) any }

// ConfigFromAppOptions reads [explorer], keeping defaults for absent keys
// (an app.toml written before the explorer existed serves it).
func ConfigFromAppOptions(o AppOptions) Config {
	c := DefaultConfig()
	if v := o.Get("explorer.enable"); v != nil {
		c.Enable = cast.ToBool(v)
	}
	return c
}

// ConfigTemplate is appended to the SDK's app.toml template.
const ConfigTemplate = `
###############################################################################
###                           Coverage explorer                             ###
###############################################################################

# A map of the hotspots, their verdicts and rewards, served by the API server
# at /explorer/ (needs [api] enable = true). It reads only the public REST
# API from the browser; docs/explorer.md.
[explorer]
enable = {{ .Explorer.Enable }}
`
