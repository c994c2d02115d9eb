#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/node.sh: install Node.js ${NODE_MAJOR:-20} unless `node` is already that
# major version or newer. Debian 12's own nodejs is v18, too old for the
# project, so this uses NodeSource's apt repository (deb.nodesource.com), which
# the Vagrant VM reaches; its nodejs package includes npm.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${NODE_MAJOR:=20}"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if (($(node_major) >= NODE_MAJOR)); then
  vg_log "node $(node --version) is installed (>= v$NODE_MAJOR): nothing to do"
  exit 0
fi

vg_require_root "$0" "$@"
vg_log "installing Node.js $NODE_MAJOR from NodeSource"
if ! { vg_pkg_installed curl && vg_pkg_installed gnupg && vg_pkg_installed ca-certificates; }; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ca-certificates curl gnupg
fi
install -d -m 0755 /etc/apt/keyrings
keyring=/etc/apt/keyrings/nodesource.gpg
curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o "$keyring"
echo "deb [signed-by=$keyring] https://deb.nodesource.com/node_$NODE_MAJOR.x nodistro main" \
  >/etc/apt/sources.list.d/nodesource.list
# Prefer NodeSource's nodejs to Debian's older one of the same name.
cat >/etc/apt/preferences.d/nodesource <<EOF
Package: nodejs
Pin: origin deb.nodesource.com
Pin-Priority: 600
EOF
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs
(($(node_major) >= NODE_MAJOR)) || vg_die "node is $(node --version 2>/dev/null || echo missing) after the install"
vg_log "installed node $(node --version), npm $(npm --version)"
