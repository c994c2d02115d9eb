#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/check-vagrantfile.sh: validate the Vagrantfile with Vagrant itself
# (`vagrant validate --ignore-provider`; no VM is created). Installs Debian's
# vagrant package when missing and possible. Exit 0 when valid, or (with a
# SKIP message) when Vagrant cannot be installed here; exit 1 when invalid.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_vagrant() {
  vg_is_root && command -v apt-get >/dev/null 2>&1 || return 1
  vg_log "installing Debian's vagrant package to validate the Vagrantfile"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends vagrant)
  "${apt[@]}" >/dev/null 2>&1 && return 0
  apt-get update -q >/dev/null 2>&1 && "${apt[@]}" >/dev/null 2>&1
}

if ! command -v vagrant >/dev/null 2>&1 && ! install_vagrant; then
  echo "SKIP: vagrant is not installed and cannot be installed here; the Vagrantfile was not validated"
  exit 0
fi

# Keep Vagrant's state out of the work tree and its version check off the network.
state="$(mktemp -d)"
trap 'rm -rf "$state"' EXIT
if out="$(cd "$VG_REPO_DIR" && VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_HOME="$state/home" \
  VAGRANT_DOTFILE_PATH="$state/dot" vagrant validate --ignore-provider --no-color 2>&1)"; then
  echo "OK: Vagrantfile is valid ($(vagrant --version)): $out"
else
  echo "$out" >&2
  echo "FAIL: the Vagrantfile is invalid" >&2
  exit 1
fi
