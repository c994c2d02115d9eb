#!/usr/bin/env bash
# .ci/probe-check.sh RESULT_FILE COMMAND [ARGS...]
#
# Runs COMMAND (in CI: the README's `npm test`) while the service runs on its own stores and is
# watched, to check that the tests never touch it (issue 9):
#   1. starts the service as the README does (`npm start`, port PORT, default 5000), which finds
#      its MariaDB and Neo4j or installs and starts them;
#   2. notes the pids of the processes listening on its MariaDB and Neo4j Bolt ports;
#   3. starts the probe loop (ops/probe-cli.ts): sessions of the original protocol and dashboard
#      reads, every answer checked;
#   4. runs COMMAND, its output passed through unchanged;
#   5. stops the probe, which then checks the dashboards and SQL over the service's log against
#      what it sent (and that the rows there before are unchanged), and checks the pids again;
#   6. stops the service.
# Prints one line "probe check: passed|FAILED: …", writes "passed" or "failed" and the probe's
# JSON result to RESULT_FILE, and exits with COMMAND's status (the verdict is in RESULT_FILE).
# shellcheck disable=SC2317 # stop_probe, stop_service and cleanup run from the EXIT trap
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

if [ $# -lt 2 ]; then
  echo "usage: .ci/probe-check.sh RESULT_FILE COMMAND [ARGS...]" >&2
  exit 2
fi
result_file=$1
shift

default() { sed -n "s/^$1=//p" config/defaults.env; }
port=${PORT:-$(default PORT)}
mariadb_port=${MARIADB_PORT:-$(default MARIADB_PORT)}
neo4j_uri=${NEO4J_URI:-$(default NEO4J_URI)}
neo4j_port=${neo4j_uri##*:}
work=$(mktemp -d /tmp/vg-probe-check.XXXXXX)
problems=()
service_pid=
probe_pid=

say() { echo "probe check: $*" >&2; }

# The pid of the process listening on a local TCP port, or nothing.
listener_pid() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2; }

stop_service() {
  [ -n "$service_pid" ] || return 0
  # npm, node and its workers share the process group setsid gave them.
  kill -TERM -- "-$service_pid" 2>/dev/null
  for _ in $(seq 1 300); do
    kill -0 -- "-$service_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$service_pid" 2>/dev/null
  service_pid=
}

stop_probe() {
  [ -n "$probe_pid" ] || return 0
  kill -TERM "$probe_pid" 2>/dev/null
  wait "$probe_pid" 2>/dev/null
  probe_pid=
}

cleanup() {
  stop_probe
  stop_service
}
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
  local status=$1 verdict
  verdict=$(grep -h '"event":"result"' "$work/probe.jsonl" 2>/dev/null | tail -n1)
  if [ ${#problems[@]} -eq 0 ]; then
    printf 'passed\n%s\n' "$verdict" >"$result_file"
    echo "probe check: passed: $(node -e 'console.log(JSON.parse(process.argv[1]).verdict)' "$verdict"); MariaDB pid $mariadb_pid and Neo4j pid $neo4j_pid kept"
    rm -rf "$work"
  else
    printf 'failed\n%s\n' "$verdict" >"$result_file"
    echo "probe check: FAILED: $(printf '%s; ' "${problems[@]}")"
    # shellcheck disable=SC2016 # JavaScript, not shell, in the single quotes
    [ -n "$verdict" ] && node -e '
      const r = JSON.parse(process.argv[1]);
      for (const s of r.failureSamples ?? []) console.log(`  failure: ${s}`);
      for (const d of r.dashboards?.differences ?? []) console.log(`  dashboards: ${d}`);
      for (const d of r.log?.differences ?? []) console.log(`  log: ${d}`);' "$verdict"
    echo "  (service log, probe output: $work)"
    tail -n 20 "$work/service.log" | sed 's/^/  service: /'
  fi
  exit "$status"
}

if [ -n "$(listener_pid "$port")" ]; then
  problems+=("port $port is in use (pid $(listener_pid "$port")): stop what listens there first")
  say "${problems[0]}; running the command without the check"
  "$@"
  finish $?
fi

# 1. The service, as the README starts it, in a process group of its own.
say "starting the service (npm start, port $port; log $work/service.log)"
PORT=$port setsid npm start >"$work/service.log" 2>&1 &
service_pid=$!
ready=0
for _ in $(seq 1 1800); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; then
    ready=1
    break
  fi
  kill -0 "$service_pid" 2>/dev/null || break
  sleep 0.5
done

mariadb_pid=$(listener_pid "$mariadb_port")
neo4j_pid=$(listener_pid "$neo4j_port")
# A service just started plans its Cypher and opens its pools on the first requests, which on a
# busy machine can take longer than a dashboard's bound: one session and dashboard reads until
# they answer, before anything is measured (the probe's own count starts after this session).
warm_up() {
  local uuid bound
  bound=$(date -u +%F)/$(date -u -d tomorrow +%F)
  uuid=$(cat /proc/sys/kernel/random/uuid)
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$port/initial?uuid=$uuid&symbol=e" || return 1
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$port/followup?uuid=$uuid" || return 1
  for _ in $(seq 1 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/dashboard/range/$bound" &&
      curl -fs -o /dev/null "http://127.0.0.1:$port/dashboard/series/$bound?grain=hour" &&
      curl -fs -o /dev/null "http://127.0.0.1:$port/dashboard/symbol/e" &&
      return 0
    sleep 1
  done
  return 1
}

if [ "$ready" -eq 1 ] && ! warm_up; then
  problems+=("the service did not answer its dashboards within 2 minutes of starting")
elif [ "$ready" -eq 1 ] && [ -n "$mariadb_pid" ] && [ -n "$neo4j_pid" ]; then
  say "service ready; its MariaDB (:$mariadb_port) pid $mariadb_pid, Neo4j (:$neo4j_port) pid $neo4j_pid"
  # 2. The probe loop, once it has read the log's state.
  # node itself (not npx) gets the SIGTERM that ends the loop and starts the checks.
  PORT=$port node --import tsx ops/probe-cli.ts >"$work/probe.jsonl" 2>"$work/probe.err" &
  probe_pid=$!
  for _ in $(seq 1 600); do
    grep -q '"event":"started"' "$work/probe.jsonl" 2>/dev/null && break
    kill -0 "$probe_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '"event":"started"' "$work/probe.jsonl"; then
    problems+=("the probe did not start: $(cat "$work/probe.jsonl" "$work/probe.err" | tail -n 3)")
  fi
elif [ "$ready" -eq 0 ]; then
  problems+=("the service did not become ready on :$port")
else
  problems+=("no process listens on the service's MariaDB :$mariadb_port or Neo4j :$neo4j_port")
fi

# 3. The command, unchanged.
"$@"
status=$?

if [ -n "$probe_pid" ]; then
  say "stopping the probe; it checks the dashboards and the log"
  kill -TERM "$probe_pid" 2>/dev/null
  wait "$probe_pid"
  probe_status=$?
  probe_pid=
  if [ "$probe_status" -ne 0 ]; then
    reason=$(grep -h '"event":"error"' "$work/probe.jsonl" | tail -n1)
    problems+=("the probe found failures or differences (exit $probe_status)${reason:+: $reason}")
  fi
  now_mariadb=$(listener_pid "$mariadb_port")
  now_neo4j=$(listener_pid "$neo4j_port")
  [ "$now_mariadb" = "$mariadb_pid" ] ||
    problems+=("the service's MariaDB pid changed: $mariadb_pid, now ${now_mariadb:-none}")
  [ "$now_neo4j" = "$neo4j_pid" ] ||
    problems+=("the service's Neo4j pid changed: $neo4j_pid, now ${now_neo4j:-none}")
  kill -0 "$service_pid" 2>/dev/null || problems+=("the service exited during the run")
fi
stop_service
finish "$status"
