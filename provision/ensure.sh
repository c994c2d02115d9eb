#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/ensure.sh: make sure MariaDB and Neo4j are installed, configured and
# running; what `npm start` and `npm test` call first. When everything is in
# place it only looks (no root, no sudo) and takes well under a second.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  -h | --help)
    cat <<EOF
Usage: provision/ensure.sh [TARGET...]

Installs MariaDB and Neo4j if they are missing or their settings changed
(provision/install.sh), then starts them unless they are up and accept the
configured accounts (provision/services.sh start). TARGET as for services.sh:
all (default: mariadb, neo4j, neo4j-test), mariadb, neo4j, neo4j-test.
Does nothing when DATA_INTERFACE is null or sqlite. Uses sudo only when it has
something to do.
EOF
    exit 0
    ;;
esac

case "${DATA_INTERFACE:-graph}" in
  null | sqlite) exit 0 ;; # these backends need neither server
esac

if ! vg_install_current; then
  vg_log "installing or updating MariaDB and Neo4j (provision/install.sh)"
  bash "$VG_PROVISION_DIR/install.sh"
fi

if ! bash "$VG_PROVISION_DIR/services.sh" status -q "$@"; then
  bash "$VG_PROVISION_DIR/services.sh" start "$@"
fi
