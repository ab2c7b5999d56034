#!/usr/bin/env bash
# Generates the devnet: four validator homes (val0..val3), a full node (full)
# and a node that joins later by state sync (sync) under networks/devnet/data,
# one genesis with four gentxs, peers by container name, ingest on for
# validators (peered with each other) and off for the others, snapshots on
# validators, the cosmovisor layout of each node, and the fleet owner's
# keyring for the simulator. Runs the host's ./build/pocd ($POCD).
# Re-running refuses to overwrite.
#
# UPGRADE_NAME=v2 (the upgrade test) starts the chain on the previous release
# (/bin/pocd-prev in the image; POCD must then be that binary too) with this
# tree's /bin/pocd waiting in cosmovisor/upgrades/v2. Without it, nodes start
# on /bin/pocd.
set -euo pipefail
cd "$(dirname "$0")"
POCD=${POCD:-../../build/pocd}
DATA=${DEVNET_DATA:-$PWD/data}
CHAIN_ID=${CHAIN_ID:-pocd-devnet}
VALS=(val0 val1 val2 val3)

if [ -e "$DATA" ]; then echo "$DATA exists; make devnet-down first"; exit 1; fi
mkdir -p "$DATA/gentx" "$DATA/sim"
kr() { echo --keyring-backend test --home "$DATA/$1"; }

for n in "${VALS[@]}" full sync; do
  "$POCD" init "$n" --chain-id "$CHAIN_ID" --home "$DATA/$n" >/dev/null 2>&1
done
G=$DATA/val0/config/genesis.json
# The fleet owner (alice) lives in the simulator's keyring.
"$POCD" keys add alice --keyring-backend test --home "$DATA/sim" >/dev/null 2>&1
"$POCD" genesis add-genesis-account "$("$POCD" keys show alice -a --keyring-backend test --home "$DATA/sim")" 100000000000000bones --home "$DATA/val0"
for v in "${VALS[@]}"; do
  "$POCD" keys add validator $(kr "$v") >/dev/null 2>&1
  "$POCD" keys add relayer $(kr "$v") >/dev/null 2>&1
  for k in validator relayer; do
    "$POCD" genesis add-genesis-account "$("$POCD" keys show $k -a $(kr "$v"))" 100000000000000bones --home "$DATA/val0"
  done
done
for v in "${VALS[@]}"; do
  [ "$v" = val0 ] || cp "$G" "$DATA/$v/config/genesis.json"
  "$POCD" genesis gentx validator 10000000000000bones --chain-id "$CHAIN_ID" --ip "$v" $(kr "$v") \
    --output-document "$DATA/gentx/$v.json" >/dev/null 2>&1
done
"$POCD" genesis collect-gentxs --gentx-dir "$DATA/gentx" --home "$DATA/val0" >/dev/null 2>&1
# Each validator's ingest peer ID (`ingest address` creates the ingest key).
declare -A NODE_ID INGEST_ID
for v in "${VALS[@]}"; do
  INGEST_ID[$v]=$("$POCD" ingest address --home "$DATA/$v" | sed -n 1p | sed 's#.*/p2p/##')
done
# Each validator registers its own relayer key (ingest's relayer-key) as the
# account that relays PoCs for it, and its ingest host as a peer of the
# private beacon topic.
for v in "${VALS[@]}"; do
  "$POCD" genesis add-relayer "$("$POCD" keys show validator --bech val -a $(kr "$v"))" \
    "$("$POCD" keys show relayer -a $(kr "$v"))" --ingest-peer "${INGEST_ID[$v]}" --home "$DATA/val0"
done
# A PoC epoch every 60 s and a beacon every 30 s: a paid epoch within minutes.
# Proposals are voted on for 20 s (the upgrade test's proposal). The devnet
# load (scripts/load-devnet.sh) sets BEACON_INTERVAL=1s, as `make load` does.
(cd ../.. && go run ./scripts/tunegenesis -genesis "$G" -poc-epoch 60s -beacon-interval "${BEACON_INTERVAL:-30s}" -voting-period 20s)
"$POCD" genesis validate --home "$DATA/val0" >/dev/null

for v in "${VALS[@]}"; do
  NODE_ID[$v]=$("$POCD" comet show-node-id --home "$DATA/$v")
done
# Everyone's peers, except itself.
peers_of() {
  local out="" v
  for v in "${VALS[@]}"; do [ "$v" = "$1" ] || out="$out${out:+,}${NODE_ID[$v]}@$v:26656"; done
  echo "$out"
}
ingest_peers_of() {
  local out="" v
  for v in "${VALS[@]}"; do [ "$v" = "$1" ] || out="$out${out:+, }\"/dns4/$v/tcp/26670/p2p/${INGEST_ID[$v]}\""; done
  echo "$out"
}
for n in "${VALS[@]}" full sync; do
  [ "$n" = val0 ] || cp "$G" "$DATA/$n/config/genesis.json"
  c=$DATA/$n/config
  sed -i -e "s#^persistent_peers = .*#persistent_peers = \"$(peers_of "$n")\"#" \
    -e 's#^laddr = "tcp://127.0.0.1:26657"#laddr = "tcp://0.0.0.0:26657"#' \
    -e 's#^prometheus_listen_addr = .*#prometheus_listen_addr = "0.0.0.0:26660"#' \
    -e 's/^timeout_commit = .*/timeout_commit = "1s"/' \
    -e 's/^addr_book_strict = .*/addr_book_strict = false/' \
    -e 's/^allow_duplicate_ip = .*/allow_duplicate_ip = true/' "$c/config.toml"
  sed -i -e 's#^address = "tcp://localhost:1317"#address = "tcp://0.0.0.0:1317"#' \
    -e 's#^address = "localhost:9090"#address = "0.0.0.0:9090"#' \
    -e 's#^listen = \["/ip4/0.0.0.0/tcp/26670", "/ip4/0.0.0.0/udp/26670/quic-v1"\]#listen = ["/ip4/0.0.0.0/tcp/26670"]#' \
    -e "s#^peers = \[\]#peers = [$(ingest_peers_of "$n")]#" \
    -e 's/^witness-window = .*/witness-window = "5s"/' -e 's/^witness-admission = .*/witness-admission = "2500ms"/' -e 's/^max-conns-per-ip = .*/max-conns-per-ip = 1024/' "$c/app.toml"
done
# The full node serves apps and the sync node joins late; neither ingests.
for n in full sync; do
  awk 'BEGIN{s=""} /^\[/{s=$0} { if (s=="[ingest]" && $0 ~ /^enable = /) print "enable = false"; else print }' \
    "$DATA/$n/config/app.toml" > "$DATA/$n/config/app.toml.new" && mv "$DATA/$n/config/app.toml.new" "$DATA/$n/config/app.toml"
done
# The sync node peers with the full node too; the test turns on [statesync]
# with a trust height and hash read from the running chain.
sed -i -e "s#^persistent_peers = .*#persistent_peers = \"$(peers_of none),$("$POCD" comet show-node-id --home "$DATA/full")@full:26656\"#" "$DATA/sync/config/config.toml"
# Validators serve state-sync snapshots every 25 blocks, two kept.
for v in "${VALS[@]}"; do
  sed -i -e 's/^snapshot-interval = .*/snapshot-interval = 25/' -e 's/^snapshot-keep-recent = .*/snapshot-keep-recent = 2/' "$DATA/$v/config/app.toml"
done
# cosmovisor's layout in each node's home (DAEMON_HOME), pointing at the
# image's binaries (the links resolve inside the containers).
for n in "${VALS[@]}" full; do
  cv=$DATA/$n/cosmovisor
  mkdir -p "$cv/genesis/bin"
  if [ -n "${UPGRADE_NAME:-}" ]; then
    ln -s /bin/pocd-prev "$cv/genesis/bin/pocd"
    mkdir -p "$cv/upgrades/$UPGRADE_NAME/bin"
    ln -s /bin/pocd "$cv/upgrades/$UPGRADE_NAME/bin/pocd"
  else
    ln -s /bin/pocd "$cv/genesis/bin/pocd"
  fi
done
for v in "${VALS[@]}"; do echo "/dns4/$v/tcp/26670/p2p/${INGEST_ID[$v]}"; done > "$DATA/sim/validators"
chmod -R a+rwX "$DATA"
echo "devnet $CHAIN_ID generated in $DATA"
