#!/usr/bin/env bash
# Builds the coverage explorer's bundle (explorer/dist, embedded in pocd by
# package explorer) from explorer/web: npm ci with the exact versions of
# package-lock.json, then esbuild with deterministic options. Running it twice
# gives byte-identical files.
#
#   scripts/explorer-build.sh           rebuild explorer/dist
#   scripts/explorer-build.sh --check   rebuild into a temp dir and fail if it
#                                       differs from the committed explorer/dist
#
# Building pocd never needs this: the committed bundle is embedded.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WEB="$ROOT/explorer/web"
DIST="$ROOT/explorer/dist"
NICE=(nice -n 19)

mode=build
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

command -v npm >/dev/null || { echo "explorer-build: npm is required (Debian: apt-get install npm)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Dependencies exactly as locked; the npm cache lives and dies with $TMP.
( cd "$WEB" && "${NICE[@]}" npm ci --cache "$TMP/npm-cache" --no-audit --no-fund --loglevel=error >/dev/null )

build() {
  local out=$1
  rm -rf "$out"
  mkdir -p "$out/basemap"
  # Deterministic: no source maps, no timestamps, no legal-comment files,
  # fixed target and charset; esbuild's output depends only on its inputs.
  ( cd "$WEB" && "${NICE[@]}" ./node_modules/.bin/esbuild src/main.ts \
      --bundle --format=iife --platform=browser --target=es2020 --minify \
      --charset=utf8 --legal-comments=none --log-level=warning \
      --outfile="$out/app.js" )
  # early.js: loaded in <head>, starts the map's first REST pages (src/early.ts).
  ( cd "$WEB" && "${NICE[@]}" ./node_modules/.bin/esbuild src/early.ts \
      --bundle --format=iife --platform=browser --target=es2020 --minify \
      --charset=utf8 --legal-comments=none --log-level=warning \
      --outfile="$out/early.js" )
  cp "$WEB/static/index.html" "$WEB/static/style.css" "$out/"
  # Natural Earth outlines (world-atlas, public domain): 1:50m for wide
  # views, 1:10m once zoomed in; projected and quantized by tools/basemap.mjs.
  for scale in 50m 10m; do
    "${NICE[@]}" node "$WEB/tools/basemap.mjs" "$WEB/node_modules/world-atlas/countries-$scale.json" "$out/basemap/countries-$scale.bin" >/dev/null
  done
  cp "$WEB/node_modules/world-atlas/LICENSE" "$out/basemap/LICENSE-world-atlas"
  cp "$WEB/node_modules/h3-js/LICENSE" "$out/LICENSE-h3-js"
  # One fixed mode and mtime, so the tree (not only the bytes) is reproducible.
  find "$out" -type f -exec chmod 0644 {} +
  find "$out" -exec touch -h -d @0 {} +
}

if [ "$mode" = build ]; then
  build "$TMP/dist"
  rm -rf "$DIST"
  cp -a "$TMP/dist" "$DIST"
  (cd "$DIST" && find . -type f | LC_ALL=C sort | xargs sha256sum) > "$TMP/sums"
  echo "explorer-build: wrote $DIST"
  sed 's/^/  /' "$TMP/sums"
else
  build "$TMP/dist"
  if ! diff -r "$TMP/dist" "$DIST" >"$TMP/diff" 2>&1; then
    echo "explorer-check: explorer/dist is not what explorer/web builds:" >&2
    head -20 "$TMP/diff" | cut -c1-200 >&2
    echo "explorer-check: run scripts/explorer-build.sh (make explorer-build) and commit explorer/dist" >&2
    exit 1
  fi
  echo "explorer-check: explorer/dist matches explorer/web"
fi
