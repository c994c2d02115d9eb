#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/ensure.sh: make sure the local MariaDB and Neo4j servers that the configuration
# points at are installed, configured and running; what `npm start` and `npm test` call first.
# When everything is in place it only looks (no root, no sudo) and takes well under a second.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  -h | --help)
    cat <<EOF
Usage: provision/ensure.sh [TARGET...]

TARGET: all (the default: every server and tool), service (the API's servers: what
\`npm start\` runs), tests (the servers of \`npm test\` and \`npm run bench\`), a server
(mariadb, mariadb-test, neo4j, neo4j-read, neo4j-test, neo4j-test-read) or a tool (chromium,
wrk: installed when missing). For each server named whose configured address
is the local server these scripts manage -- MARIADB_HOST loopback and MARIADB_PORT equal
to MARIADB_SERVER_PORT ($MARIADB_SERVER_PORT); MARIADB_TEST_HOST/MARIADB_TEST_PORT and
MARIADB_TEST_SERVER_PORT ($MARIADB_TEST_SERVER_PORT); NEO4J_URI on loopback with port
NEO4J_BOLT_PORT ($NEO4J_BOLT_PORT); NEO4J_TEST_URI and NEO4J_TEST_BOLT_PORT
($NEO4J_TEST_BOLT_PORT); NEO4J_TEST_READ_URI and NEO4J_TEST_READ_BOLT_PORT
($NEO4J_TEST_READ_BOLT_PORT); neo4j-read whenever NEO4J_READ_INSTANCE=1 --, installs it if it is missing or its settings changed
(provision/install.sh), then starts it unless it is up and accepts the configured
account (provision/services.sh start). An address anywhere else is connected to
as given: nothing on this machine is installed, reconfigured or restarted for it.
Provisions no server when DATA_INTERFACE is null or sqlite. Uses sudo only when it
has something to do.
EOF
    exit 0
    ;;
esac

vg_targets "$@" || vg_die "see provision/ensure.sh --help"

# The baselines (null, sqlite) need no server; a tool is still the command's.
servers=()
case "${DATA_INTERFACE:-graph}" in
  null | sqlite) ;;
  *)
    for name in "${VG_SERVERS[@]}"; do
      if vg_managed "$name"; then
        servers+=("$name")
      else
        vg_log "$name: $(vg_client_address "$name") is not the local server these scripts manage:" \
          "connecting as given, nothing provisioned"
      fi
    done
    ;;
esac
VG_SERVERS=("${servers[@]}")
((${#VG_SERVERS[@]} + ${#VG_TOOLS[@]})) || exit 0

if ! vg_install_current; then
  vg_log "installing or updating $(printf '%s ' "${VG_SERVERS[@]}" "${VG_TOOLS[@]}")(provision/install.sh)"
  bash "$VG_PROVISION_DIR/install.sh" "${VG_SERVERS[@]}" "${VG_TOOLS[@]}"
fi

((${#VG_SERVERS[@]})) || exit 0
if ! bash "$VG_PROVISION_DIR/services.sh" status -q "${VG_SERVERS[@]}"; then
  bash "$VG_PROVISION_DIR/services.sh" start "${VG_SERVERS[@]}"
fi
