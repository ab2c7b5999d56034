#!/usr/bin/env bash
# The main job: a one-validator pocd chain with PoC ingest under ./.localnet,
# and `hotspotd sim` driving a fleet of 50 hotspots in San Francisco against
# it (10 of them cheating). Ctrl-C stops the fleet, prints the summary of what
# the chain accepted, and stops the node. Re-running resumes the same chain
# and fleet.
#
# Overrides: POCD, HOTSPOTD (binaries), LOCALNET_HOME, CHAIN_ID, FLEET (size),
# CITY (sf, nyc, london, berlin), CHEATERS (share), DURATION (e.g. 10m; 0 =
# until Ctrl-C), ADVERSARIES=1 (also run one of each adversary kind,
# docs/simulator.md).
set -euo pipefail
cd "$(dirname "$0")/.."

POCD=${POCD:-./build/pocd}
HOTSPOTD=${HOTSPOTD:-./build/hotspotd}
HOME_DIR=${LOCALNET_HOME:-$PWD/.localnet}
CHAIN_ID=${CHAIN_ID:-pocd-local}
FLEET=${FLEET:-50}
CITY=${CITY:-sf}
CHEATERS=${CHEATERS:-0.2}
DURATION=${DURATION:-0}
ADVERSARIES=${ADVERSARIES:-0}
SIM_EXTRA=()
if [ "$ADVERSARIES" = 1 ]; then SIM_EXTRA+=(--adversaries); fi
KR=(--keyring-backend test --home "$HOME_DIR")

if [ ! -f "$HOME_DIR/config/genesis.json" ]; then
  echo ">> initialising $CHAIN_ID in $HOME_DIR"
  "$POCD" init localnet --chain-id "$CHAIN_ID" --home "$HOME_DIR" >/dev/null 2>&1
  for k in validator alice relayer; do "$POCD" keys add "$k" "${KR[@]}" >/dev/null 2>&1; done
  # 1,000,000 HNT for the validator and alice (the fleet's owner); the
  # validator bonds 100,000 HNT. The relayer key signs MsgSubmitPoc; the
  # validator registers it as its relayer (only registered relayers of
  # bonded validators may relay), with its ingest host's peer ID (only
  # registered ingest peers may join the private beacon topic).
  "$POCD" genesis add-genesis-account validator 100000000000000bones "${KR[@]}"
  "$POCD" genesis add-genesis-account alice 100000000000000bones "${KR[@]}"
  "$POCD" genesis add-genesis-account relayer 100000000000bones "${KR[@]}"
  "$POCD" genesis gentx validator 10000000000000bones --chain-id "$CHAIN_ID" "${KR[@]}" >/dev/null 2>&1
  "$POCD" genesis collect-gentxs --home "$HOME_DIR" >/dev/null 2>&1
  "$POCD" genesis add-relayer validator relayer --ingest-peer "$("$POCD" ingest address --home "$HOME_DIR" | sed -n 1p | sed 's#.*/p2p/##')" "${KR[@]}"
  # A paid PoC epoch every minute and a beacon every 30 s, so a newcomer
  # sees rewards within minutes (mainnet defaults: 24 h and 6 h).
  go run ./scripts/tunegenesis -genesis "$HOME_DIR/config/genesis.json" -poc-epoch 60s -beacon-interval 30s
  "$POCD" genesis validate --home "$HOME_DIR"
  sed -i 's/^timeout_commit = .*/timeout_commit = "1s"/' "$HOME_DIR/config/config.toml"
  # Ingest only on loopback for a local chain.
  sed -i 's#^listen = \["/ip4/0.0.0.0/tcp/26670", "/ip4/0.0.0.0/udp/26670/quic-v1"\]#listen = ["/ip4/127.0.0.1/tcp/26670", "/ip4/127.0.0.1/udp/26670/quic-v1"]#' "$HOME_DIR/config/app.toml"
  "$POCD" config set client chain-id "$CHAIN_ID" --home "$HOME_DIR" >/dev/null
  "$POCD" config set client keyring-backend test --home "$HOME_DIR" >/dev/null
else
  echo ">> resuming $CHAIN_ID from $HOME_DIR"
fi

# The node runs in its own session, so Ctrl-C reaches the fleet first: the
# fleet then waits for its last PoCs and prints its summary before the node
# is stopped.
setsid "$POCD" start --home "$HOME_DIR" >"$HOME_DIR/pocd.log" 2>&1 &
NODE=$!
trap 'kill -TERM $NODE 2>/dev/null; wait $NODE 2>/dev/null || true' EXIT
echo ">> pocd started (log: $HOME_DIR/pocd.log); waiting for the first block"
for i in $(seq 1 120); do
  if "$POCD" query poc entropy --home "$HOME_DIR" --node tcp://127.0.0.1:26657 >/dev/null 2>&1; then break; fi
  if ! kill -0 $NODE 2>/dev/null; then echo "pocd exited; see $HOME_DIR/pocd.log"; tail -20 "$HOME_DIR/pocd.log"; exit 1; fi
  sleep 1
done
VALIDATOR=$("$POCD" ingest address --home "$HOME_DIR" | sed -n 1p)

cat <<INFO
>> chain $CHAIN_ID: RPC http://127.0.0.1:26657  gRPC 127.0.0.1:9090  REST http://127.0.0.1:1317
>> explorer http://127.0.0.1:1317/explorer/   (the fleet on a map, verdicts, rewards; docs/explorer.md)
>> ingest $VALIDATOR
>> watch it (in another terminal):
     $POCD query hotspot hotspots --home $HOME_DIR                 the fleet, with names and owners
     $POCD query poc pocs HOTSPOT_ADDRESS --home $HOME_DIR         a hotspot's beacons and verdicts
     $POCD query poc poc BEACON_ID --home $HOME_DIR                a PoC: open: true for its first 30 s (close grace), then judged
     $POCD query poc relayers --home $HOME_DIR                     the validator's registered relayer
     $POCD query poc witnesses HOTSPOT_ADDRESS --home $HOME_DIR    who witnessed it, valid or why not
     $POCD query rewards epoch 1 --home $HOME_DIR                  a paid epoch (one per minute)
     $POCD query rewards owner \$($POCD keys show alice -a ${KR[*]}) --home $HOME_DIR
     curl -s localhost:26660/metrics | grep pocd_ingest            ingest counters
>> starting a fleet of $FLEET hotspots in $CITY ($CHEATERS cheating); Ctrl-C for the summary
INFO
"$HOTSPOTD" sim --home "$HOME_DIR/hotspotd" --grpc 127.0.0.1:9090 --validator "$VALIDATOR" \
  --owner alice --keyring-dir "$HOME_DIR" --hotspots "$FLEET" --city "$CITY" --cheaters "$CHEATERS" --duration "$DURATION" ${SIM_EXTRA[@]+"${SIM_EXTRA[@]}"}
