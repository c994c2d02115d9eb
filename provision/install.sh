#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/install.sh: install and configure Java 17, MariaDB (Debian's
# packages) and Neo4j 5.26 LTS Community on Debian 12. Idempotent: on a
# provisioned machine it checks, changes nothing and takes a few seconds.
# Leaves MariaDB running (it has to be up to create the account); Neo4j is
# restarted only if it was running and its jars or configuration changed.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=services.sh
. "$VG_PROVISION_DIR/services.sh"

usage() {
  cat <<EOF
Usage: provision/install.sh [TARGET...] [--help]

Installs and configures, as root (re-executes itself through sudo otherwise), the servers and
tools named (TARGET: all, the default: every server and tool; service: the API's servers;
tests: the servers of npm test and the bench; or mariadb, mariadb-test, neo4j, neo4j-read,
neo4j-test, neo4j-test-read, chromium, wrk):
  - openjdk-17-jre-headless, maven, curl, python3-requests, g++, make (Debian packages;
    python3 with requests for the exercise's client, g++ and make for node-gyp), and the tools
    named: chromium for the browser tests, wrk the bench's load generator
  - MariaDB (mariadb-server, mariadb-client, mariadb-backup) as two servers: "mariadb" (Debian's, the
    service's database \$MARIADB_DATABASE; settings in $VG_MARIADB_CNF) and
    "mariadb-test" (the tests' and the benchmark's, with its own datadir, port and socket;
    settings in $VG_MARIADB_TEST_CNF; MARIADB_TEST_INSTANCE=0 leaves it out), each with
    the account \$MARIADB_USER/\$MARIADB_PASSWORD
  - Neo4j \$NEO4J_VERSION Community in \$NEO4J_HOME, assembled from Maven Central
    (NEO4J_SOURCE=maven, the default) or from debian.neo4j.com (NEO4J_SOURCE=apt,
    needs full internet access), configured as up to four servers: "neo4j" for the
    service (Browser at http://localhost:\$NEO4J_HTTP_PORT/browser/), "neo4j-read" a
    second one for it (NEO4J_READ_INSTANCE=1 adds it; then NEO4J_URIS lists both),
    "neo4j-test" for the test suite (NEO4J_TEST_INSTANCE=0 leaves it out) and
    "neo4j-test-read" a second one for the tests (NEO4J_TEST_READ_INSTANCE=0 leaves it out)
  - systemd units vowelgraph-neo4j[-read|-test|-test-read].service and
    vowelgraph-mariadb-test.service
    when systemd is running

Settings come from environment variables, /etc/default/vowelgraph and config/defaults.env;
see provision/README.md. Current values:
  mariadb       ${MARIADB_BIND_ADDRESS}:${MARIADB_SERVER_PORT}, database ${MARIADB_DATABASE}, buffer pool ${MARIADB_BUFFER_POOL_SIZE}
  mariadb-test  ${MARIADB_TEST_BIND_ADDRESS}:${MARIADB_TEST_SERVER_PORT}, database ${MARIADB_TEST_DATABASE}, buffer pool ${MARIADB_TEST_BUFFER_POOL_SIZE}
                data ${MARIADB_TEST_VAR_DIR}, logs ${MARIADB_TEST_LOG_DIR} (enabled: ${MARIADB_TEST_INSTANCE})
  Neo4j         ${NEO4J_SOURCE} ${NEO4J_VERSION} (Browser ${NEO4J_BROWSER_VERSION}) in ${NEO4J_HOME}, user ${NEO4J_USER}
  neo4j         bolt ${NEO4J_LISTEN_ADDRESS}:${NEO4J_BOLT_PORT}, http :${NEO4J_HTTP_PORT}, heap ${NEO4J_HEAP}, page cache ${NEO4J_PAGECACHE}
                conf ${NEO4J_CONF_DIR}, data ${NEO4J_VAR_DIR}, logs ${NEO4J_LOG_DIR}
  neo4j-test    bolt ${NEO4J_TEST_LISTEN_ADDRESS}:${NEO4J_TEST_BOLT_PORT}, http :${NEO4J_TEST_HTTP_PORT}, heap ${NEO4J_TEST_HEAP}, page cache ${NEO4J_TEST_PAGECACHE}
                conf ${NEO4J_TEST_CONF_DIR}, data ${NEO4J_TEST_VAR_DIR}, logs ${NEO4J_TEST_LOG_DIR}
                (enabled: ${NEO4J_TEST_INSTANCE})
  neo4j-read    bolt ${NEO4J_READ_LISTEN_ADDRESS}:${NEO4J_READ_BOLT_PORT}, http :${NEO4J_READ_HTTP_PORT}, heap ${NEO4J_READ_HEAP}, page cache ${NEO4J_READ_PAGECACHE}
                conf ${NEO4J_READ_CONF_DIR}, data ${NEO4J_READ_VAR_DIR}, logs ${NEO4J_READ_LOG_DIR}
                (enabled: ${NEO4J_READ_INSTANCE})
  neo4j-test-read
                bolt ${NEO4J_TEST_READ_LISTEN_ADDRESS}:${NEO4J_TEST_READ_BOLT_PORT}, http :${NEO4J_TEST_READ_HTTP_PORT}, heap ${NEO4J_TEST_READ_HEAP}, page cache ${NEO4J_TEST_READ_PAGECACHE}
                conf ${NEO4J_TEST_READ_CONF_DIR}, data ${NEO4J_TEST_READ_VAR_DIR}, logs ${NEO4J_TEST_READ_LOG_DIR}
                (enabled: ${NEO4J_TEST_READ_INSTANCE})
EOF
}

# --- packages ---
# The Debian packages this script installs for the tools named (VG_TOOLS), one per line.
wanted_packages() {
  # python3 with requests: the exercise's own client (python3 /vagrant/app/client/client.py).
  # mariadb-backup: npm run backup and npm run restore (hot physical backups of the log).
  # g++, make: node-gyp builds better-sqlite3 during `npm ci` where its prebuilt binary cannot
  # be downloaded (a minimal box has no compiler).
  # The tools, each the package of its name: chromium, which the browser tests drive (Debian's
  # build: nothing downloads one), and wrk, the bench's load generator.
  local want=(ca-certificates curl procps openjdk-17-jre-headless mariadb-server mariadb-client
    mariadb-backup python3 python3-requests g++ make "${VG_TOOLS[@]}")
  case "$NEO4J_SOURCE" in
    maven) want+=(maven) ;;
    apt) want+=(gnupg) ;;
    *) vg_die "NEO4J_SOURCE must be maven or apt, not '$NEO4J_SOURCE'" ;;
  esac
  printf '%s\n' "${want[@]}"
}

install_packages() {
  local want=()
  mapfile -t want < <(wanted_packages)
  ((${#want[@]})) || vg_die "no package list (NEO4J_SOURCE=$NEO4J_SOURCE?)"
  local missing=() pkg
  for pkg in "${want[@]}"; do vg_pkg_installed "$pkg" || missing+=("$pkg"); done
  ((${#missing[@]})) || return 0
  vg_log "installing Debian packages: ${missing[*]}"
  # Slim images drop man dirs, which breaks the JRE's postinst.
  mkdir -p /usr/share/man/man1
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# --- MariaDB ---
sql_string() {
  local s="${1//\\/\\\\}"
  printf "'%s'" "${s//\'/\\\'}"
}

# Write the selected server's (vg_md) configuration; MD_CHANGED=1 if a setting changed (a
# change in comments alone restarts nothing).
write_mariadb_cnf() {
  local before=""
  MD_CHANGED=0
  [[ -f "$MD_CNF" ]] && before="$(vg_effective <"$MD_CNF")"
  if vg_mariadb_cnf | vg_write_if_changed "$MD_CNF"; then
    vg_log "wrote $MD_CNF"
    [[ "$(vg_effective <"$MD_CNF")" != "$before" ]] && MD_CHANGED=1
  fi
  return 0
}

# The test server's directories and system tables (mariadb-install-db, once).
init_mariadb_test() {
  local u="$MARIADB_SERVICE_USER"
  install -d -m 0755 "$(dirname "$MD_VAR_DIR")" "$(dirname "$MD_LOG_DIR")"
  install -d -o "$u" -g "$u" -m 0750 "$MD_VAR_DIR" "$MD_DATA_DIR" "$MD_RUN_DIR" "$MD_LOG_DIR"
  [[ -d "$MD_DATA_DIR/mysql" ]] && return 0
  vg_log "$MD_NAME: creating its system tables in $MD_DATA_DIR"
  local out
  # root@localhost authenticates by unix socket only, as in Debian's server.
  if ! out="$(mariadb-install-db --defaults-file="$MD_CNF" --user="$u" --skip-test-db \
    --auth-root-authentication-method=socket 2>&1)"; then
    printf '%s\n' "$out" >&2
    vg_die "$MD_NAME: mariadb-install-db failed"
  fi
}

install_mariadb_test_unit() {
  vg_has_systemd || return 0
  if vg_render "$VG_PROVISION_DIR/mariadb/vowelgraph-mariadb-test.service.in" \
    NAME="$MD_NAME" PORT="$MD_PORT" USER="$MARIADB_SERVICE_USER" MARIADBD="$(command -v mariadbd)" \
    CNF="$MD_CNF" START_TIMEOUT="$MARIADB_START_TIMEOUT" STOP_TIMEOUT="$((MARIADB_STOP_TIMEOUT + 30))" |
    vg_write_if_changed "$MD_UNIT_FILE"; then
    systemctl daemon-reload
    vg_log "installed $MD_UNIT_FILE"
  fi
  systemctl enable --quiet "$MD_UNIT"
}

# Configure one MariaDB server and leave it running with the account created.
setup_mariadb_server() {
  vg_md "$1"
  write_mariadb_cnf
  if [[ "$MD_NAME" == mariadb ]]; then
    install -d -o "$MARIADB_SERVICE_USER" -g adm -m 2750 /var/log/mysql
    # The binary log's own directory (60-vowelgraph.cnf: log_bin), outside the datadir.
    install -d -m 0755 "$(dirname "$MARIADB_BINLOG_DIR")"
    install -d -o "$MARIADB_SERVICE_USER" -g "$MARIADB_SERVICE_USER" -m 0750 "$MARIADB_BINLOG_DIR"
    if vg_has_systemd; then systemctl enable --quiet mariadb; fi
  else
    init_mariadb_test
    install_mariadb_test_unit
  fi
  if vg_mariadb_alive; then
    ((MD_CHANGED)) && mariadb_restart
  else
    mariadb_start
  fi
  ensure_mariadb_account
}

# The API's account on the selected server: its database (the service's, or the tests'), and
# throw-away databases named ${MARIADB_DATABASE}_* for tests.
ensure_mariadb_account() {
  vg_mariadb_login_ok && return 0
  local name
  for name in MARIADB_DATABASE MARIADB_TEST_DATABASE MARIADB_USER; do
    [[ "${!name}" =~ ^[A-Za-z0-9_]+$ ]] || vg_die "$name must be letters, digits or _"
  done
  local db="$MD_DATABASE" prefix="${MARIADB_DATABASE//_/\\_}" pw host sql=""
  pw="$(sql_string "$MARIADB_PASSWORD")"
  sql+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4;"
  # 'localhost' is the socket; '127.0.0.1' is TCP (skip_name_resolve is on).
  for host in localhost 127.0.0.1; do
    sql+="CREATE USER IF NOT EXISTS '$MARIADB_USER'@'$host' IDENTIFIED BY $pw;"
    sql+="ALTER USER '$MARIADB_USER'@'$host' IDENTIFIED BY $pw;"
    sql+="GRANT ALL PRIVILEGES ON \`$db\`.* TO '$MARIADB_USER'@'$host';"
    sql+="GRANT ALL PRIVILEGES ON \`$prefix\\_%\`.* TO '$MARIADB_USER'@'$host';"
  done
  vg_log "$MD_NAME: creating MariaDB database '$db' and account '$MARIADB_USER'"
  # root@localhost authenticates by unix socket, so root needs no password; the SQL (with the
  # password) goes through stdin, not the command line.
  mariadb --no-defaults --protocol=socket -S "$MD_SOCKET" -u root <<<"$sql"
  vg_mariadb_login_ok || vg_die "account $MARIADB_USER still cannot log in to $MD_PROBE_HOST:$MD_PORT/$db"
}

# --- Neo4j ---
ensure_service_user() {
  [[ "$NEO4J_SERVICE_USER" == root ]] && return 0
  getent passwd "$NEO4J_SERVICE_USER" >/dev/null && return 0
  vg_log "creating system user $NEO4J_SERVICE_USER"
  useradd --system --user-group --home-dir "$NEO4J_VAR_DIR" --no-create-home \
    --shell /usr/sbin/nologin --comment "Neo4j server" "$NEO4J_SERVICE_USER"
}

# Directories of the selected server (vg_n4): the graph, its logs (which may quote data) and
# its run files belong to the service user and are not world-readable.
ensure_neo4j_dirs() {
  local u="$NEO4J_SERVICE_USER" d
  install -d -m 0755 "$(dirname "$N4_VAR_DIR")" "$(dirname "$N4_LOG_DIR")" "$VG_BIN_DIR"
  for d in "$N4_VAR_DIR" "$N4_DATA_DIR" "$N4_RUN_DIR" "$N4_CACHE_DIR" \
    "$N4_VAR_DIR/import" "$N4_VAR_DIR/plugins" "$N4_LOG_DIR"; do
    install -d -o "$u" -g "$u" -m 0750 "$d"
  done
}

# Stop every server that runs from NEO4J_HOME (before its jars change).
stop_all_neo4j() {
  local name
  for name in "${VG_NEO4J_NAMES[@]}"; do
    vg_n4 "$name"
    [[ -n "$(vg_neo4j_pids)" ]] && neo4j_stop
  done
  return 0
}

# Fill NEO4J_HOME/lib from Maven Central; returns 0 if the jars changed.
install_neo4j_maven() {
  local want
  want="$(vg_neo4j_lib_stamp)"
  [[ "$(cat "$VG_NEO4J_STAMP" 2>/dev/null)" == "$want" ]] && return 1

  local staging="$NEO4J_HOME/lib.new"
  vg_log "resolving Neo4j $NEO4J_VERSION Community and Browser $NEO4J_BROWSER_VERSION from Maven Central"
  rm -rf "$staging"
  install -d -m 0755 "$NEO4J_HOME" "$staging"
  local mvn_log
  mvn_log="$(mktemp)"
  if ! mvn -B -Dstyle.color=never -f "$VG_PROVISION_DIR/neo4j/pom.xml" \
    -Dneo4j.version="$NEO4J_VERSION" -Dneo4j.browser.version="$NEO4J_BROWSER_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DexcludeTypes=pom \
    -DoutputDirectory="$staging" >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    rm -f "$mvn_log"
    vg_die "Maven could not resolve Neo4j $NEO4J_VERSION (is Maven Central reachable?)"
  fi
  rm -f "$mvn_log"
  local jar
  for jar in "neo4j-$NEO4J_VERSION.jar" "neo4j-server-$NEO4J_VERSION.jar" \
    "neo4j-bootcheck-$NEO4J_VERSION.jar" "neo4j-browser-$NEO4J_BROWSER_VERSION.jar"; do
    [[ -f "$staging/$jar" ]] || vg_die "Maven did not deliver $jar"
  done
  if compgen -G "$staging/*enterprise*" >/dev/null; then vg_die "enterprise jars in $staging"; fi
  echo "$want" >"$staging/.vowelgraph-lib"

  # A running server has the old jars open: swap them only while it is down.
  stop_all_neo4j
  rm -rf "$NEO4J_HOME/lib.old"
  [[ -d "$NEO4J_HOME/lib" ]] && mv "$NEO4J_HOME/lib" "$NEO4J_HOME/lib.old"
  mv "$staging" "$NEO4J_HOME/lib"
  rm -rf "$NEO4J_HOME/lib.old"
  vg_log "installed $(find "$NEO4J_HOME/lib" -name '*.jar' | wc -l) jars in $NEO4J_HOME/lib"
  return 0
}

# The tarball's bin/ scripts, as small wrappers around Neo4j's Java entry points.
install_neo4j_wrappers() {
  local name main
  for name in neo4j neo4j-admin cypher-shell; do
    case "$name" in
      neo4j) main=org.neo4j.server.startup.Neo4jBoot ;;
      neo4j-admin) main=org.neo4j.server.startup.Neo4jAdminBoot ;;
      cypher-shell) main=org.neo4j.shell.Main ;;
    esac
    vg_render "$VG_PROVISION_DIR/neo4j/wrapper.in" NAME="$name" MAIN_CLASS="$main" \
      HOME="$NEO4J_HOME" CONF_DIR="$NEO4J_CONF_DIR" JAVA_HOME="$(vg_java_home)" |
      vg_write_if_changed "$NEO4J_HOME/bin/$name" 0755 || true
  done
}

# Official packages from debian.neo4j.com (needs internet beyond Debian's mirrors).
install_neo4j_apt() {
  local keyring=/etc/apt/keyrings/neotechnology.gpg list=/etc/apt/sources.list.d/neo4j.list
  install -d -m 0755 /etc/apt/keyrings
  if [[ ! -s "$keyring" ]]; then
    curl -fsSL https://debian.neo4j.com/neotechnology.gpg.key | gpg --dearmor -o "$keyring"
  fi
  if echo "deb [signed-by=$keyring] https://debian.neo4j.com stable 5" | vg_write_if_changed "$list"; then
    apt-get update -q
  fi
  local have
  have="$(dpkg-query -W -f='${Version}' neo4j 2>/dev/null || true)"
  # shellcheck disable=SC2053 # NEO4J_APT_VERSION is a glob such as 1:5.26.*
  [[ -n "$have" && "$have" == $NEO4J_APT_VERSION ]] && return 1
  vg_log "installing neo4j=$NEO4J_APT_VERSION from debian.neo4j.com"
  stop_all_neo4j
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --allow-change-held-packages \
    "neo4j=$NEO4J_APT_VERSION"
  apt-mark hold neo4j >/dev/null # stay on the 5.26 LTS line
  # The package's own neo4j.service would compete for the ports; ours runs it.
  if vg_has_systemd; then systemctl disable --now neo4j.service >/dev/null 2>&1 || true; fi
  return 0
}

# Generate the selected server's launcher from the bootloader's dry run;
# returns 0 if what it runs changed (not just its key).
install_neo4j_launcher() {
  local key
  key="$(vg_neo4j_launcher_key)"
  grep -qx "# key: $key" "$N4_LAUNCHER" 2>/dev/null && return 1

  # The bootloader refuses a dry run while the server runs (it checks the pid
  # file), so run it on a copy of the configuration with its own run directory.
  local conf_dir="$N4_CONF_DIR" tmp line args=() quoted
  tmp="$(mktemp -d /tmp/vowelgraph-dry-run.XXXXXX)"
  cp -a "$conf_dir/." "$tmp/"
  sed -i "s|^server.directories.run=.*|server.directories.run=$tmp/run|" "$tmp/neo4j.conf"
  mkdir "$tmp/run"
  chown -R "$NEO4J_SERVICE_USER:" "$tmp"
  N4_CONF_DIR="$tmp"
  line="$(vg_as_neo4j "$NEO4J_HOME/bin/neo4j" console --dry-run | grep -E '^/.*/java ' | tail -n 1)" || true
  N4_CONF_DIR="$conf_dir"
  rm -rf "$tmp"
  [[ -n "$line" ]] || vg_die "neo4j console --dry-run printed no java command"
  [[ "$line" == *EntryPoint* && "$line" != *[\"\']* ]] || vg_die "unexpected dry-run output: $line"
  line="${line//$tmp/$conf_dir}"
  line="${line% --console-mode}" # daemon mode: neo4j.log, not the console
  read -r -a args <<<"$line"
  quoted="$(printf '%q ' "${args[@]}")"
  local body old_body
  body="$(vg_render "$VG_PROVISION_DIR/neo4j/neo4j-server.in" \
    JAVA_COMMAND="${quoted% }" PIDFILE="$(printf '%q' "$N4_PIDFILE")" CDS="$NEO4J_CDS" \
    CACHE_DIR="$(printf '%q' "$N4_CACHE_DIR")")"
  old_body="$(grep -v '^# key: ' "$N4_LAUNCHER" 2>/dev/null || true)"
  printf '%s\n# key: %s\n' "$body" "$key" | vg_write_if_changed "$N4_LAUNCHER" 0755
  vg_log "wrote $N4_LAUNCHER"
  [[ "$body" != "$old_body" ]]
}

install_neo4j_unit() {
  vg_has_systemd || return 0
  if vg_render "$VG_PROVISION_DIR/neo4j/vowelgraph-neo4j.service.in" \
    NAME="$N4_NAME" VERSION="$NEO4J_VERSION" USER="$NEO4J_SERVICE_USER" LAUNCHER="$N4_LAUNCHER" \
    STDOUT_LOG="$N4_STDOUT_LOG" STOP_TIMEOUT="$((NEO4J_STOP_TIMEOUT + 30))" |
    vg_write_if_changed "$N4_UNIT_FILE"; then
    systemctl daemon-reload
    vg_log "installed $N4_UNIT_FILE"
  fi
  systemctl enable --quiet "$N4_UNIT"
}

# The password can only be set before the first start (it seeds the system db). It reaches
# neo4j-admin in an argument file (@FILE, which its command-line parser expands), readable by
# the service user only, so that ps never shows it.
set_initial_password() {
  [[ -d "$N4_DATA_DIR/databases/system" ]] && return 0
  ((${#NEO4J_PASSWORD} >= 8)) || vg_die "NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)"
  [[ "$NEO4J_PASSWORD" != *$'\n'* ]] || vg_die "NEO4J_PASSWORD must be one line"
  vg_log "$N4_NAME: setting the initial password of Neo4j user 'neo4j'"
  local dir quoted
  dir="$(mktemp -d)"
  quoted="${NEO4J_PASSWORD//\\/\\\\}"
  (umask 077 && printf '"%s"\n' "${quoted//\"/\\\"}" >"$dir/password")
  chown -R "$NEO4J_SERVICE_USER:" "$dir"
  if ! vg_as_neo4j "$NEO4J_HOME/bin/neo4j-admin" dbms set-initial-password "@$dir/password" >/dev/null; then
    rm -rf "$dir"
    vg_die "$N4_NAME: neo4j-admin could not set the initial password"
  fi
  rm -rf "$dir"
}

# Configure one server (args: whether the jars changed, its name); restart it
# if it was running and anything changed.
setup_neo4j_server() {
  local changed="$1"
  vg_n4 "$2"
  [[ "$N4_VAR_DIR$N4_LOG_DIR$N4_CONF_DIR" != *[[:space:]]* ]] || vg_die "Neo4j paths must not contain spaces"
  ensure_neo4j_dirs
  local conf="$N4_CONF_DIR/neo4j.conf" before=""
  [[ -f "$conf" ]] && before="$(vg_effective <"$conf")"
  if vg_neo4j_conf | vg_write_if_changed "$conf"; then
    vg_log "wrote $conf"
    [[ "$(vg_effective <"$conf")" != "$before" ]] && changed=1
  fi
  install_neo4j_launcher && changed=1
  install_neo4j_unit
  set_initial_password
  if ((changed)) && [[ " $RUNNING_BEFORE " == *" $N4_NAME "* ]]; then
    vg_log "$N4_NAME: jars or configuration changed: restarting it"
    neo4j_restart
  fi
}

# Install Neo4j and configure the servers named.
setup_neo4j() {
  local lib_changed=0 name
  [[ "$NEO4J_HOME" != *[[:space:]]* ]] || vg_die "NEO4J_HOME must not contain spaces"
  # Servers that run now are running again afterwards.
  RUNNING_BEFORE=""
  for name in "${VG_NEO4J_NAMES[@]}"; do
    vg_n4 "$name"
    [[ -n "$(vg_neo4j_pids)" ]] && RUNNING_BEFORE+=" $name"
  done
  ensure_service_user
  if [[ "$NEO4J_SOURCE" == apt ]]; then
    install_neo4j_apt && lib_changed=1
  else
    install_neo4j_maven && lib_changed=1
    install_neo4j_wrappers
  fi
  for name in "$@"; do
    setup_neo4j_server "$lib_changed" "$name"
  done
}

# /etc/default/vowelgraph may hold passwords: readable by root and the group vowelgraph (the
# API's account, and whoever runs the scripts without sudo) only.
secure_settings_file() {
  [[ -e "$VG_SETTINGS_FILE" ]] || return 0
  if getent group vowelgraph >/dev/null; then chgrp vowelgraph "$VG_SETTINGS_FILE"; fi
  chmod o-rwx "$VG_SETTINGS_FILE"
}

main() {
  local arg
  case "${1:-}" in
    -h | --help)
      usage
      return 0
      ;;
  esac
  if ! vg_targets "$@"; then
    usage >&2
    return 2
  fi
  vg_require_root "$0" "$@"
  vg_lock
  local t0=$SECONDS mariadb=() neo4j=()
  for arg in "${VG_SERVERS[@]}"; do
    case "$arg" in
      mariadb*) mariadb+=("$arg") ;;
      *) neo4j+=("$arg") ;;
    esac
  done
  secure_settings_file
  install_packages
  vg_java_home >/dev/null || vg_die "no Java 17 found under /usr/lib/jvm (set NEO4J_JAVA_HOME)"
  for arg in "${mariadb[@]}"; do setup_mariadb_server "$arg"; done
  ((${#neo4j[@]} == 0)) || setup_neo4j "${neo4j[@]}"
  vg_log "provisioned $(printf '%s ' "${VG_SERVERS[@]}" "${VG_TOOLS[@]}")in $((SECONDS - t0)) s (start the servers with provision/services.sh start)"
}

# Sourced by the provisioning specs for its functions; run when executed.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
