#!/usr/bin/env bash
# provision/neo4j-import.sh SERVER CSV_DIR: replaces the graph of a local Neo4j server
# (neo4j or neo4j-test) with the CSV files that `npm run graph:rebuild` wrote to CSV_DIR, using
# Neo4j's offline bulk importer: stop the server, import, start it again. The server is down
# meanwhile (the service keeps taking writes; its dashboards answer 503 until it is back).
set -euo pipefail
# shellcheck source=provision/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 2 ]] || vg_die "usage: provision/neo4j-import.sh neo4j|neo4j-test CSV_DIR"
server=$1
csv_dir=$(realpath "$2")
vg_require_root "${BASH_SOURCE[0]}" "$@"
# Holds the provisioning lock from stop to start, so that a `services.sh start` or `ensure.sh`
# run meanwhile (npm start, npm test) waits instead of starting the server under the importer.
vg_lock
vg_n4 "$server"
[[ -r "$csv_dir/sessions.csv" ]] || vg_die "no sessions.csv in $csv_dir"

bash "$VG_PROVISION_DIR/services.sh" stop "$server"
vg_log "$server: importing the graph from $csv_dir"
# The importer runs as the server's own account, so the new store files belong to it. The CSV
# export (every event) stays private: its owner and the Neo4j account's group may read it,
# nobody else.
chgrp -R "$(id -gn "$NEO4J_SERVICE_USER")" "$csv_dir"
chmod -R u+rwX,g=rX,o= "$csv_dir"
vg_as_neo4j "$NEO4J_HOME/bin/neo4j-admin" database import full neo4j \
  --overwrite-destination=true \
  --nodes=Symbol="$csv_dir/symbols.csv" \
  --nodes=Session="$csv_dir/sessions-header.csv,$csv_dir/sessions.csv" \
  --nodes=Bucket="$csv_dir/buckets.csv" \
  --nodes=Projection="$csv_dir/projection.csv" \
  --nodes=LogPosition="$csv_dir/positions.csv" \
  --relationships=ASKED="$csv_dir/asked-header.csv,$csv_dir/sessions.csv" \
  --relationships=FOLLOWED_UP="$csv_dir/followed-up.csv" \
  --report-file="$N4_LOG_DIR/import.report"
bash "$VG_PROVISION_DIR/services.sh" start "$server"
