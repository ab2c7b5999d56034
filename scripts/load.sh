#!/usr/bin/env bash
# Ingest throughput load: a fresh one-validator chain under ./.loadnet (wiped
# first), then scripts/loadtest publishes RATE witness reports per second
# (14 per beacon) from HOTSPOTS hotspots for DURATION and checks every one on
# chain. Results: docs/benchmarks.md. Usage: make load [RATE=2000 ...]
set -euo pipefail
cd "$(dirname "$0")/.."
POCD=${POCD:-./build/pocd}
HOME_DIR=${LOADNET_HOME:-$PWD/.loadnet}
RATE=${RATE:-2000}
HOTSPOTS=${HOTSPOTS:-300}
DURATION=${DURATION:-60s}
FLOOD=${FLOOD:-0} # one registered hotspot floods this many junk witness reports per second
KR=(--keyring-backend test --home "$HOME_DIR")

rm -rf "$HOME_DIR"
"$POCD" init load --chain-id pocd-load --home "$HOME_DIR" >/dev/null 2>&1
for k in validator alice relayer; do "$POCD" keys add "$k" "${KR[@]}" >/dev/null 2>&1; done
for k in validator alice relayer; do "$POCD" genesis add-genesis-account "$k" 100000000000000bones "${KR[@]}"; done
"$POCD" genesis gentx validator 10000000000000bones --chain-id pocd-load "${KR[@]}" >/dev/null 2>&1
"$POCD" genesis collect-gentxs --home "$HOME_DIR" >/dev/null 2>&1
"$POCD" genesis add-relayer validator relayer --ingest-peer "$("$POCD" ingest address --home "$HOME_DIR" | sed -n 1p | sed 's#.*/p2p/##')" "${KR[@]}"
# Each hotspot beacons every HOTSPOTS / (RATE / 14) seconds: allow 1 s.
# RECORD_RETENTION_BLOCKS and ENTROPY_LIFESPAN (a duration; a record goes
# no sooner than twice it after its beacon) let a run see full records
# pruned; the genesis defaults otherwise (3,600 blocks, and 3 minutes).
# Such a run needs WATCH too (below).
go run ./scripts/tunegenesis -genesis "$HOME_DIR/config/genesis.json" -beacon-interval 1s \
  -record-retention-blocks "${RECORD_RETENTION_BLOCKS:-0}" -entropy-lifespan "${ENTROPY_LIFESPAN:-0}"
sed -i 's/^timeout_commit = .*/timeout_commit = "1s"/' "$HOME_DIR/config/config.toml"
sed -i -e 's#^listen = \["/ip4/0.0.0.0/tcp/26670".*#listen = ["/ip4/127.0.0.1/tcp/26670"]#' \
  -e 's/^witness-window = .*/witness-window = "2s"/' -e 's/^witness-admission = .*/witness-admission = "1s"/' -e 's/^relay-jitter = .*/relay-jitter = "0s"/' \
  -e 's/^relay-interval = .*/relay-interval = "200ms"/' \
  -e 's/^max-conns-per-ip = .*/max-conns-per-ip = 1024/' "$HOME_DIR/config/app.toml"

# PEBBLE_CACHE_MB: the application database's block cache ([app-db]
# pebble-cache-mb; pocd init's default otherwise).
if [ -n "${PEBBLE_CACHE_MB:-}" ]; then
  sed -i "s/^pebble-cache-mb = .*/pebble-cache-mb = $PEBBLE_CACHE_MB/" "$HOME_DIR/config/app.toml"
fi

# PRUNING_KEEP_RECENT: state versions kept (pocd init's default otherwise),
# to see the application database's steady growth in a short run.
if [ -n "${PRUNING_KEEP_RECENT:-}" ]; then
  sed -i "s/^pruning-keep-recent = .*/pruning-keep-recent = \"$PRUNING_KEEP_RECENT\"/" "$HOME_DIR/config/app.toml"
fi

# NODE_GOGC: the node's GOGC (its default otherwise), without touching the
# load generator's.
env ${NODE_GOGC:+GOGC=$NODE_GOGC} setsid "$POCD" start --home "$HOME_DIR" >"$HOME_DIR/pocd.log" 2>&1 &
NODE=$!
trap 'kill -TERM $NODE 2>/dev/null; wait $NODE 2>/dev/null || true' EXIT
for i in $(seq 1 120); do
  "$POCD" query poc entropy --home "$HOME_DIR" --node tcp://127.0.0.1:26657 >/dev/null 2>&1 && break
  sleep 1
done
# Disk use of each store, before the load and after it (docs/benchmarks.md, "Disk").
STORES=(application.db blockstore.db state.db tx_index.db evidence.db ingest snapshots)
disk() { for d in "${STORES[@]}"; do du -sb "$HOME_DIR/data/$d" 2>/dev/null | cut -f1 || echo 0; done; }
mapfile -t BEFORE < <(disk)
# DISK_EVERY (seconds): also write each store's size this often, from
# before the load to its end, to $HOME_DIR/disk.tsv (to see what stays
# bounded in a long run).
if [ -n "${DISK_EVERY:-}" ]; then
  (printf 'seconds\t%s\n' "${STORES[*]}" | tr ' ' '\t'; t0=$(date +%s)
   while :; do printf '%s\t%s\n' "$(($(date +%s) - t0))" "$(disk | paste -sd '\t')"; sleep "$DISK_EVERY"; done) >"$HOME_DIR/disk.tsv" &
  SAMPLER=$!
  trap 'kill $SAMPLER 2>/dev/null || true; kill -TERM $NODE 2>/dev/null; wait $NODE 2>/dev/null || true' EXIT
fi
# PROFILE=1 (any non-empty value): CPU profiles of the node and of the
# generator over the publishing, $HOME_DIR/node.pprof and generator.pprof
# (go tool pprof; scripts/cpushare splits them by stage).
# WATCH (a duration): the generator also looks beacons up while it publishes,
# for runs longer than the chain keeps full records.
go run ./scripts/loadtest -grpc 127.0.0.1:9090 -validator "$("$POCD" ingest address --home "$HOME_DIR" | sed -n 1p)" \
  -keyring-dir "$HOME_DIR" -hotspots "$HOTSPOTS" -rate "$RATE" -duration "$DURATION" -flood "$FLOOD" -key-dir "$HOME_DIR/hotspot-keys" \
  -watch "${WATCH:-0}" -out "$HOME_DIR/result.json" ${PROFILE:+-profile-dir "$HOME_DIR" -node-pprof localhost:6060}
mapfile -t AFTER < <(disk)
[ -z "${SAMPLER:-}" ] || { kill "$SAMPLER" 2>/dev/null || true; echo ">> store sizes over the run: $HOME_DIR/disk.tsv"; cat "$HOME_DIR/disk.tsv"; }
INCLUDED=$(sed -n 's/.*"witnesses_included": *\([0-9]*\).*/\1/p' "$HOME_DIR/result.json")
echo ">> disk growth during the load, per witness report included (${INCLUDED:-0}):"
TOTAL=0
for i in "${!STORES[@]}"; do
  g=$((AFTER[i] - BEFORE[i])); TOTAL=$((TOTAL + g))
  printf '  %-14s %12d bytes  %6d B/report\n' "${STORES[i]}" "$g" "$((g / (${INCLUDED:-0} > 0 ? INCLUDED : 1)))"
done
printf '  %-14s %12d bytes  %6d B/report\n' total "$TOTAL" "$((TOTAL / (${INCLUDED:-0} > 0 ? INCLUDED : 1)))"
# The node's user+system CPU over its whole life (onboarding, load, drain).
echo ">> node CPU: $(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f s", ($14 + $15) / hz}' /proc/$NODE/stat) for ${INCLUDED:-0} witness reports included"
echo ">> ingest counters:"
curl -s localhost:26660/metrics | grep '^pocd_ingest' | grep -v _bucket
