#!/usr/bin/env bash
# `npm run test:topology`: three simulated hosts (network namespaces vg-h1..3 behind a switch
# namespace vg-br), each with a Galera node, a Neo4j server and an API; faults under load
# (spec/topology/faults.topology.ts, run by mocha inside vg-br, where the clients are).
# Whatever happens, everything it started is killed by pid and its namespaces and data removed.
# Needs root (ip netns), Debian's mariadb-server and galera-4, and the provisioned Neo4j.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export TOPOLOGY_DIR=${TOPOLOGY_DIR:-/tmp/vg-topology}
export GALERA_BASE=$TOPOLOGY_DIR GALERA_NETNS="vg-h1 vg-h2 vg-h3"
export GALERA_ADDRESSES="10.77.0.1 10.77.0.2 10.77.0.3"

if [[ $EUID -ne 0 ]]; then exec sudo -E bash "$0" "$@"; fi
for ns in vg-br vg-h1 vg-h2 vg-h3; do
  if ip netns list | grep -qw "$ns"; then
    echo "test:topology: namespace $ns exists (another run, or a crashed one: bash $here/netns.sh down)" >&2
    exit 1
  fi
done
command -v mariadbd >/dev/null || { echo "test:topology: apt-get install -y mariadb-server" >&2; exit 1; }
[[ -f /usr/lib/galera/libgalera_smm.so ]] || apt-get install -y galera-4

cleanup() {
  local status=$?
  set +e
  for f in "$TOPOLOGY_DIR"/api-*.pid "$TOPOLOGY_DIR"/neo4j-*/pid "$TOPOLOGY_DIR"/galera-*/node.pid; do
    [[ -f $f ]] && kill -KILL "$(cat "$f")" 2>/dev/null
  done
  sleep 0.5
  bash "$here/netns.sh" down
  # The logs outlive the run (the previous run's are replaced): a failure's evidence, and the
  # detail behind a passing run's report.
  local keep=${TOPOLOGY_DIR}-logs
  rm -rf "$keep" && mkdir -p "$keep"
  cp "$TOPOLOGY_DIR"/api-*.log "$keep"/ 2>/dev/null
  for d in "$TOPOLOGY_DIR"/galera-*; do [[ -d $d ]] && cp "$d/error.log" "$keep/$(basename "$d").log"; done
  for d in "$TOPOLOGY_DIR"/neo4j-*; do
    [[ -d $d ]] || continue
    cp "$d/logs/neo4j.log" "$keep/$(basename "$d").log" 2>/dev/null
    cp "$d/logs/debug.log" "$keep/$(basename "$d")-debug.log" 2>/dev/null
  done
  if ((status != 0)); then echo "test:topology: failed; logs kept in $keep" >&2; fi
  rm -rf "$TOPOLOGY_DIR"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$TOPOLOGY_DIR"
mkdir -p "$TOPOLOGY_DIR"
bash "$here/netns.sh" up
cd "$repo"
ip netns exec vg-br npx mocha --config .mocharc.topology.json "$@"
