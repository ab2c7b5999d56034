#!/usr/bin/env bash
# Initialises (once) and starts a one-validator pocd chain under ./.localnet.
# Re-running resumes the same chain. A funded test key "alice" is created in
# the test keyring. Override with POCD (binary), LOCALNET_HOME, CHAIN_ID.
set -euo pipefail
cd "$(dirname "$0")/.."

POCD=${POCD:-./build/pocd}
HOME_DIR=${LOCALNET_HOME:-$PWD/.localnet}
CHAIN_ID=${CHAIN_ID:-pocd-local}
KR=(--keyring-backend test --home "$HOME_DIR")

if [ ! -f "$HOME_DIR/config/genesis.json" ]; then
  echo ">> initialising $CHAIN_ID in $HOME_DIR"
  "$POCD" init localnet --chain-id "$CHAIN_ID" --home "$HOME_DIR" >/dev/null 2>&1
  "$POCD" keys add validator "${KR[@]}" >/dev/null 2>&1
  "$POCD" keys add alice "${KR[@]}" >/dev/null 2>&1
  # 1,000,000 HNT each; the validator bonds 100,000 HNT.
  "$POCD" genesis add-genesis-account validator 100000000000000bones "${KR[@]}"
  "$POCD" genesis add-genesis-account alice 100000000000000bones "${KR[@]}"
  "$POCD" genesis gentx validator 10000000000000bones --chain-id "$CHAIN_ID" "${KR[@]}" >/dev/null 2>&1
  "$POCD" genesis collect-gentxs --home "$HOME_DIR" >/dev/null 2>&1
  "$POCD" genesis validate --home "$HOME_DIR"
  # one-second blocks for a local chain
  sed -i 's/^timeout_commit = .*/timeout_commit = "1s"/' "$HOME_DIR/config/config.toml"
  "$POCD" config set client chain-id "$CHAIN_ID" --home "$HOME_DIR" >/dev/null
  "$POCD" config set client keyring-backend test --home "$HOME_DIR" >/dev/null
else
  echo ">> resuming $CHAIN_ID from $HOME_DIR"
fi

cat <<INFO
>> alice: $("$POCD" keys show alice -a "${KR[@]}")
>> RPC http://127.0.0.1:26657  gRPC 127.0.0.1:9090  REST http://127.0.0.1:1317  metrics :26660 and :1317/metrics?format=prometheus
>> try: $POCD query hotspot params --home $HOME_DIR
INFO
exec "$POCD" start --home "$HOME_DIR"
