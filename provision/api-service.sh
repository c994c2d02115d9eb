#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/api-service.sh: install the API as the systemd service
# vowelgraph.service (from the template provision/vowelgraph.service) and
# (re)start it, so the API runs at boot. Used by the Vagrantfile; needs systemd.
# Run it after `npm ci && npm run build` in APP_DIR.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  -h | --help)
    cat <<EOF
Usage: provision/api-service.sh

Renders provision/vowelgraph.service to /etc/systemd/system/vowelgraph.service,
enables it and restarts it; then waits up to 120 s for the API to answer.
  APP_DIR   the checkout to run (default: $VG_REPO_DIR)
  APP_USER  the account it runs as (default: the owner of APP_DIR)
  PORT      the API's port (default: 5000)
Extra settings (MARIADB_*, NEO4J_*) go in /etc/default/vowelgraph.
EOF
    exit 0
    ;;
esac

vg_require_root "$0" "$@"
vg_has_systemd || vg_die "api-service.sh needs systemd; without it run the API with npm start"

: "${APP_DIR:=$VG_REPO_DIR}"
: "${APP_USER:=$(stat -c %U "$APP_DIR")}"
: "${PORT:=5000}"
npm="$(command -v npm)" || vg_die "npm not found: run provision/node.sh first"
[[ -f "$APP_DIR/package.json" ]] || vg_die "no package.json in $APP_DIR"

unit=/etc/systemd/system/vowelgraph.service
if vg_render "$VG_PROVISION_DIR/vowelgraph.service" USER="$APP_USER" APP_DIR="$APP_DIR" PORT="$PORT" NPM="$npm" |
  vg_write_if_changed "$unit"; then
  systemctl daemon-reload
  vg_log "installed $unit"
fi
systemctl enable --quiet vowelgraph
# Restart even if unchanged: a re-provision may have rebuilt the code.
systemctl restart vowelgraph

api_answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; }
if vg_wait_until 120 api_answers; then
  vg_log "API running: http://127.0.0.1:$PORT/ (journalctl -u vowelgraph for its log)"
else
  journalctl -u vowelgraph -n 30 --no-pager >&2 || true
  vg_die "the API did not answer on port $PORT within 120 s"
fi
