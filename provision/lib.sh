# shellcheck shell=bash
# provision/lib.sh: configuration defaults and helpers shared by the provision
# scripts. Sourced, never executed. Every default lives here, and each one can be
# overridden from the environment (see provision/README.md).

VG_PROVISION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VG_REPO_DIR="$(dirname "$VG_PROVISION_DIR")"

# --- MariaDB: the system of record (names match the API's configuration) ---
: "${MARIADB_HOST:=127.0.0.1}"
: "${MARIADB_PORT:=3306}"
: "${MARIADB_USER:=og}"
: "${MARIADB_PASSWORD:=og}"
: "${MARIADB_DATABASE:=og}"
: "${MARIADB_BIND_ADDRESS:=127.0.0.1}"
: "${MARIADB_BUFFER_POOL_SIZE:=256M}"
: "${MARIADB_LOG_FILE_SIZE:=256M}"
: "${MARIADB_START_TIMEOUT:=60}"
VG_MARIADB_CNF=/etc/mysql/mariadb.conf.d/60-vowelgraph.cnf

# --- Neo4j: the graph ---
: "${NEO4J_SOURCE:=maven}" # maven (default, Maven Central jars) or apt (debian.neo4j.com)
: "${NEO4J_VERSION:=5.26.30}" # newest 5.26 LTS patch on Maven Central when written
: "${NEO4J_BROWSER_VERSION:=5.24.0}" # newest org.neo4j.client:neo4j-browser on Maven Central
: "${NEO4J_APT_VERSION:=1:5.26.*}"
: "${NEO4J_URI:=bolt://127.0.0.1:7687}"
: "${NEO4J_USER:=neo4j}"
: "${NEO4J_PASSWORD:=vowelgraph}"
: "${NEO4J_HEAP:=1g}"
: "${NEO4J_PAGECACHE:=1g}"
: "${NEO4J_LISTEN_ADDRESS:=0.0.0.0}" # 0.0.0.0 so a VM's forwarded ports reach it; auth is on
: "${NEO4J_ADVERTISED_ADDRESS:=localhost}"
if [[ -z "${NEO4J_BOLT_PORT:-}" ]]; then
  # Follow the port in NEO4J_URI, so the API and the server agree by default.
  if [[ "$NEO4J_URI" =~ :([0-9]+)/?$ ]]; then NEO4J_BOLT_PORT="${BASH_REMATCH[1]}"; else NEO4J_BOLT_PORT=7687; fi
fi
: "${NEO4J_HTTP_PORT:=7474}"
: "${NEO4J_START_TIMEOUT:=120}"
: "${NEO4J_STOP_TIMEOUT:=60}"
: "${NEO4J_CDS:=1}" # 1: keep a JVM class-data archive, so restarts take ~5 s instead of ~17 s
: "${NEO4J_SERVICE_USER:=neo4j}" # the OS account the server runs as
: "${NEO4J_VAR_DIR:=/var/lib/vowelgraph/neo4j}"
: "${NEO4J_LOG_DIR:=/var/log/vowelgraph/neo4j}"
if [[ "$NEO4J_SOURCE" == apt ]]; then
  : "${NEO4J_HOME:=/usr/share/neo4j}"
  : "${NEO4J_CONF_DIR:=/etc/neo4j}"
else
  : "${NEO4J_HOME:=/opt/vowelgraph/neo4j}"
  : "${NEO4J_CONF_DIR:=$NEO4J_HOME/conf}"
fi
NEO4J_DATA_DIR="$NEO4J_VAR_DIR/data"
NEO4J_RUN_DIR="$NEO4J_VAR_DIR/run"
NEO4J_PIDFILE="$NEO4J_RUN_DIR/neo4j.pid"
NEO4J_STDOUT_LOG="$NEO4J_LOG_DIR/neo4j.out"
VG_NEO4J_UNIT=vowelgraph-neo4j
VG_NEO4J_STAMP="$NEO4J_HOME/lib/.vowelgraph-lib"

# Names passed through sudo when a script re-executes itself as root.
VG_ENV_PATTERN='^(MARIADB_|NEO4J_|VG_|NODE_MAJOR$|DATA_INTERFACE$|APP_)'

# --- output ---
vg_log() { printf '[vowelgraph] %s\n' "$*" >&2; }
vg_warn() { printf '[vowelgraph] WARNING: %s\n' "$*" >&2; }
vg_die() {
  printf '[vowelgraph] ERROR: %s\n' "$*" >&2
  exit 1
}

# --- privileges and locking ---
vg_is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Re-execute the calling script as root via sudo, keeping our settings.
# Usage: vg_require_root "$0" "$@"
vg_require_root() {
  local script="$1"
  shift
  vg_is_root && return 0
  command -v sudo >/dev/null 2>&1 || vg_die "$(basename "$script") must run as root (and sudo is not installed)"
  local keep
  keep="$(compgen -e | grep -E "$VG_ENV_PATTERN" | paste -sd, -)"
  exec sudo ${keep:+--preserve-env="$keep"} -- bash "$script" "$@"
}

# One provisioning/lifecycle action at a time (concurrent `npm test` runs, for
# example); nested calls see VG_LOCKED and skip it.
vg_lock() {
  [[ -n "${VG_LOCKED:-}" ]] && return 0
  local lockfile=/run/lock/vowelgraph.lock
  [[ -d /run/lock ]] || lockfile=/tmp/vowelgraph.lock
  exec 9>>"$lockfile"
  flock -w 600 9 || vg_die "timed out waiting for $lockfile"
  export VG_LOCKED=1
}

# --- environment probes ---
vg_has_systemd() { [[ -d /run/systemd/system ]]; }

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
# Render a template, replacing @KEY@ with the value of KEY=value arguments.
vg_render() {
  local template="$1"
  shift
  local content kv
  content="$(<"$template")"
  for kv in "$@"; do
    content="${content//@${kv%%=*}@/${kv#*=}}"
  done
  printf '%s\n' "$content"
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

# --- desired configuration (used by install.sh to write, ensure.sh to compare) ---
vg_mariadb_cnf() {
  vg_render "$VG_PROVISION_DIR/mariadb/60-vowelgraph.cnf.in" \
    BIND_ADDRESS="$MARIADB_BIND_ADDRESS" PORT="$MARIADB_PORT" \
    BUFFER_POOL_SIZE="$MARIADB_BUFFER_POOL_SIZE" LOG_FILE_SIZE="$MARIADB_LOG_FILE_SIZE"
}

vg_neo4j_conf() {
  vg_render "$VG_PROVISION_DIR/neo4j/neo4j.conf.in" \
    DATA_DIR="$NEO4J_DATA_DIR" LOG_DIR="$NEO4J_LOG_DIR" RUN_DIR="$NEO4J_RUN_DIR" \
    IMPORT_DIR="$NEO4J_VAR_DIR/import" PLUGINS_DIR="$NEO4J_VAR_DIR/plugins" \
    LISTEN_ADDRESS="$NEO4J_LISTEN_ADDRESS" ADVERTISED_ADDRESS="$NEO4J_ADVERTISED_ADDRESS" \
    BOLT_PORT="$NEO4J_BOLT_PORT" HTTP_PORT="$NEO4J_HTTP_PORT" \
    HEAP="$NEO4J_HEAP" PAGECACHE="$NEO4J_PAGECACHE"
}

# What the Maven-assembled lib/ must contain; a change forces a new download.
vg_neo4j_lib_stamp() {
  printf 'neo4j=%s browser=%s pom=%s\n' "$NEO4J_VERSION" "$NEO4J_BROWSER_VERSION" \
    "$(sha256sum "$VG_PROVISION_DIR/neo4j/pom.xml" | cut -c1-16)"
}

# --- service probes (no root needed) ---
vg_mariadb_alive() {
  mariadb-admin --connect-timeout=2 -h "$MARIADB_HOST" -P "$MARIADB_PORT" ping >/dev/null 2>&1
}

vg_mariadb_login_ok() {
  MYSQL_PWD="$MARIADB_PASSWORD" mariadb --connect-timeout=2 --protocol=TCP -h "$MARIADB_HOST" \
    -P "$MARIADB_PORT" -u "$MARIADB_USER" "$MARIADB_DATABASE" -N -e 'SELECT 1' >/dev/null 2>&1
}

# PIDs of Neo4j servers that use our NEO4J_HOME (found even without a pid file).
vg_neo4j_pids() {
  pgrep -f -- "EntryPoint --home-dir=$NEO4J_HOME( |\$)" || true
}

vg_neo4j_http_ok() {
  local host
  host="$(vg_probe_host "$NEO4J_LISTEN_ADDRESS")"
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$host:$NEO4J_HTTP_PORT/")" == 200 ]]
}

vg_neo4j_ready() {
  vg_port_open "$(vg_probe_host "$NEO4J_LISTEN_ADDRESS")" "$NEO4J_BOLT_PORT" && vg_neo4j_http_ok
}

# HTTP status of a trivial authenticated request: 200 ok, 401 bad credentials.
vg_neo4j_auth_status() {
  local user="${1:-$NEO4J_USER}" password="${2:-$NEO4J_PASSWORD}" host
  host="$(vg_probe_host "$NEO4J_LISTEN_ADDRESS")"
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -u "$user:$password" \
    -H 'Content-Type: application/json' -d '{"statements":[]}' \
    "http://$host:$NEO4J_HTTP_PORT/db/system/tx/commit"
}
