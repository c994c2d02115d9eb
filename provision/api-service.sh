#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/api-service.sh: install the API as the systemd service
# vowelgraph.service (from the template provision/vowelgraph.service) and
# (re)start it, so the API runs at boot. Used by the Vagrantfile; needs systemd.
# Run it after `npm ci && npm run build` in APP_DIR: the unit runs the built
# dist/lib/main.js with node, as the unprivileged account APP_USER, and never
# builds or provisions anything itself.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  -h | --help)
    cat <<EOF
Usage: provision/api-service.sh

Creates the system account APP_USER if needed, renders provision/vowelgraph.service
to /etc/systemd/system/vowelgraph.service, enables it and restarts it; then waits
up to 120 s for the API to answer.
  APP_DIR   the checkout to run, built (default: $VG_REPO_DIR)
  APP_USER  the unprivileged account it runs as (default: $APP_USER; never root)
  PORT      the API's port (default: $PORT)
Extra settings (MARIADB_*, NEO4J_*) go in /etc/default/vowelgraph.
EOF
    exit 0
    ;;
esac

vg_require_root "$0" "$@"
vg_has_systemd || vg_die "api-service.sh needs systemd; without it run the API with npm start"

: "${APP_DIR:=$VG_REPO_DIR}"
[[ "$APP_USER" != root && "$(id -u "$APP_USER" 2>/dev/null || echo 1)" != 0 ]] ||
  vg_die "APP_USER must be an unprivileged account, not root"
node="$(command -v node)" || vg_die "node not found: run provision/node.sh first"
[[ -f "$APP_DIR/dist/lib/main.js" ]] ||
  vg_die "no $APP_DIR/dist/lib/main.js: build first (cd $APP_DIR && npm ci && npm run build)"

# The account: a system user without a login or a home of its own.
if ! getent passwd "$APP_USER" >/dev/null; then
  vg_log "creating system user $APP_USER"
  getent group "$APP_USER" >/dev/null || groupadd --system "$APP_USER"
  useradd --system --gid "$APP_USER" --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin --comment "vowelgraph API" "$APP_USER"
fi
# It reads the checkout (which must be readable, as a rsync'd /vagrant is) and writes only
# data/ (the sqlite baseline) and its settings file.
data_dir="$APP_DIR/data"
install -d -o "$APP_USER" -g "$APP_USER" -m 0750 "$data_dir"
if [[ -e "$VG_SETTINGS_FILE" ]]; then
  chgrp "$APP_USER" "$VG_SETTINGS_FILE"
  chmod 0640 "$VG_SETTINGS_FILE"
fi
# ProtectHome hides /home, /root and /run/user, unless the checkout lives there.
protect_home=yes
case "$(realpath "$APP_DIR")" in
  /home/* | /root/* | /run/user/*) protect_home=read-only ;;
esac

unit=/etc/systemd/system/vowelgraph.service
if vg_render "$VG_PROVISION_DIR/vowelgraph.service" USER="$APP_USER" APP_DIR="$APP_DIR" PORT="$PORT" \
  NODE="$node" DATA_DIR="$data_dir" PROTECT_HOME="$protect_home" |
  vg_write_if_changed "$unit"; then
  systemctl daemon-reload
  vg_log "installed $unit"
fi
systemctl enable --quiet vowelgraph
# Restart even if unchanged: a re-provision may have rebuilt the code.
systemctl restart vowelgraph

api_answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; }
if vg_wait_until 120 api_answers; then
  vg_log "API running as $APP_USER: http://127.0.0.1:$PORT/ (journalctl -u vowelgraph for its log)"
else
  journalctl -u vowelgraph -n 30 --no-pager >&2 || true
  vg_die "the API did not answer on port $PORT within 120 s"
fi
