#!/usr/bin/env bash
# Hotspot query latency through gRPC on a real one-validator node whose
# genesis holds HOTSPOTS hotspots (scripts/querybench says how they are
# laid out). A fresh chain under ./.querynet (wiped first). Results:
# docs/benchmarks.md ("Growth"). Usage: make query-bench [HOTSPOTS=100000]
# [IAVL_CACHE=nodes] [QUERYBENCH=a prebuilt scripts/querybench binary]
set -euo pipefail
cd "$(dirname "$0")/.."
POCD=${POCD:-./build/pocd}
HOME_DIR=${QUERYNET_HOME:-$PWD/.querynet}
HOTSPOTS=${HOTSPOTS:-10000}
QUERIES=${QUERIES:-200}
KR=(--keyring-backend test --home "$HOME_DIR")

rm -rf "$HOME_DIR"
"$POCD" init query --chain-id pocd-query --home "$HOME_DIR" >/dev/null 2>&1
# IAVL_CACHE: the node's iavl-cache-size (nodes per store); unset keeps pocd init's.
if [ -n "${IAVL_CACHE:-}" ]; then
  sed -i "s/^iavl-cache-size = .*/iavl-cache-size = $IAVL_CACHE/" "$HOME_DIR/config/app.toml"
  grep -q "^iavl-cache-size = $IAVL_CACHE\$" "$HOME_DIR/config/app.toml"
fi
"$POCD" keys add validator "${KR[@]}" >/dev/null 2>&1
"$POCD" genesis add-genesis-account validator 100000000000000bones "${KR[@]}"
"$POCD" genesis gentx validator 10000000000000bones --chain-id pocd-query "${KR[@]}" >/dev/null 2>&1
"$POCD" genesis collect-gentxs --home "$HOME_DIR" >/dev/null 2>&1
${QUERYBENCH:-go run ./scripts/querybench} seed -genesis "$HOME_DIR/config/genesis.json" -hotspots "$HOTSPOTS"
echo ">> genesis: $(du -h "$HOME_DIR/config/genesis.json" | cut -f1) with $HOTSPOTS hotspots"

start=$(date +%s.%N)
setsid "$POCD" start --home "$HOME_DIR" >"$HOME_DIR/pocd.log" 2>&1 &
NODE=$!
trap 'kill -TERM $NODE 2>/dev/null; wait $NODE 2>/dev/null || true' EXIT
for i in $(seq 1 1800); do
  h=$(curl -s 127.0.0.1:26657/status | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p' || true)
  [ "${h:-0}" -ge 2 ] && break
  kill -0 $NODE 2>/dev/null || { tail -20 "$HOME_DIR/pocd.log"; exit 1; }
  sleep 1
done
echo ">> node at height 2 after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $start}") s (genesis import included)"
${QUERYBENCH:-go run ./scripts/querybench} measure -grpc 127.0.0.1:9090 -genesis "$HOME_DIR/config/genesis.json" -queries "$QUERIES" \
  -out "$HOME_DIR/result.json"
# awk: the line is "VmRSS:<tab>[spaces]N kB", with no space from 10 GB on.
echo ">> node RSS after the queries: $(awk '/^VmRSS/ {print $2, $3}' /proc/$NODE/status)"
echo ">> x/hotspot state on disk: application.db $(du -sh "$HOME_DIR/data/application.db" | cut -f1)"
