# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the scripts that source this file
# provision/lib.sh: configuration defaults and helpers shared by the provision
# scripts. Sourced, never executed. Every default lives here, and each one can be
# overridden from the environment (see provision/README.md).

VG_PROVISION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VG_REPO_DIR="$(dirname "$VG_PROVISION_DIR")"

# Machine-wide overrides: KEY=value lines (MARIADB_* and NEO4J_* only) in
# /etc/default/vowelgraph, which the API's systemd unit reads too, so every
# script and the API agree however they are started. The environment wins.
: "${VG_SETTINGS_FILE:=/etc/default/vowelgraph}"
if [[ -r "$VG_SETTINGS_FILE" ]]; then
  while IFS='=' read -r vg_key vg_value; do
    [[ "$vg_key" =~ ^(MARIADB|NEO4J)_[A-Z0-9_]+$ && -z "${!vg_key+set}" ]] || continue
    vg_value="${vg_value%\"}"
    printf -v "$vg_key" '%s' "${vg_value#\"}"
  done <"$VG_SETTINGS_FILE"
  unset vg_key vg_value
fi

# Memory defaults scale with the machine: 1/$1 of its RAM, at least $2 MiB (in MiB). A 4 GiB VM
# gets the floors; a larger machine keeps a large log's indexes and graph in memory.
vg_mem_share() {
  local total
  total=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null || true)
  local share=$((${total:-0} / $1))
  ((share > $2)) || share=$2
  echo "$share"
}

# --- MariaDB: the system of record (names match the API's configuration) ---
: "${MARIADB_HOST:=127.0.0.1}"
: "${MARIADB_PORT:=3306}"
: "${MARIADB_USER:=og}"
: "${MARIADB_PASSWORD:=og}"
: "${MARIADB_DATABASE:=og}"
: "${MARIADB_BIND_ADDRESS:=127.0.0.1}"
: "${MARIADB_BUFFER_POOL_SIZE:=$(vg_mem_share 16 256)M}"
: "${MARIADB_LOG_FILE_SIZE:=256M}"
: "${MARIADB_START_TIMEOUT:=60}"
VG_MARIADB_CNF=/etc/mysql/mariadb.conf.d/60-vowelgraph.cnf

# --- Neo4j: one installation, two servers ---
# "neo4j" is the service's graph; "neo4j-test" is a second, smaller server for
# the test suite and benchmarks (Community has one user database per server).
: "${NEO4J_SOURCE:=maven}" # maven (default, Maven Central jars) or apt (debian.neo4j.com)
: "${NEO4J_VERSION:=5.26.30}" # newest 5.26 LTS patch on Maven Central when written
: "${NEO4J_BROWSER_VERSION:=5.24.0}" # newest org.neo4j.client:neo4j-browser on Maven Central
: "${NEO4J_APT_VERSION:=1:5.26.*}"
: "${NEO4J_USER:=neo4j}"
: "${NEO4J_PASSWORD:=vowelgraph}"
: "${NEO4J_START_TIMEOUT:=120}"
: "${NEO4J_STOP_TIMEOUT:=60}"
: "${NEO4J_CDS:=1}" # 1: keep a JVM class-data archive, so restarts take ~6 s instead of ~15 s
: "${NEO4J_SERVICE_USER:=neo4j}" # the OS account the servers run as
if [[ "$NEO4J_SOURCE" == apt ]]; then
  : "${NEO4J_HOME:=/usr/share/neo4j}"
  : "${NEO4J_CONF_DIR:=/etc/neo4j}"
  : "${NEO4J_TEST_CONF_DIR:=/etc/neo4j-test}"
else
  : "${NEO4J_HOME:=/opt/vowelgraph/neo4j}"
  : "${NEO4J_CONF_DIR:=$NEO4J_HOME/conf}"
  : "${NEO4J_TEST_CONF_DIR:=$NEO4J_HOME/conf-test}"
fi
VG_NEO4J_STAMP="$NEO4J_HOME/lib/.vowelgraph-lib"
: "${VG_BIN_DIR:=/opt/vowelgraph/bin}" # generated launchers

# The port of a bolt:// or neo4j:// URI ($2 if it has none).
vg_uri_port() {
  if [[ "$1" =~ :([0-9]+)/?$ ]]; then echo "${BASH_REMATCH[1]}"; else echo "$2"; fi
}

# The service's server. Its Bolt port follows NEO4J_URI, so API and server agree.
: "${NEO4J_URI:=bolt://127.0.0.1:7687}"
: "${NEO4J_BOLT_PORT:=$(vg_uri_port "$NEO4J_URI" 7687)}"
: "${NEO4J_HTTP_PORT:=7474}"
: "${NEO4J_HEAP:=1g}"
: "${NEO4J_PAGECACHE:=$(vg_mem_share 8 1024)m}"
: "${NEO4J_LISTEN_ADDRESS:=0.0.0.0}" # 0.0.0.0 so a VM's forwarded ports reach it; auth is on
: "${NEO4J_ADVERTISED_ADDRESS:=localhost}"
: "${NEO4J_VAR_DIR:=/var/lib/vowelgraph/neo4j}"
: "${NEO4J_LOG_DIR:=/var/log/vowelgraph/neo4j}"

# The test suite's server (NEO4J_TEST_INSTANCE=0 leaves it out).
: "${NEO4J_TEST_INSTANCE:=1}"
: "${NEO4J_TEST_URI:=bolt://127.0.0.1:7688}"
: "${NEO4J_TEST_BOLT_PORT:=$(vg_uri_port "$NEO4J_TEST_URI" 7688)}"
: "${NEO4J_TEST_HTTP_PORT:=7475}"
: "${NEO4J_TEST_HEAP:=512m}"
: "${NEO4J_TEST_PAGECACHE:=$(vg_mem_share 16 256)m}"
: "${NEO4J_TEST_LISTEN_ADDRESS:=127.0.0.1}" # tests run on the machine itself
: "${NEO4J_TEST_VAR_DIR:=/var/lib/vowelgraph/neo4j-test}"
: "${NEO4J_TEST_LOG_DIR:=/var/log/vowelgraph/neo4j-test}"

# The Neo4j servers provisioned here, in start order.
vg_neo4j_instances() {
  echo neo4j
  [[ "$NEO4J_TEST_INSTANCE" == 1 ]] && echo neo4j-test
  return 0
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

# A configuration without its comments and blank lines: what a server sees.
vg_effective() { grep -Ev '^[[:space:]]*(#|$)' || true; }

# --- desired configuration (install.sh writes it, ensure.sh compares) ---
vg_mariadb_cnf() {
  vg_render "$VG_PROVISION_DIR/mariadb/60-vowelgraph.cnf.in" \
    BIND_ADDRESS="$MARIADB_BIND_ADDRESS" PORT="$MARIADB_PORT" \
    BUFFER_POOL_SIZE="$MARIADB_BUFFER_POOL_SIZE" LOG_FILE_SIZE="$MARIADB_LOG_FILE_SIZE"
}

# neo4j.conf of the selected server (vg_n4).
vg_neo4j_conf() {
  vg_render "$VG_PROVISION_DIR/neo4j/neo4j.conf.in" \
    NAME="$N4_NAME" DATA_DIR="$N4_DATA_DIR" LOG_DIR="$N4_LOG_DIR" RUN_DIR="$N4_RUN_DIR" \
    IMPORT_DIR="$N4_VAR_DIR/import" PLUGINS_DIR="$N4_VAR_DIR/plugins" \
    LISTEN_ADDRESS="$N4_LISTEN_ADDRESS" ADVERTISED_ADDRESS="$N4_ADVERTISED_ADDRESS" \
    BOLT_PORT="$N4_BOLT_PORT" HTTP_PORT="$N4_HTTP_PORT" HEAP="$N4_HEAP" PAGECACHE="$N4_PAGECACHE"
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

# Read-only check that install.sh has nothing to do (ensure.sh's fast path).
vg_install_current() {
  vg_java_home >/dev/null || return 1
  command -v mariadbd >/dev/null 2>&1 || return 1
  command -v chromium >/dev/null 2>&1 || return 1 # the browser tests' (install.sh adds it)
  [[ -f "$VG_MARIADB_CNF" ]] && cmp -s <(vg_mariadb_cnf) "$VG_MARIADB_CNF" || return 1
  if [[ "$NEO4J_SOURCE" == apt ]]; then
    vg_pkg_installed neo4j || return 1
  else
    [[ "$(cat "$VG_NEO4J_STAMP" 2>/dev/null)" == "$(vg_neo4j_lib_stamp)" ]] || return 1
  fi
  local name
  for name in $(vg_neo4j_instances); do
    vg_n4 "$name"
    [[ -f "$N4_CONF_DIR/neo4j.conf" ]] && cmp -s <(vg_neo4j_conf) "$N4_CONF_DIR/neo4j.conf" || return 1
    grep -qx "# key: $(vg_neo4j_launcher_key)" "$N4_LAUNCHER" 2>/dev/null || return 1
    if vg_has_systemd; then [[ -f "$N4_UNIT_FILE" ]] || return 1; fi
    [[ -d "$N4_DATA_DIR/databases/system" ]] || return 1 # initial password not set yet
  done
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
# The server answers. The probe logs in as the API's account, so that routine
# checks leave no "Access denied" in the error log; a refusal (before install.sh
# created the account) still counts as an answer.
vg_mariadb_alive() {
  local out
  out="$(MYSQL_PWD="$MARIADB_PASSWORD" mariadb-admin --connect-timeout=2 --protocol=TCP \
    -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u "$MARIADB_USER" ping 2>&1)" && return 0
  [[ "$out" == *"Access denied"* || "$out" == *"is not allowed to connect"* ]]
}

vg_mariadb_login_ok() {
  MYSQL_PWD="$MARIADB_PASSWORD" mariadb --connect-timeout=2 --protocol=TCP -h "$MARIADB_HOST" \
    -P "$MARIADB_PORT" -u "$MARIADB_USER" "$MARIADB_DATABASE" -N -e 'SELECT 1' >/dev/null 2>&1
}

# PIDs of the selected server (found from its command line, pid file or not).
vg_neo4j_pids() {
  pgrep -f -- "EntryPoint --home-dir=$NEO4J_HOME --config-dir=$N4_CONF_DIR( |\$)" || true
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
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -u "$user:$password" \
    -H 'Content-Type: application/json' -d '{"statements":[]}' \
    "http://$N4_PROBE_HOST:$N4_HTTP_PORT/db/system/tx/commit"
}
