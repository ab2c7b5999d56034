#!/usr/bin/env bash
# Ingest throughput on the four-validator devnet: a fresh devnet (1 s beacon
# interval, otherwise as `make devnet-up` makes it, no simulated fleet), then
# scripts/loadtest, in a container on the devnet's network, onboards HOTSPOTS
# hotspots through the full node, delivers every beacon to all four
# validators, gossips RATE witness reports per second to them for DURATION and
# checks every one on chain, as `make load` does on one node. Afterwards it
# prints each container's CPU seconds over the load and each validator's
# ingest counters. Results: docs/benchmarks.md. Usage: make load-devnet
# [RATE=1000 HOTSPOTS=300 DURATION=180s PROFILE=1]; the devnet is stopped at the end
# with its data kept in networks/devnet/data (result.json under data/load)
# until `make devnet-down`.
set -euo pipefail
cd "$(dirname "$0")/../networks/devnet"
POCD=${POCD:-../../build/pocd}
COMPOSE=${COMPOSE:-docker-compose}
RATE=${RATE:-1000}
HOTSPOTS=${HOTSPOTS:-300}
DURATION=${DURATION:-180s}
NODES=(val0 val1 val2 val3 full)
VALS=(val0 val1 val2 val3)

[ -x image/loadtest ] || { echo "image/loadtest missing: make load-devnet builds it"; exit 1; }
if [ -e data ]; then echo "networks/devnet/data exists; make devnet-down first"; exit 1; fi
BEACON_INTERVAL=1s POCD=$POCD bash genesis.sh
# pprof on the nodes' container addresses (reachable from this machine and
# the devnet's network only), for profiles under load. PROFILE=1 (any
# non-empty value) writes val0's and the generator's over the publishing to
# data/load/node.pprof and generator.pprof; by hand:
#   curl -o cpu.pprof "http://$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' pocd-devnet_val0_1):6060/debug/pprof/profile?seconds=30"
for n in "${NODES[@]}"; do sed -i 's#^pprof_laddr = .*#pprof_laddr = "0.0.0.0:6060"#' "data/$n/config/config.toml"; done
mkdir -p data/load && chmod a+rwX data/load
trap '$COMPOSE stop >/dev/null 2>&1 || true' EXIT
$COMPOSE up -d "${NODES[@]}"
for i in $(seq 1 180); do
  healthy=0
  for n in "${NODES[@]}"; do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$($COMPOSE ps -q "$n")")" = healthy ] && healthy=$((healthy + 1))
  done
  [ "$healthy" = "${#NODES[@]}" ] && break
  sleep 1
done
[ "$healthy" = "${#NODES[@]}" ] || { echo "devnet not healthy after 180 s"; $COMPOSE ps; exit 1; }

# A container's CPU time in nanoseconds, from its cgroup (v1 cgroupfs or
# systemd driver, or v2).
cpu_ns() {
  local id f
  id=$($COMPOSE ps -q "$1")
  for f in /sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage /sys/fs/cgroup/cpu,cpuacct/docker/$id/cpuacct.usage \
    /sys/fs/cgroup/cpuacct/system.slice/docker-$id.scope/cpuacct.usage; do
    [ -r "$f" ] && { cat "$f"; return; }
  done
  for f in /sys/fs/cgroup/docker/$id/cpu.stat /sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat; do
    [ -r "$f" ] && { echo $(($(sed -n 's/^usage_usec //p' "$f") * 1000)); return; }
  done
  echo 0
}
declare -A CPU0
for n in "${NODES[@]}"; do CPU0[$n]=$(cpu_ns "$n"); done
T0=$(date +%s)

$COMPOSE run --rm load -grpc full:9090 -validator "$(paste -sd, data/sim/validators)" -keyring-dir /data/sim -owner alice \
  -hotspots "$HOTSPOTS" -rate "$RATE" -duration "$DURATION" -key-dir /data/load/hotspot-keys -out /data/load/result.json \
  ${PROFILE:+-profile-dir /data/load -node-pprof val0:6060}

T1=$(date +%s)
echo ">> CPU seconds per container from before onboarding to the last inclusion ($((T1 - T0)) s; the generator's own container is gone):"
for n in "${NODES[@]}"; do
  c=$(cpu_ns "$n")
  awk -v n="$n" -v a="${CPU0[$n]}" -v b="$c" -v s="$((T1 - T0))" 'BEGIN { printf "  %-5s %8.1f s  %.2f cores\n", n, (b - a) / 1e9, (b - a) / 1e9 / s }'
done
echo ">> ingest counters per validator:"
port=26760
for v in "${VALS[@]}"; do
  echo "  $v:"
  curl -s "127.0.0.1:$port/metrics" | grep '^pocd_ingest' | grep -v -e _bucket -e ' 0$' | sed 's/^/    /' || true
  port=$((port + 100))
done
