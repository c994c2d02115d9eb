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

For each server named (TARGET as for services.sh: all, the default, or mariadb,
mariadb-test, neo4j, neo4j-test) whose configured address is the local server
these scripts manage -- MARIADB_HOST loopback and MARIADB_PORT equal to
MARIADB_SERVER_PORT ($MARIADB_SERVER_PORT); MARIADB_TEST_HOST/MARIADB_TEST_PORT and
MARIADB_TEST_SERVER_PORT ($MARIADB_TEST_SERVER_PORT); NEO4J_URI on loopback with port
NEO4J_BOLT_PORT ($NEO4J_BOLT_PORT); NEO4J_TEST_URI and NEO4J_TEST_BOLT_PORT
($NEO4J_TEST_BOLT_PORT) --, installs it if it is missing or its settings changed
(provision/install.sh), then starts it unless it is up and accepts the configured
account (provision/services.sh start). An address anywhere else is connected to
as given: nothing on this machine is installed, reconfigured or restarted for it.
Does nothing when DATA_INTERFACE is null or sqlite. Uses sudo only when it has
something to do.
EOF
    exit 0
    ;;
esac

case "${DATA_INTERFACE:-graph}" in
  null | sqlite) exit 0 ;; # these backends need neither server
esac

requested=()
for arg in "$@"; do
  case "$arg" in
    all) mapfile -t -O "${#requested[@]}" requested < <(vg_all_instances) ;;
    mariadb | mariadb-test | neo4j | neo4j-test) requested+=("$arg") ;;
    *) vg_die "unknown target '$arg' (see provision/ensure.sh --help)" ;;
  esac
done
((${#requested[@]})) || mapfile -t requested < <(vg_all_instances)

targets=()
for name in "${requested[@]}"; do
  if vg_managed "$name"; then
    targets+=("$name")
  else
    vg_log "$name: $(vg_client_address "$name") is not the local server these scripts manage:" \
      "connecting as given, nothing provisioned"
  fi
done
((${#targets[@]})) || exit 0

if ! vg_install_current "${targets[@]}"; then
  vg_log "installing or updating ${targets[*]} (provision/install.sh)"
  bash "$VG_PROVISION_DIR/install.sh" "${targets[@]}"
fi

if ! bash "$VG_PROVISION_DIR/services.sh" status -q "${targets[@]}"; then
  bash "$VG_PROVISION_DIR/services.sh" start "${targets[@]}"
fi
