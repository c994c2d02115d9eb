#!/usr/bin/env bash
# One Neo4j server per simulated host, inside its namespace vg-hN: Bolt 7687 and HTTP 7474 on
# the namespace's own addresses, authentication off, small memory (NEO4J_TOPOLOGY_HEAP,
# NEO4J_TOPOLOGY_PAGECACHE), data under $TOPOLOGY_DIR/neo4j-N. The java command is the
# provisioned test server's (/opt/vowelgraph/bin/neo4j-test-server, what Neo4j's bootloader
# printed) with this server's configuration directory and heap.
#
#   neo4j-host.sh start N | stop N | kill N
set -euo pipefail
: "${TOPOLOGY_DIR:=/tmp/vg-topology}"
: "${NEO4J_TOPOLOGY_HEAP:=256m}"
: "${NEO4J_TOPOLOGY_PAGECACHE:=128m}"
: "${NEO4J_TOPOLOGY_START_TIMEOUT:=180}"
action=$1 n=$2
base=$TOPOLOGY_DIR/neo4j-$n
launcher=/opt/vowelgraph/bin/neo4j-test-server
template=/opt/vowelgraph/neo4j/conf-test/neo4j.conf

pid() { cat "$base/pid" 2>/dev/null || true; }
running() {
  local p
  p=$(pid)
  [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null
}

start() {
  if running; then
    echo "neo4j-$n: already running (pid $(pid))"
    return 0
  fi
  [[ -x $launcher && -f $template ]] || {
    echo "neo4j-$n: no provisioned Neo4j (run: bash provision/ensure.sh)" >&2
    exit 1
  }
  mkdir -p "$base"/{conf,data,logs,run,import,plugins}
  grep -v -e '^server.directories' -e '^server.default_listen_address' -e '^server.memory' \
    -e '^dbms.security.auth_enabled' -e '^server.bolt.listen_address' \
    -e '^server.http.listen_address' -e '^db.tx_log.rotation' "$template" >"$base/conf/neo4j.conf"
  cat >>"$base/conf/neo4j.conf" <<CONF
server.directories.data=$base/data
server.directories.logs=$base/logs
server.directories.run=$base/run
server.directories.import=$base/import
server.directories.plugins=$base/plugins
server.default_listen_address=0.0.0.0
server.bolt.listen_address=:7687
server.http.listen_address=:7474
dbms.security.auth_enabled=false
server.memory.heap.initial_size=$NEO4J_TOPOLOGY_HEAP
server.memory.heap.max_size=$NEO4J_TOPOLOGY_HEAP
server.memory.pagecache.size=$NEO4J_TOPOLOGY_PAGECACHE
db.tx_log.rotation.retention_policy=100M size
CONF
  local line
  line=$(grep '^cmd=' "$launcher" | sed -e "s#/opt/vowelgraph/neo4j/conf-test#$base/conf#g" \
    -e "s#-Xms[0-9]*[kmg] #-Xms$NEO4J_TOPOLOGY_HEAP #" -e "s#-Xmx[0-9]*[kmg] #-Xmx$NEO4J_TOPOLOGY_HEAP #")
  local cmd
  eval "$line"
  ulimit -n 60000 2>/dev/null || true
  nohup ip netns exec "vg-h$n" "${cmd[@]}" >"$base/logs/stdout.log" 2>&1 &
  echo $! >"$base/pid"
  local t0=$SECONDS
  while ((SECONDS - t0 < NEO4J_TOPOLOGY_START_TIMEOUT)); do
    if ! running; then
      tail -n 20 "$base/logs/stdout.log" >&2
      echo "neo4j-$n: exited during start" >&2
      exit 1
    fi
    if ip netns exec "vg-h$n" bash -c 'exec 3<>/dev/tcp/127.0.0.1/7687' 2>/dev/null &&
      ip netns exec "vg-h$n" curl -sf -o /dev/null http://127.0.0.1:7474/; then
      echo "neo4j-$n: up in $((SECONDS - t0)) s (bolt://10.78.$n.2:7687 in vg-h$n, pid $(pid))"
      return 0
    fi
    sleep 0.5
  done
  echo "neo4j-$n: not up after ${NEO4J_TOPOLOGY_START_TIMEOUT}s; see $base/logs" >&2
  exit 1
}

stop() {
  local signal=$1 p
  p=$(pid)
  running || {
    echo "neo4j-$n: not running"
    return 0
  }
  kill -"$signal" "$p"
  for _ in $(seq 1 300); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$p" 2>/dev/null || true
  rm -f "$base/pid"
  echo "neo4j-$n: stopped ($signal)"
}

case "$action" in
  start) start ;;
  stop) stop TERM ;;
  kill) stop KILL ;;
  *)
    echo "usage: neo4j-host.sh start|stop|kill N" >&2
    exit 2
    ;;
esac
