#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/services.sh: start, stop and inspect the local MariaDB and Neo4j
# servers, through systemd where it runs (a VM) and directly where it does not
# (a container, CI). start waits, bounded, until each accepts connections.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

services_usage() {
  cat <<EOF
Usage: provision/services.sh ACTION [TARGET...] [-q]

ACTION:
  start     start unless running, then wait until each accepts connections
            (MariaDB: MARIADB_START_TIMEOUT=${MARIADB_START_TIMEOUT}s; Neo4j: Bolt and HTTP
            answer, NEO4J_START_TIMEOUT=${NEO4J_START_TIMEOUT}s); exit 1 with the log's last lines on failure
  stop      stop cleanly (mariadb-test and Neo4j: SIGTERM, SIGKILL after
            MARIADB_STOP_TIMEOUT=${MARIADB_STOP_TIMEOUT}s / NEO4J_STOP_TIMEOUT=${NEO4J_STOP_TIMEOUT}s)
  restart   stop, then start
  status    one line each; exit 0 if all are up and accept the configured
            accounts, 3 otherwise (-q: print nothing)
  logs      the last lines of each one's logs
  pause     SIGSTOP every process of each (a hung server, for the fault tests)
  resume    SIGCONT them
TARGET: all (default) | service (the API's servers) | tests (npm test's and the bench's)
        | mariadb (the service's database, port $MARIADB_SERVER_PORT)
        | mariadb-test (the tests' and the benchmark's, port $MARIADB_TEST_SERVER_PORT)
        | neo4j (the service's graph, Bolt :$NEO4J_BOLT_PORT)
        | neo4j-read (the service's second graph, Bolt :$NEO4J_READ_BOLT_PORT; NEO4J_READ_INSTANCE=1)
        | neo4j-test (the tests' and the benchmark's, Bolt :$NEO4J_TEST_BOLT_PORT)
        | neo4j-test-read (the tests' second graph, Bolt :$NEO4J_TEST_READ_BOLT_PORT)
all, service and tests are the servers switched on (the *_INSTANCE settings).
These are the servers on this machine, whatever MARIADB_HOST/MARIADB_PORT or NEO4J_URI say.
start, stop, restart, pause and resume need root and re-execute themselves through sudo.
EOF
}

# --- MariaDB: each function acts on the server selected with vg_md ---
# "mariadb" is Debian's server, run by its own init script or systemd unit; "mariadb-test" is
# a mariadbd of ours (--defaults-file), run by its systemd unit or directly as the mysql user.
declare -A MD_LAUNCH_PID=()

mariadb_log_tail() {
  if vg_has_systemd; then
    journalctl -u "$MD_UNIT" -n 20 --no-pager 2>/dev/null || true
  fi
  if [[ -r "$MD_ERROR_LOG" ]]; then
    echo "--- last lines of $MD_ERROR_LOG"
    tail -n 20 "$MD_ERROR_LOG"
  fi
  return 0
}

# PIDs of the selected server's mariadbd.
mariadb_pids() {
  if [[ "$MD_NAME" == mariadb-test ]]; then
    vg_mariadb_test_pids
  else
    local pid
    pid="$(cat "$MD_PIDFILE" 2>/dev/null || true)"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
    return 0
  fi
}

mariadb_test_has_unit() { vg_has_systemd && [[ -f "$MD_UNIT_FILE" ]]; }

# Start the test server without waiting for it.
mariadb_test_launch() {
  [[ -f "$MD_CNF" && -d "$MD_DATA_DIR/mysql" ]] || vg_die "MariaDB ($MD_NAME) is not installed: run provision/install.sh"
  if mariadb_test_has_unit; then
    systemctl start --no-block "$MD_UNIT"
    return 0
  fi
  local u="$MARIADB_SERVICE_USER" mariadbd as_user=()
  mariadbd="$(command -v mariadbd)"
  [[ "$u" != "$(id -un)" ]] && as_user=(setpriv --reuid="$u" --regid="$u" --init-groups --)
  install -d -o "$u" -g "$u" -m 0750 "$MD_RUN_DIR"
  # Own session, so neither a test runner's process group nor a closing terminal takes the
  # server down with it; no fd 9 (the provisioning lock).
  (cd / && exec setsid "${as_user[@]}" "$mariadbd" --defaults-file="$MD_CNF" \
    >>"$MD_LOG_DIR/mariadbd.out" 2>&1 </dev/null 9>&-) &
  MD_LAUNCH_PID[$MD_NAME]=$!
}

# (9>&-: a daemon must not inherit the lock that vg_lock holds on fd 9.)
mariadb_service() {
  if [[ "$MD_NAME" == mariadb-test ]]; then
    case "$1" in
      start) mariadb_test_launch ;;
      stop) mariadb_test_stop ;;
    esac
  elif vg_has_systemd; then
    systemctl "$1" mariadb
  elif command -v service >/dev/null 2>&1; then
    service mariadb "$1" >/dev/null 9>&-
  else
    /etc/init.d/mariadb "$1" >/dev/null 9>&-
  fi
}

mariadb_start() {
  if vg_mariadb_alive; then
    vg_log "$MD_NAME: already running on $MD_PROBE_HOST:$MD_PORT"
    return 0
  fi
  command -v mariadbd >/dev/null 2>&1 || vg_die "MariaDB is not installed: run provision/install.sh"
  vg_log "$MD_NAME: starting"
  local t0=$SECONDS
  mariadb_service start || true # the wait below decides
  if ! vg_wait_until "$MARIADB_START_TIMEOUT" mariadb_up_or_gone; then
    mariadb_log_tail >&2
    vg_die "MariaDB ($MD_NAME) did not accept connections on $MD_PROBE_HOST:$MD_PORT within ${MARIADB_START_TIMEOUT}s"
  fi
  if ! vg_mariadb_alive; then
    mariadb_log_tail >&2
    vg_die "MariaDB ($MD_NAME) exited during start (log: $MD_ERROR_LOG)"
  fi
  vg_log "$MD_NAME: ready on $MD_PROBE_HOST:$MD_PORT after $((SECONDS - t0)) s (pid $(mariadb_pids | paste -sd, -))"
}

# Up, or (the test server, started here) its process has exited.
mariadb_up_or_gone() {
  vg_mariadb_alive && return 0
  local pid="${MD_LAUNCH_PID[$MD_NAME]:-}"
  [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null
}

# The API logs in as MARIADB_USER; say so loudly if that cannot work.
mariadb_check_login() {
  vg_mariadb_login_ok && return 0
  vg_die "MariaDB ($MD_NAME) is up but $MARIADB_USER cannot log in to database $MD_DATABASE" \
    "on $MD_PROBE_HOST:$MD_PORT: run provision/install.sh (or provision/ensure.sh)"
}

mariadb_gone() { [[ -z "$(mariadb_pids)" ]]; }

# The test server: its unit, or SIGTERM (a clean shutdown), SIGKILL after MARIADB_STOP_TIMEOUT.
mariadb_test_stop() {
  if mariadb_test_has_unit && systemctl is-active --quiet "$MD_UNIT"; then
    systemctl stop "$MD_UNIT"
  fi
  local pids
  pids="$(mariadb_pids)"
  [[ -n "$pids" ]] || return 0
  # shellcheck disable=SC2086 # one pid a word
  kill -TERM $pids 2>/dev/null || true
  if ! vg_wait_until "$MARIADB_STOP_TIMEOUT" mariadb_gone; then
    vg_warn "MariaDB ($MD_NAME) did not stop within ${MARIADB_STOP_TIMEOUT}s: killing it"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    vg_wait_until 10 mariadb_gone || vg_die "could not kill MariaDB ($MD_NAME, pid $pids)"
  fi
}

mariadb_stop() {
  if ! vg_mariadb_alive && mariadb_gone; then
    vg_log "$MD_NAME: not running"
    return 0
  fi
  local t0=$SECONDS
  vg_log "$MD_NAME: stopping (pid $(mariadb_pids | paste -sd, -))"
  mariadb_service stop
  vg_log "$MD_NAME: stopped after $((SECONDS - t0)) s"
}

mariadb_restart() {
  mariadb_stop
  mariadb_start
}

mariadb_status() {
  if ! vg_mariadb_alive; then
    echo "$MD_NAME: not running ($MD_PROBE_HOST:$MD_PORT)"
    return 3
  fi
  if vg_mariadb_login_ok; then
    echo "$MD_NAME: running (pid $(mariadb_pids | paste -sd, -)), ${MARIADB_USER}@${MD_PROBE_HOST}:${MD_PORT}/${MD_DATABASE} can log in"
    return 0
  fi
  echo "$MD_NAME: running on $MD_PROBE_HOST:$MD_PORT, but $MARIADB_USER cannot use database $MD_DATABASE (run provision/install.sh)"
  return 3
}

# --- Neo4j: each function acts on the server selected with vg_n4 ---
declare -A N4_LAUNCH_PID=() N4_LAUNCHED=()

neo4j_log_tail() {
  local f
  for f in "$N4_LOG_DIR/neo4j.log" "$N4_STDOUT_LOG"; do
    [[ -s "$f" ]] || continue
    echo "--- last lines of $f"
    tail -n 25 "$f"
  done
}

neo4j_has_unit() { vg_has_systemd && [[ -f "$N4_UNIT_FILE" ]]; }

# Is a server process there, or about to be (launcher, systemd activating)?
neo4j_alive() {
  [[ -n "$(vg_neo4j_pids)" ]] && return 0
  if neo4j_has_unit; then
    # A Type=simple unit is "active" before its launcher has exec'd java;
    # "activating" also covers Restart=on-failure waiting to try again.
    case "$(systemctl is-active "$N4_UNIT" 2>/dev/null)" in
      active | activating | reloading) return 0 ;;
    esac
  fi
  local pid="${N4_LAUNCH_PID[$N4_NAME]:-}"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

# Start the server without waiting for it.
neo4j_launch() {
  [[ -x "$N4_LAUNCHER" ]] || vg_die "Neo4j ($N4_NAME) is not installed: run provision/install.sh"
  vg_log "$N4_NAME: starting"
  N4_LAUNCHED[$N4_NAME]=1
  touch "$N4_STDOUT_LOG"
  chown "$NEO4J_SERVICE_USER:" "$N4_STDOUT_LOG" 2>/dev/null || true
  printf '=== %s start requested by provision/services.sh\n' "$(date -u '+%F %T')" >>"$N4_STDOUT_LOG"
  if neo4j_has_unit; then
    systemctl start "$N4_UNIT"
  else
    vg_as_neo4j_prefix
    # Own session, so neither a test runner's process group nor a closing
    # terminal takes the server down with it.
    (cd / && exec setsid "${VG_AS_NEO4J[@]}" "$N4_LAUNCHER" >>"$N4_STDOUT_LOG" 2>&1 </dev/null 9>&-) &
    N4_LAUNCH_PID[$N4_NAME]=$!
  fi
}

neo4j_start() {
  local t0=$SECONDS
  if [[ -z "${N4_LAUNCHED[$N4_NAME]:-}" ]]; then
    if [[ -z "$(vg_neo4j_pids)" ]]; then
      neo4j_launch
    elif vg_neo4j_ready; then
      vg_log "$N4_NAME: already running ($(neo4j_describe))"
      neo4j_check_auth
      return 0
    else
      vg_log "$N4_NAME: process found, waiting for it to accept connections"
    fi
  fi
  local deadline=$((SECONDS + NEO4J_START_TIMEOUT))
  until vg_neo4j_ready; do
    if ! neo4j_alive; then
      neo4j_log_tail >&2
      vg_die "Neo4j ($N4_NAME) exited during start (logs: $N4_LOG_DIR)"
    fi
    if ((SECONDS >= deadline)); then
      neo4j_log_tail >&2
      vg_die "Neo4j ($N4_NAME) did not accept Bolt on :$N4_BOLT_PORT and HTTP on :$N4_HTTP_PORT" \
        "within ${NEO4J_START_TIMEOUT}s (logs: $N4_LOG_DIR)"
    fi
    sleep 0.25
  done
  N4_LAUNCHED[$N4_NAME]=
  vg_log "$N4_NAME: ready after $((SECONDS - t0)) s ($(neo4j_describe))"
  neo4j_check_auth
}

neo4j_describe() {
  local info version edition
  info="$(curl -s --max-time 2 "http://$N4_PROBE_HOST:$N4_HTTP_PORT/" || true)"
  version="$(sed -n 's/.*"neo4j_version":"\([^"]*\)".*/\1/p' <<<"$info")"
  edition="$(sed -n 's/.*"neo4j_edition":"\([^"]*\)".*/\1/p' <<<"$info")"
  printf 'Neo4j %s %s, pid %s, bolt://%s:%s, http://%s:%s/browser/' "${version:-?}" "${edition:-?}" \
    "$(vg_neo4j_pids | paste -sd, -)" "$N4_PROBE_HOST" "$N4_BOLT_PORT" "$N4_PROBE_HOST" "$N4_HTTP_PORT"
}

json_escape() {
  local s="${1//\\/\\\\}"
  printf '%s' "${s//\"/\\\"}"
}

# The API logs in as NEO4J_USER; say so loudly if that cannot work.
neo4j_check_auth() {
  local code
  code="$(vg_neo4j_auth_status)"
  [[ "$code" == 200 ]] && return 0
  if [[ "$code" == 401 && "$NEO4J_USER" != neo4j && "$(vg_neo4j_auth_status neo4j "$NEO4J_PASSWORD")" == 200 ]]; then
    # A non-default account: create it with the admin's (same) password.
    vg_log "$N4_NAME: creating Neo4j user '$NEO4J_USER'"
    local body
    body="{\"statements\":[{\"statement\":\"CREATE USER \$u IF NOT EXISTS SET PLAINTEXT PASSWORD \$p CHANGE NOT REQUIRED\",\"parameters\":{\"u\":\"$(json_escape "$NEO4J_USER")\",\"p\":\"$(json_escape "$NEO4J_PASSWORD")\"}}]}"
    # The credentials and the body (which holds the password) go in a config on stdin (-K -),
    # not on the command line.
    {
      printf 'user = %s\n' "$(vg_curl_quote "neo4j:$NEO4J_PASSWORD")"
      printf 'data = %s\n' "$(vg_curl_quote "$body")"
    } | curl -K - -s --max-time 10 -H 'Content-Type: application/json' \
      "http://$N4_PROBE_HOST:$N4_HTTP_PORT/db/system/tx/commit" >/dev/null
    [[ "$(vg_neo4j_auth_status)" == 200 ]] && return 0
  fi
  vg_die "Neo4j ($N4_NAME) is up but refuses user '$NEO4J_USER' with NEO4J_PASSWORD (HTTP $code)." \
    "The password is set only before the first start; to reset it, stop this server, remove" \
    "$N4_DATA_DIR and run provision/ensure.sh"
}

neo4j_gone() { [[ -z "$(vg_neo4j_pids)" ]]; }

neo4j_stop() {
  local t0=$SECONDS pids stopped=0
  if neo4j_has_unit && systemctl is-active --quiet "$N4_UNIT"; then
    vg_log "$N4_NAME: stopping ($N4_UNIT.service)"
    systemctl stop "$N4_UNIT"
    stopped=1
  fi
  # Also (or, without systemd, only) the server processes themselves.
  pids="$(vg_neo4j_pids)"
  if [[ -n "$pids" ]]; then
    vg_log "$N4_NAME: stopping (pid $(paste -sd, - <<<"$pids"))"
    # shellcheck disable=SC2086 # one pid a word
    kill -TERM $pids 2>/dev/null || true
    if ! vg_wait_until "$NEO4J_STOP_TIMEOUT" neo4j_gone; then
      vg_warn "Neo4j ($N4_NAME) did not stop within ${NEO4J_STOP_TIMEOUT}s: killing it"
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      vg_wait_until 10 neo4j_gone || vg_die "could not kill Neo4j ($N4_NAME, pid $pids)"
    fi
  elif ((!stopped)); then
    vg_log "$N4_NAME: not running"
    return 0
  fi
  rm -f "$N4_PIDFILE"
  vg_log "$N4_NAME: stopped after $((SECONDS - t0)) s"
}

neo4j_restart() {
  neo4j_stop
  neo4j_start
}

neo4j_status() {
  if [[ -z "$(vg_neo4j_pids)" ]]; then
    echo "$N4_NAME: not running"
    return 3
  fi
  if ! vg_neo4j_ready; then
    echo "$N4_NAME: starting (pid $(vg_neo4j_pids | paste -sd, -)), not yet accepting connections"
    return 3
  fi
  local code
  code="$(vg_neo4j_auth_status)"
  if [[ "$code" != 200 ]]; then
    echo "$N4_NAME: running ($(neo4j_describe)), but refuses user $NEO4J_USER (HTTP $code)"
    return 3
  fi
  echo "$N4_NAME: running ($(neo4j_describe))"
}

# pause / resume: SIGSTOP / SIGCONT every process of server $1 (pids $2), as a hang would.
signal_server() {
  local name="$1" pids="$2" signal="$3"
  [[ -n "$pids" ]] || vg_die "$name is not running"
  # shellcheck disable=SC2086 # one pid a word
  kill "-$signal" $pids
  vg_log "$name: SIG$signal sent to pid $(paste -sd, - <<<"$pids")"
}

# --- dispatch ---
# Run ACTION on the named services. start launches the Neo4j servers first,
# since they take longest, and waits for them after MariaDB.
run_action() {
  local action="$1" name rc=0
  shift
  if [[ "$action" == start ]]; then
    for name in "$@"; do
      [[ "$name" == mariadb* ]] && continue
      vg_n4 "$name"
      [[ -z "$(vg_neo4j_pids)" ]] && neo4j_launch
    done
  fi
  # stop in the reverse order of start
  local order=("$@")
  if [[ "$action" == stop ]]; then
    order=()
    for name in "$@"; do order=("$name" "${order[@]}"); done
  fi
  for name in "${order[@]}"; do
    if [[ "$name" == mariadb* ]]; then
      vg_md "$name"
      case "$action" in
        status) mariadb_status || rc=3 ;;
        logs)
          echo "=== $name ($MD_ERROR_LOG)"
          mariadb_log_tail
          ;;
        start | restart)
          "mariadb_$action"
          mariadb_check_login
          ;;
        pause) signal_server "$name" "$(mariadb_pids)" STOP ;;
        resume) signal_server "$name" "$(mariadb_pids)" CONT ;;
        *) "mariadb_$action" ;;
      esac
    else
      vg_n4 "$name"
      case "$action" in
        status) neo4j_status || rc=3 ;;
        logs)
          echo "=== $name ($N4_LOG_DIR)"
          neo4j_log_tail
          ;;
        pause) signal_server "$name" "$(vg_neo4j_pids)" STOP ;;
        resume) signal_server "$name" "$(vg_neo4j_pids)" CONT ;;
        *) "neo4j_$action" ;;
      esac
    fi
  done
  return "$rc"
}

services_main() {
  local action="${1:-}" quiet=0 names=() arg targets=()
  [[ $# -gt 0 ]] && shift
  for arg in "$@"; do
    case "$arg" in
      -q) quiet=1 ;;
      *) names+=("$arg") ;;
    esac
  done
  # Servers only: a tool has no lifecycle.
  for arg in "${names[@]}"; do
    [[ " ${VG_TOOL_NAMES[*]} " == *" $arg "* ]] && names=(unknown)
  done
  if ! vg_targets "${names[@]}"; then
    services_usage >&2
    exit 2
  fi
  targets=("${VG_SERVERS[@]}")

  case "$action" in
    start | stop | restart | pause | resume)
      vg_require_root "$0" "$action" "$@"
      vg_lock
      run_action "$action" "${targets[@]}"
      ;;
    status)
      if ((quiet)); then
        run_action status "${targets[@]}" >/dev/null
      else
        run_action status "${targets[@]}"
      fi
      ;;
    logs) run_action logs "${targets[@]}" ;;
    -h | --help | help) services_usage ;;
    *)
      services_usage >&2
      exit 2
      ;;
  esac
}

# Sourced by install.sh for its functions; run when executed.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  services_main "$@"
fi
