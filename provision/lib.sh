# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the scripts that source this file
# provision/lib.sh: configuration and helpers shared by the provision scripts. Sourced, never
# executed. The defaults come from config/defaults.env (the one place they are defined, which
# lib/config.ts reads too); each can be overridden from the environment (see provision/README.md).

VG_PROVISION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VG_REPO_DIR="$(dirname "$VG_PROVISION_DIR")"

# --- output ---
vg_log() { printf '[vowelgraph] %s\n' "$*" >&2; }
vg_warn() { printf '[vowelgraph] WARNING: %s\n' "$*" >&2; }
vg_die() {
  printf '[vowelgraph] ERROR: %s\n' "$*" >&2
  exit 1
}

# --- settings ---
# Set each KEY=value line of file $1 whose KEY matches the regex $2 and is not set (or empty)
# yet: the first source to give a value wins. Lines that are not KEY=value are skipped.
vg_read_settings() {
  local file="$1" pattern="$2" key value
  while IFS='=' read -r key value || [[ -n "$key" ]]; do
    [[ "$key" =~ $pattern ]] || continue
    [[ -z "${!key:-}" ]] || continue
    value="${value%\"}"
    printf -v "$key" '%s' "${value#\"}"
  done <"$file"
}

# 1. the environment; 2. machine-wide overrides: KEY=value lines (MARIADB_* and NEO4J_* only)
# in /etc/default/vowelgraph, which the API's systemd unit reads too, so every script and the
# API agree however they are started; 3. config/defaults.env.
: "${VG_SETTINGS_FILE:=/etc/default/vowelgraph}"
if [[ -r "$VG_SETTINGS_FILE" ]]; then
  vg_read_settings "$VG_SETTINGS_FILE" '^(MARIADB|NEO4J)_[A-Z0-9_]+$'
elif [[ -e "$VG_SETTINGS_FILE" ]]; then
  vg_warn "$VG_SETTINGS_FILE is not readable by $(id -un) (mode 0640, group vowelgraph):" \
    "its settings apply only where it can be read"
fi
: "${VG_DEFAULTS_FILE:=$VG_REPO_DIR/config/defaults.env}"
[[ -r "$VG_DEFAULTS_FILE" ]] || vg_die "cannot read the defaults file $VG_DEFAULTS_FILE"
vg_read_settings "$VG_DEFAULTS_FILE" '^[A-Z][A-Z0-9_]*$'

# The machine's memory in MiB: its RAM, or the memory limit of its cgroup where that is lower (a
# container sees the host's RAM in /proc/meminfo, but may use only its limit). The limit is read
# at the root of the cgroup tree as this machine sees it: a container's own (cgroup v1 or v2).
vg_mem_total() {
  local total limit file
  total=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null || true)
  for file in "${VG_CGROUP_ROOT:-/sys/fs/cgroup}/memory.max" "${VG_CGROUP_ROOT:-/sys/fs/cgroup}/memory/memory.limit_in_bytes"; do
    limit="$(cat "$file" 2>/dev/null || true)"
    [[ "$limit" =~ ^[0-9]+$ ]] || continue
    limit=$((limit / 1048576))
    ((limit > 0 && limit < ${total:-0})) && total=$limit
  done
  echo "${total:-0}"
}

# A size as defaults.env writes it: RAM/N:MIN is 1/N of the machine's memory (vg_mem_total), at
# least MIN (in MiB, with MIN's unit letter: M or m; G/g floors are converted); anything else is
# used as given. A 4 GiB VM gets sizes that hold the service and a full `npm test` at once; a
# larger machine keeps a large log's indexes and graph in memory.
vg_mem_size() {
  if [[ "$1" =~ ^RAM/([0-9]+):([0-9]+)([MmGg])$ ]]; then
    local n="${BASH_REMATCH[1]}" min="${BASH_REMATCH[2]}" unit="${BASH_REMATCH[3]}" share
    [[ "$unit" == [Gg] ]] && min=$((min * 1024))
    share=$(($(vg_mem_total) / n))
    ((share > min)) || share=$min
    [[ "$unit" == [MG] ]] && unit=M || unit=m
    echo "$share$unit"
  else
    echo "$1"
  fi
}

MARIADB_BUFFER_POOL_SIZE="$(vg_mem_size "$MARIADB_BUFFER_POOL_SIZE")"
MARIADB_TEST_BUFFER_POOL_SIZE="$(vg_mem_size "$MARIADB_TEST_BUFFER_POOL_SIZE")"
NEO4J_HEAP="$(vg_mem_size "$NEO4J_HEAP")"
NEO4J_TEST_HEAP="$(vg_mem_size "$NEO4J_TEST_HEAP")"
NEO4J_READ_HEAP="$(vg_mem_size "$NEO4J_READ_HEAP")"
NEO4J_TEST_READ_HEAP="$(vg_mem_size "$NEO4J_TEST_READ_HEAP")"
NEO4J_PAGECACHE="$(vg_mem_size "$NEO4J_PAGECACHE")"
NEO4J_TEST_PAGECACHE="$(vg_mem_size "$NEO4J_TEST_PAGECACHE")"
NEO4J_READ_PAGECACHE="$(vg_mem_size "$NEO4J_READ_PAGECACHE")"
NEO4J_TEST_READ_PAGECACHE="$(vg_mem_size "$NEO4J_TEST_READ_PAGECACHE")"

# --- where a client connects versus what runs here ---
# MARIADB_HOST/MARIADB_PORT, NEO4J_URI and their _TEST_ twins say where the API and the tests
# connect; MARIADB[_TEST]_SERVER_PORT, *_BIND_ADDRESS, NEO4J[_TEST]_BOLT_PORT and
# *_LISTEN_ADDRESS say what the scripts run on this machine. ensure.sh provisions a server only
# when the address configured for it is that local server ("managed"); any other address is
# connected to as given, and nothing here is installed, reconfigured or restarted for it.
vg_is_loopback() {
  case "$1" in
    127.0.0.1 | localhost | ::1 | '[::1]') return 0 ;;
    *) return 1 ;;
  esac
}

# Host and port of a bolt:// or neo4j:// URI (port 7687 when it has none), as "HOST PORT".
vg_uri_host_port() {
  if [[ "$1" =~ ^[a-z0-9+]+://(\[[^]]*\]|[^]/:?[]+)(:([0-9]+))?(/.*)?$ ]]; then
    echo "${BASH_REMATCH[1]} ${BASH_REMATCH[3]:-7687}"
  else
    return 1
  fi
}

# Whether a client address ($1 host, $2 port) is the local server on port $3.
vg_is_local_server() { vg_is_loopback "$1" && [[ "$2" == "$3" ]]; }

vg_uri_is_local_server() {
  local host_port
  host_port="$(vg_uri_host_port "$1")" || return 1
  # shellcheck disable=SC2086 # "HOST PORT"
  vg_is_local_server $host_port "$2"
}

# Is the server named $1 one that ensure.sh provisions for the current settings?
vg_managed() {
  case "$1" in
    mariadb) vg_is_local_server "$MARIADB_HOST" "$MARIADB_PORT" "$MARIADB_SERVER_PORT" ;;
    mariadb-test)
      [[ "$MARIADB_TEST_INSTANCE" == 1 ]] &&
        vg_is_local_server "$MARIADB_TEST_HOST" "$MARIADB_TEST_PORT" "$MARIADB_TEST_SERVER_PORT"
      ;;
    neo4j) vg_uri_is_local_server "$NEO4J_URI" "$NEO4J_BOLT_PORT" ;;
    neo4j-test) [[ "$NEO4J_TEST_INSTANCE" == 1 ]] && vg_uri_is_local_server "$NEO4J_TEST_URI" "$NEO4J_TEST_BOLT_PORT" ;;
    # The service reaches its second server through NEO4J_URIS; switching it on is the request.
    neo4j-read) [[ "$NEO4J_READ_INSTANCE" == 1 ]] ;;
    neo4j-test-read)
      [[ "$NEO4J_TEST_READ_INSTANCE" == 1 ]] &&
        vg_uri_is_local_server "$NEO4J_TEST_READ_URI" "$NEO4J_TEST_READ_BOLT_PORT"
      ;;
    *) return 1 ;;
  esac
}

# Where the client settings of server $1 point, for messages.
vg_client_address() {
  case "$1" in
    mariadb) echo "MARIADB_HOST:MARIADB_PORT=$MARIADB_HOST:$MARIADB_PORT" ;;
    mariadb-test) echo "MARIADB_TEST_HOST:MARIADB_TEST_PORT=$MARIADB_TEST_HOST:$MARIADB_TEST_PORT" ;;
    neo4j) echo "NEO4J_URI=$NEO4J_URI" ;;
    neo4j-test) echo "NEO4J_TEST_URI=$NEO4J_TEST_URI" ;;
    neo4j-read) echo "NEO4J_URIS=${NEO4J_URIS:-} (NEO4J_READ_INSTANCE=$NEO4J_READ_INSTANCE)" ;;
    neo4j-test-read) echo "NEO4J_TEST_READ_URI=$NEO4J_TEST_READ_URI" ;;
  esac
}

# --- MariaDB: the system of record. "mariadb" is Debian's server (the service's database);
# "mariadb-test" is a second server for the tests and the benchmark, with its own datadir,
# port, socket and configuration file. ---
: "${VG_MARIADB_CNF:=/etc/mysql/mariadb.conf.d/60-vowelgraph.cnf}"
: "${VG_MARIADB_TEST_CNF:=/etc/mysql/vowelgraph-test.cnf}" # outside conf.d: mariadb does not read it
: "${MARIADB_SERVICE_USER:=mysql}"

# The MariaDB servers provisioned here.
vg_mariadb_instances() {
  echo mariadb
  [[ "$MARIADB_TEST_INSTANCE" == 1 ]] && echo mariadb-test
  return 0
}

# Select a MariaDB server: sets the MD_* variables that the MariaDB functions use.
vg_md() {
  MD_NAME="$1"
  case "$1" in
    mariadb)
      MD_CNF="$VG_MARIADB_CNF" MD_PORT="$MARIADB_SERVER_PORT" MD_BIND_ADDRESS="$MARIADB_BIND_ADDRESS"
      MD_BUFFER_POOL_SIZE="$MARIADB_BUFFER_POOL_SIZE" MD_LOG_FILE_SIZE="$MARIADB_LOG_FILE_SIZE"
      MD_DATABASE="$MARIADB_DATABASE" MD_VAR_DIR=/var/lib/mysql MD_DATA_DIR=/var/lib/mysql
      MD_RUN_DIR=/run/mysqld MD_LOG_DIR=/var/log/mysql
      MD_UNIT=mariadb
      ;;
    mariadb-test)
      MD_CNF="$VG_MARIADB_TEST_CNF" MD_PORT="$MARIADB_TEST_SERVER_PORT" MD_BIND_ADDRESS="$MARIADB_TEST_BIND_ADDRESS"
      MD_BUFFER_POOL_SIZE="$MARIADB_TEST_BUFFER_POOL_SIZE" MD_LOG_FILE_SIZE="$MARIADB_TEST_LOG_FILE_SIZE"
      MD_DATABASE="$MARIADB_TEST_DATABASE" MD_VAR_DIR="$MARIADB_TEST_VAR_DIR" MD_DATA_DIR="$MARIADB_TEST_VAR_DIR/data"
      MD_RUN_DIR="$MARIADB_TEST_VAR_DIR/run" MD_LOG_DIR="$MARIADB_TEST_LOG_DIR"
      MD_UNIT=vowelgraph-mariadb-test
      ;;
    *) vg_die "unknown MariaDB server '$1'" ;;
  esac
  MD_SOCKET="$MD_RUN_DIR/mysqld.sock"
  MD_PIDFILE="$MD_RUN_DIR/mysqld.pid"
  MD_ERROR_LOG="$MD_LOG_DIR/error.log"
  MD_UNIT_FILE="/etc/systemd/system/$MD_UNIT.service"
  MD_PROBE_HOST="$(vg_probe_host "$MD_BIND_ADDRESS")"
}

# --- Neo4j: one installation, up to four servers ---
# "neo4j" is the service's graph; "neo4j-test" is a second, smaller server for
# the test suite and benchmarks (Community has one user database per server).
# "neo4j-read" (NEO4J_READ_INSTANCE=1) and "neo4j-test-read" (NEO4J_TEST_READ_INSTANCE=1) are
# a second server of each, with its own full projection (NEO4J_URIS lists both).
if [[ "$NEO4J_SOURCE" == apt ]]; then
  : "${NEO4J_HOME:=/usr/share/neo4j}"
  : "${NEO4J_CONF_DIR:=/etc/neo4j}"
  : "${NEO4J_TEST_CONF_DIR:=/etc/neo4j-test}"
  : "${NEO4J_READ_CONF_DIR:=/etc/neo4j-read}"
  : "${NEO4J_TEST_READ_CONF_DIR:=/etc/neo4j-test-read}"
else
  : "${NEO4J_HOME:=/opt/vowelgraph/neo4j}"
  : "${NEO4J_CONF_DIR:=$NEO4J_HOME/conf}"
  : "${NEO4J_TEST_CONF_DIR:=$NEO4J_HOME/conf-test}"
  : "${NEO4J_READ_CONF_DIR:=$NEO4J_HOME/conf-read}"
  : "${NEO4J_TEST_READ_CONF_DIR:=$NEO4J_HOME/conf-test-read}"
fi
VG_NEO4J_STAMP="$NEO4J_HOME/lib/.vowelgraph-lib"
: "${VG_BIN_DIR:=/opt/vowelgraph/bin}" # generated launchers

# The Neo4j servers provisioned here, in start order.
vg_neo4j_instances() {
  echo neo4j
  [[ "$NEO4J_READ_INSTANCE" == 1 ]] && echo neo4j-read
  [[ "$NEO4J_TEST_INSTANCE" == 1 ]] && echo neo4j-test
  [[ "$NEO4J_TEST_READ_INSTANCE" == 1 ]] && echo neo4j-test-read
  return 0
}

# Every Neo4j server these scripts know, provisioned or not (stopped before the jars change).
VG_NEO4J_NAMES=(neo4j neo4j-read neo4j-test neo4j-test-read)

# Every server provisioned here (services.sh's "all").
vg_all_instances() {
  vg_mariadb_instances
  vg_neo4j_instances
}

# --- targets: what a command needs ---
# "service": the servers of the API (`npm start`, the VM's unit); "tests": the servers of
# `npm test` and `npm run bench`, which never serve the API; "all": both. The tools are programs
# that one command needs, installed with it: chromium (the browser tests'), wrk (the bench's load
# generator); each is the Debian package of the same name.
VG_SERVER_NAMES=(mariadb mariadb-test neo4j neo4j-read neo4j-test neo4j-test-read)
VG_TOOL_NAMES=(chromium wrk)

vg_service_instances() {
  echo mariadb
  echo neo4j
  [[ "$NEO4J_READ_INSTANCE" == 1 ]] && echo neo4j-read
  return 0
}

vg_test_instances() {
  [[ "$MARIADB_TEST_INSTANCE" == 1 ]] && echo mariadb-test
  [[ "$NEO4J_TEST_INSTANCE" == 1 ]] && echo neo4j-test
  [[ "$NEO4J_TEST_READ_INSTANCE" == 1 ]] && echo neo4j-test-read
  return 0
}

# vg_targets ARG...: the servers (VG_SERVERS) and tools (VG_TOOLS) that the arguments name, each
# once, in start order; no argument is "all". Returns 2 on an unknown name.
vg_targets() {
  local arg name names=()
  VG_SERVERS=() VG_TOOLS=()
  (($#)) || set -- all
  for arg in "$@"; do
    case "$arg" in
      all) mapfile -t -O "${#names[@]}" names < <(vg_all_instances && printf '%s\n' "${VG_TOOL_NAMES[@]}") ;;
      service) mapfile -t -O "${#names[@]}" names < <(vg_service_instances) ;;
      tests) mapfile -t -O "${#names[@]}" names < <(vg_test_instances) ;;
      *) names+=("$arg") ;;
    esac
  done
  for name in "${names[@]}"; do
    if [[ " ${VG_SERVER_NAMES[*]} " == *" $name "* ]]; then
      [[ " ${VG_SERVERS[*]} " == *" $name "* ]] || VG_SERVERS+=("$name")
    elif [[ " ${VG_TOOL_NAMES[*]} " == *" $name "* ]]; then
      [[ " ${VG_TOOLS[*]} " == *" $name "* ]] || VG_TOOLS+=("$name")
    else
      vg_warn "unknown target '$name'"
      return 2
    fi
  done
}

# Select a server: sets the N4_* variables that the Neo4j functions use.
vg_n4() {
  N4_NAME="$1"
  case "$1" in
    neo4j)
      N4_CONF_DIR="$NEO4J_CONF_DIR" N4_VAR_DIR="$NEO4J_VAR_DIR" N4_LOG_DIR="$NEO4J_LOG_DIR"
      N4_BOLT_PORT="$NEO4J_BOLT_PORT" N4_HTTP_PORT="$NEO4J_HTTP_PORT"
      N4_HEAP="$NEO4J_HEAP" N4_PAGECACHE="$NEO4J_PAGECACHE"
      N4_LISTEN_ADDRESS="$NEO4J_LISTEN_ADDRESS" N4_ADVERTISED_ADDRESS="$NEO4J_ADVERTISED_ADDRESS"
      ;;
    neo4j-test)
      N4_CONF_DIR="$NEO4J_TEST_CONF_DIR" N4_VAR_DIR="$NEO4J_TEST_VAR_DIR" N4_LOG_DIR="$NEO4J_TEST_LOG_DIR"
      N4_BOLT_PORT="$NEO4J_TEST_BOLT_PORT" N4_HTTP_PORT="$NEO4J_TEST_HTTP_PORT"
      N4_HEAP="$NEO4J_TEST_HEAP" N4_PAGECACHE="$NEO4J_TEST_PAGECACHE"
      N4_LISTEN_ADDRESS="$NEO4J_TEST_LISTEN_ADDRESS" N4_ADVERTISED_ADDRESS=localhost
      ;;
    neo4j-read)
      N4_CONF_DIR="$NEO4J_READ_CONF_DIR" N4_VAR_DIR="$NEO4J_READ_VAR_DIR" N4_LOG_DIR="$NEO4J_READ_LOG_DIR"
      N4_BOLT_PORT="$NEO4J_READ_BOLT_PORT" N4_HTTP_PORT="$NEO4J_READ_HTTP_PORT"
      N4_HEAP="$NEO4J_READ_HEAP" N4_PAGECACHE="$NEO4J_READ_PAGECACHE"
      N4_LISTEN_ADDRESS="$NEO4J_READ_LISTEN_ADDRESS" N4_ADVERTISED_ADDRESS="$NEO4J_ADVERTISED_ADDRESS"
      ;;
    neo4j-test-read)
      N4_CONF_DIR="$NEO4J_TEST_READ_CONF_DIR" N4_VAR_DIR="$NEO4J_TEST_READ_VAR_DIR"
      N4_LOG_DIR="$NEO4J_TEST_READ_LOG_DIR"
      N4_BOLT_PORT="$NEO4J_TEST_READ_BOLT_PORT" N4_HTTP_PORT="$NEO4J_TEST_READ_HTTP_PORT"
      N4_HEAP="$NEO4J_TEST_READ_HEAP" N4_PAGECACHE="$NEO4J_TEST_READ_PAGECACHE"
      N4_LISTEN_ADDRESS="$NEO4J_TEST_READ_LISTEN_ADDRESS" N4_ADVERTISED_ADDRESS=localhost
      ;;
    *) vg_die "unknown Neo4j server '$1'" ;;
  esac
  N4_DATA_DIR="$N4_VAR_DIR/data"
  N4_RUN_DIR="$N4_VAR_DIR/run"
  N4_PIDFILE="$N4_RUN_DIR/neo4j.pid"
  N4_CACHE_DIR="$N4_VAR_DIR/cache"
  N4_STDOUT_LOG="$N4_LOG_DIR/neo4j.out"
  N4_LAUNCHER="$VG_BIN_DIR/$1-server"
  N4_UNIT="vowelgraph-$1"
  N4_UNIT_FILE="/etc/systemd/system/$N4_UNIT.service"
  N4_PROBE_HOST="$(vg_probe_host "$N4_LISTEN_ADDRESS")"
}

# Names passed through sudo when a script re-executes itself as root.
VG_ENV_PATTERN='^(MARIADB_|NEO4J_|VG_|NODE_MAJOR$|DATA_INTERFACE$|APP_|PORT$)'

# --- privileges and locking ---
vg_is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Re-execute the calling script as root via sudo, keeping our settings.
# Usage: vg_require_root "$0" "$@"
vg_require_root() {
  local script="$1"
  shift
  vg_is_root && return 0
  command -v sudo >/dev/null 2>&1 || vg_die "$(basename "$script") must run as root (and sudo is not installed)"
  # A loop, not grep: with none of these variables set, grep would exit 1 and, under set -e and
  # pipefail, end the calling script without a word.
  local name keep=()
  for name in $(compgen -e); do
    [[ "$name" =~ $VG_ENV_PATTERN ]] && keep+=("$name")
  done
  exec sudo ${keep[0]:+--preserve-env="$(IFS=, && echo "${keep[*]}")"} -- bash "$script" "$@"
}

# One provisioning/lifecycle action at a time (concurrent `npm test` runs, for
# example); nested calls see VG_LOCKED and skip it. Daemons started while it is
# held must not inherit fd 9 (start them with 9>&-).
vg_lock() {
  [[ -n "${VG_LOCKED:-}" ]] && return 0
  local lockfile=/run/lock/vowelgraph.lock
  [[ -d /run/lock ]] || lockfile=/tmp/vowelgraph.lock
  exec 9>>"$lockfile"
  flock -w 600 9 || vg_die "timed out waiting for $lockfile"
  export VG_LOCKED=1
}

# --- environment probes ---
# VG_SYSTEMD=auto (default) uses systemd when it is PID 1; yes/no force a mode.
vg_has_systemd() {
  case "${VG_SYSTEMD:-auto}" in
    yes | 1) return 0 ;;
    no | 0) return 1 ;;
    *) [[ -d /run/systemd/system ]] ;;
  esac
}

vg_pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

# Java 17 is what Neo4j 5.26 is built for; pick it even where a newer JDK is the default.
vg_java_home() {
  local candidate
  if [[ -n "${NEO4J_JAVA_HOME:-}" ]]; then
    echo "$NEO4J_JAVA_HOME"
    return
  fi
  for candidate in /usr/lib/jvm/java-17-openjdk-*; do
    [[ -x "$candidate/bin/java" ]] && { echo "$candidate"; return; }
  done
  return 1
}

vg_port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# Poll a command until it succeeds or the timeout (seconds) passes.
vg_wait_until() {
  local timeout="$1"
  shift
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.25
  done
}

# Address to probe a server that listens on $1 (a wildcard means loopback).
vg_probe_host() {
  case "$1" in
    '' | 0.0.0.0 | '::' | '[::]') echo 127.0.0.1 ;;
    *) echo "$1" ;;
  esac
}

# --- templates ---
# Render a template, replacing each @KEY@ with the value of a KEY=value argument, in one pass:
# values pass through byte for byte (no pattern substitution, so neither bash 5.2's
# patsub_replacement `&` nor backslashes change them, and a value holding @OTHER@ stays as it
# is). A @KEY@ without a value is an error.
vg_render() {
  local template="$1" kv key rest out=""
  shift
  local -A values=()
  for kv in "$@"; do values["${kv%%=*}"]="${kv#*=}"; done
  rest="$(<"$template")"
  while [[ "$rest" =~ @([A-Z][A-Z0-9_]*)@ ]]; do
    key="${BASH_REMATCH[1]}"
    [[ -v "values[$key]" ]] || vg_die "$template needs a value for @$key@"
    out+="${rest%%"@$key@"*}${values[$key]}"
    rest="${rest#*"@$key@"}"
  done
  printf '%s\n' "$out$rest"
}

# Write content (stdin) to a file only if it differs; returns 0 if it changed.
vg_write_if_changed() {
  local target="$1" mode="${2:-0644}" tmp
  tmp="$(mktemp)"
  cat >"$tmp"
  if [[ -f "$target" ]] && cmp -s "$tmp" "$target"; then
    rm -f "$tmp"
    return 1
  fi
  install -D -m "$mode" "$tmp" "$target"
  rm -f "$tmp"
  return 0
}

# A configuration without its comments and blank lines: what a server sees.
vg_effective() { grep -Ev '^[[:space:]]*(#|$)' || true; }

# --- desired configuration (install.sh writes it, ensure.sh compares) ---
# The configuration file of the selected MariaDB server (vg_md): the service's is a drop-in
# that Debian's server reads with its own settings; the test server's is all it reads.
vg_mariadb_cnf() {
  local settings=(BIND_ADDRESS="$MD_BIND_ADDRESS" PORT="$MD_PORT"
    BUFFER_POOL_SIZE="$MD_BUFFER_POOL_SIZE" LOG_FILE_SIZE="$MD_LOG_FILE_SIZE")
  if [[ "$MD_NAME" == mariadb ]]; then
    vg_render "$VG_PROVISION_DIR/mariadb/60-vowelgraph.cnf.in" "${settings[@]}" \
      BINLOG_DIR="$MARIADB_BINLOG_DIR" BINLOG_MAX_SIZE="$MARIADB_BINLOG_MAX_SIZE" \
      BINLOG_EXPIRE_DAYS="$MARIADB_BINLOG_EXPIRE_DAYS"
  else
    vg_render "$VG_PROVISION_DIR/mariadb/mariadb-test.cnf.in" "${settings[@]}" NAME="$MD_NAME" \
      DATA_DIR="$MD_DATA_DIR" SOCKET="$MD_SOCKET" PIDFILE="$MD_PIDFILE" ERROR_LOG="$MD_ERROR_LOG"
  fi
}

# neo4j.conf of the selected server (vg_n4).
vg_neo4j_conf() {
  vg_render "$VG_PROVISION_DIR/neo4j/neo4j.conf.in" \
    NAME="$N4_NAME" DATA_DIR="$N4_DATA_DIR" LOG_DIR="$N4_LOG_DIR" RUN_DIR="$N4_RUN_DIR" \
    IMPORT_DIR="$N4_VAR_DIR/import" PLUGINS_DIR="$N4_VAR_DIR/plugins" \
    LISTEN_ADDRESS="$N4_LISTEN_ADDRESS" ADVERTISED_ADDRESS="$N4_ADVERTISED_ADDRESS" \
    BOLT_PORT="$N4_BOLT_PORT" HTTP_PORT="$N4_HTTP_PORT" HEAP="$N4_HEAP" PAGECACHE="$N4_PAGECACHE"
}

# The API's systemd unit (provision/vowelgraph.service) for checkout $1, account $2, port $3
# and node binary $4: the built dist/lib/main.js, never npm (which would build) or ensure.sh.
vg_api_unit() {
  local app_dir="$1" protect_home=yes
  # ProtectHome hides /home, /root and /run/user, unless the checkout lives there.
  case "$(realpath -m "$app_dir")" in
    /home/* | /root/* | /run/user/*) protect_home=read-only ;;
  esac
  vg_render "$VG_PROVISION_DIR/vowelgraph.service" APP_DIR="$app_dir" USER="$2" PORT="$3" NODE="$4" \
    DATA_DIR="$app_dir/data" PROTECT_HOME="$protect_home"
}

# What the Maven-assembled lib/ must contain; a change forces a new download.
vg_neo4j_lib_stamp() {
  printf 'neo4j=%s browser=%s pom=%s\n' "$NEO4J_VERSION" "$NEO4J_BROWSER_VERSION" \
    "$(sha256sum "$VG_PROVISION_DIR/neo4j/pom.xml" | cut -c1-16)"
}

# Fingerprint of everything the selected server's generated launcher depends
# on; the launcher records it, so install.sh regenerates it (a slow bootloader
# dry run) only when one of these changed.
vg_neo4j_launcher_key() {
  local lib
  if [[ "$NEO4J_SOURCE" == apt ]]; then
    lib="$(dpkg-query -W -f='${Version}' neo4j 2>/dev/null || true)"
  else
    lib="$(cat "$VG_NEO4J_STAMP" 2>/dev/null || true)"
  fi
  {
    vg_neo4j_conf | vg_effective
    cat "$VG_PROVISION_DIR/neo4j/neo4j-server.in"
    printf '%s\n' "$lib" "$NEO4J_CDS" "$NEO4J_HOME" "$N4_CONF_DIR" "$(vg_java_home || true)" \
      "$N4_PIDFILE" "$N4_CACHE_DIR"
  } | sha256sum | cut -c1-16
}

# Read-only check that install.sh has nothing to do for the servers and tools of vg_targets
# (VG_SERVERS, VG_TOOLS): ensure.sh's fast path.
vg_install_current() {
  local name neo4j=0
  vg_settings_file_private || return 1
  for name in "${VG_TOOLS[@]}"; do
    command -v "$name" >/dev/null 2>&1 || return 1
  done
  for name in "${VG_SERVERS[@]}"; do
    case "$name" in
      mariadb | mariadb-test)
        command -v mariadbd >/dev/null 2>&1 || return 1
        command -v mariadb-backup >/dev/null 2>&1 || return 1 # npm run backup / restore
        [[ "$name" != mariadb || -d "$MARIADB_BINLOG_DIR" ]] || return 1
        vg_md "$name"
        [[ -f "$MD_CNF" ]] && cmp -s <(vg_mariadb_cnf) "$MD_CNF" || return 1
        if [[ "$name" == mariadb-test ]]; then
          [[ -d "$MD_DATA_DIR/mysql" ]] || return 1 # not initialized yet
          if vg_has_systemd; then [[ -f "$MD_UNIT_FILE" ]] || return 1; fi
        fi
        ;;
      *)
        if ((!neo4j)); then
          vg_java_home >/dev/null || return 1
          if [[ "$NEO4J_SOURCE" == apt ]]; then
            vg_pkg_installed neo4j || return 1
          else
            [[ "$(cat "$VG_NEO4J_STAMP" 2>/dev/null)" == "$(vg_neo4j_lib_stamp)" ]] || return 1
          fi
          neo4j=1
        fi
        vg_n4 "$name"
        [[ -f "$N4_CONF_DIR/neo4j.conf" ]] && cmp -s <(vg_neo4j_conf) "$N4_CONF_DIR/neo4j.conf" || return 1
        grep -qx "# key: $(vg_neo4j_launcher_key)" "$N4_LAUNCHER" 2>/dev/null || return 1
        if vg_has_systemd; then [[ -f "$N4_UNIT_FILE" ]] || return 1; fi
        # Not world-readable (0750), and the initial password set.
        [[ "$(stat -c %a "$N4_VAR_DIR" 2>/dev/null)" == 750 ]] || return 1
        [[ -d "$N4_DATA_DIR/databases/system" ]] || return 1
        ;;
    esac
  done
}

# /etc/default/vowelgraph, if there is one, is not world-readable (it may hold passwords).
vg_settings_file_private() {
  [[ -e "$VG_SETTINGS_FILE" ]] || return 0
  [[ "$(stat -c %a "$VG_SETTINGS_FILE" 2>/dev/null)" == *0 ]]
}

# Command prefix (array VG_AS_NEO4J) that runs a command as the Neo4j service
# user, with a clean environment, for the selected server; setpriv and env
# exec, so a PID stays the server's.
vg_as_neo4j_prefix() {
  local java_home
  java_home="$(vg_java_home || true)"
  VG_AS_NEO4J=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
    HOME="$N4_VAR_DIR" NEO4J_HOME="$NEO4J_HOME" NEO4J_CONF="$N4_CONF_DIR" ${java_home:+JAVA_HOME="$java_home"})
  if [[ "$NEO4J_SERVICE_USER" != "$(id -un)" ]]; then
    VG_AS_NEO4J=(setpriv --reuid="$NEO4J_SERVICE_USER" --regid="$NEO4J_SERVICE_USER" --init-groups -- "${VG_AS_NEO4J[@]}")
  fi
}

vg_as_neo4j() {
  vg_as_neo4j_prefix
  "${VG_AS_NEO4J[@]}" "$@"
}

# --- service probes (no root needed) ---
# The selected MariaDB server (vg_md) answers on its own address. The probe logs in as the API's
# account, so that routine checks leave no "Access denied" in the error log; a refusal (before
# install.sh created the account) still counts as an answer. (MYSQL_PWD: in the environment,
# which ps does not show to other users, not on the command line.)
vg_mariadb_alive() {
  local out
  out="$(MYSQL_PWD="$MARIADB_PASSWORD" mariadb-admin --no-defaults --connect-timeout=2 --protocol=TCP \
    -h "$MD_PROBE_HOST" -P "$MD_PORT" -u "$MARIADB_USER" ping 2>&1)" && return 0
  [[ "$out" == *"Access denied"* || "$out" == *"is not allowed to connect"* ]]
}

vg_mariadb_login_ok() {
  MYSQL_PWD="$MARIADB_PASSWORD" mariadb --no-defaults --connect-timeout=2 --protocol=TCP \
    -h "$MD_PROBE_HOST" -P "$MD_PORT" -u "$MARIADB_USER" "$MD_DATABASE" -N -e 'SELECT 1' >/dev/null 2>&1
}

# PIDs of this machine's processes whose command line matches the regex $1. Only this pid
# namespace's: a host also sees the processes of its containers, which may run the same servers
# from the same paths (a Vagrant LXC machine does), and must never stop or signal those.
vg_pgrep() { pgrep --ns $$ --nslist pid -f -- "$1" || true; }

# PIDs of the tests' MariaDB server (found from its command line).
vg_mariadb_test_pids() {
  vg_pgrep "mariadbd --defaults-file=$VG_MARIADB_TEST_CNF( |\$)"
}

# A value for a double-quoted string in a curl config file (curl -K).
vg_curl_quote() {
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

# curl with the Neo4j account's credentials read from a config on stdin (-K -), never from the
# command line, where ps would show them to every user.
vg_neo4j_curl() {
  local user="$1" password="$2"
  shift 2
  printf 'user = %s\n' "$(vg_curl_quote "$user:$password")" | curl -K - "$@"
}

# PIDs of the selected server (found from its command line, pid file or not).
vg_neo4j_pids() {
  vg_pgrep "EntryPoint --home-dir=$NEO4J_HOME --config-dir=$N4_CONF_DIR( |\$)"
}

vg_neo4j_http_ok() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$N4_PROBE_HOST:$N4_HTTP_PORT/")" == 200 ]]
}

vg_neo4j_ready() {
  vg_port_open "$N4_PROBE_HOST" "$N4_BOLT_PORT" && vg_neo4j_http_ok
}

# HTTP status of a trivial authenticated request: 200 ok, 401 bad credentials.
vg_neo4j_auth_status() {
  local user="${1:-$NEO4J_USER}" password="${2:-$NEO4J_PASSWORD}"
  vg_neo4j_curl "$user" "$password" -s -o /dev/null -w '%{http_code}' --max-time 5 \
    -H 'Content-Type: application/json' -d '{"statements":[]}' \
    "http://$N4_PROBE_HOST:$N4_HTTP_PORT/db/system/tx/commit"
}
