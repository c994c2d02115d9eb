#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/vagrant/box.sh (`npm run vagrant:box`): build the LXC box that the Vagrantfile's lxc
# provider runs (VG_VAGRANT_LXC_BOX), and add it to Vagrant, so that a Linux user without
# VirtualBox can `vagrant up --provider=lxc`. No LXC box of Debian 12 is published, so it is made
# here, as a Vagrant box is: Debian 12 from debootstrap, systemd, OpenSSH, sudo, rsync, and a
# `vagrant` account with passwordless sudo that logs in with Vagrant's published insecure key
# (which `vagrant up` replaces). Nothing of vowelgraph is in it: the Vagrantfile's provisioners
# install everything, as on debian/bookworm64.
#
# Built once: the box carries the key of its recipe (this folder, the settings below, and what it
# takes from this machine), so a later run with the same recipe only checks. Building needs root
# (debootstrap, chroot: it re-executes the build through sudo); the box is added to the calling
# user's Vagrant (VAGRANT_HOME). `provision/vagrant/check.sh` (npm run check:vagrant) uses it.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BOX_DIR="$VG_PROVISION_DIR/vagrant"
BOX_SUITE=bookworm
# What debootstrap adds to Debian's required and important packages. systemd-networkd (in
# systemd) configures eth0 by DHCP: a container has no udev, so ifupdown's ifup@eth0 fails;
# systemd-resolved turns the DHCP lease's name server into /etc/resolv.conf.
BOX_PACKAGES=systemd-sysv,dbus,systemd-resolved,openssh-server,sudo,ca-certificates,rsync,iproute2

usage() {
  cat <<EOF
Usage: provision/vagrant/box.sh [--key]   (npm run vagrant:box)

Builds the Vagrant box $VG_VAGRANT_LXC_BOX (provider lxc, Debian 12) unless the one already
added has the same recipe, and adds it with \`vagrant box add\`. Then:
  vagrant up --provider=lxc
Needs Debian's vagrant, vagrant-lxc, lxc and debootstrap (apt-get install --no-install-recommends
vagrant vagrant-lxc lxc debootstrap) and root or sudo. --key prints the recipe's key only.
Settings (environment or config/defaults.env):
  VG_VAGRANT_LXC_BOX        the box's name ($VG_VAGRANT_LXC_BOX)
  VG_VAGRANT_BOX_CACHE      where the built .box file is kept ($VG_VAGRANT_BOX_CACHE)
  VG_VAGRANT_BOX_MIRROR     the Debian mirror debootstrap uses ($VG_VAGRANT_BOX_MIRROR)
  VG_VAGRANT_BOX_HOST_NET   1: this machine's CA certificates, apt settings and ~/.npmrc go into
                            the box, for a network that re-signs TLS or serves a Debian snapshot
                            ($VG_VAGRANT_BOX_HOST_NET)
  VG_VAGRANT_BOX_HOST_NODE  1: this machine's Node.js and npm go into the box, where NodeSource
                            (provision/node.sh) is not reachable ($VG_VAGRANT_BOX_HOST_NODE)
EOF
}

# The npm settings that go into the box with VG_VAGRANT_BOX_HOST_NET=1: the calling user's and
# npm's global ones (where this machine tells npm which CA file to trust), kept through sudo by
# their VG_ names.
: "${VG_BOX_NPMRC:=$HOME/.npmrc}"
: "${VG_BOX_GLOBAL_NPMRC:=$(npm config get globalconfig 2>/dev/null || true)}"
export VG_BOX_NPMRC VG_BOX_GLOBAL_NPMRC

# apt's settings of how to reach the archive here (Acquire::...: a proxy, a snapshot's expired
# Release file accepted), not the rest of this machine's apt configuration.
host_apt_settings() { grep -l '^[[:space:]]*Acquire::' /etc/apt/apt.conf.d/* 2>/dev/null || true; }

# The files the box takes from this machine, by its two settings.
host_files() {
  if [[ "$VG_VAGRANT_BOX_HOST_NET" == 1 ]]; then
    compgen -G '/usr/local/share/ca-certificates/*.crt' || true
    compgen -G '/etc/apt/sources.list.d/*.sources' || true
    host_apt_settings
    [[ -f "$VG_BOX_NPMRC" ]] && echo "$VG_BOX_NPMRC"
    [[ -f "$VG_BOX_GLOBAL_NPMRC" ]] && echo "$VG_BOX_GLOBAL_NPMRC"
  fi
  if [[ "$VG_VAGRANT_BOX_HOST_NODE" == 1 ]]; then
    command -v node npm npx
  fi
  return 0
}

# The recipe's key: this folder's box files, the settings, and what the box takes from here.
box_key() {
  local file
  {
    cat "$BOX_DIR/box.sh" "$BOX_DIR/box.Vagrantfile" "$BOX_DIR/lxc-config" "$BOX_DIR/lxc-forward-ports.rb"
    printf '%s\n' "$BOX_SUITE" "$BOX_PACKAGES" "$VG_VAGRANT_BOX_MIRROR" "$VG_VAGRANT_BOX_HOST_NET" "$VG_VAGRANT_BOX_HOST_NODE"
    for file in $(host_files); do
      printf '%s\n' "$file"
      cat "$file"
    done
    [[ "$VG_VAGRANT_BOX_HOST_NODE" == 1 ]] && node --version
  } | sha256sum | cut -c1-16
}

# The key of the box Vagrant has under that name, if any (the file vowelgraph-box-key in it).
added_key() {
  local dir
  dir="${VAGRANT_HOME:-$HOME/.vagrant.d}/boxes/${VG_VAGRANT_LXC_BOX//\//-VAGRANTSLASH-}"
  cat "$dir"/*/lxc/vowelgraph-box-key 2>/dev/null | head -n 1
}

# --- the build (root) ---
# build_rootfs ROOT: Debian 12 in ROOT, configured as a Vagrant box.
build_rootfs() {
  local root="$1" pubkey
  pubkey="$(vagrant_public_key)"
  debootstrap --include="$BOX_PACKAGES" "$BOX_SUITE" "$root" "$VG_VAGRANT_BOX_MIRROR" >"$root.debootstrap.log" 2>&1 || {
    tail -n 30 "$root.debootstrap.log" >&2
    vg_die "debootstrap failed (log: $root.debootstrap.log)"
  }
  # Its identity: a hostname that Vagrant replaces (config.vm.hostname), an empty machine-id that
  # systemd fills at the first boot.
  echo debian >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
  : >"$root/etc/machine-id"
  printf '[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\n' >"$root/etc/systemd/network/10-eth0.network"
  chroot "$root" systemctl enable --quiet systemd-networkd.service systemd-resolved.service
  # apt's daily timers would take the dpkg lock in the middle of a provisioner.
  chroot "$root" systemctl disable --quiet apt-daily.timer apt-daily-upgrade.timer 2>/dev/null || true

  # The vagrant account as Vagrant expects it: passwordless sudo and the insecure public key.
  chroot "$root" useradd --create-home --shell /bin/bash --user-group vagrant
  printf 'vagrant ALL=(ALL) NOPASSWD:ALL\nDefaults:vagrant !requiretty\n' >"$root/etc/sudoers.d/vagrant"
  chmod 0440 "$root/etc/sudoers.d/vagrant"
  install -d -m 0700 -o 1000 -g 1000 "$root/home/vagrant/.ssh"
  install -m 0600 -o 1000 -g 1000 "$pubkey" "$root/home/vagrant/.ssh/authorized_keys"
  # No DNS lookup of each client, which slows every login.
  echo 'UseDNS no' >"$root/etc/ssh/sshd_config.d/vagrant.conf"

  [[ "$VG_VAGRANT_BOX_HOST_NET" == 1 ]] && copy_host_network "$root"
  [[ "$VG_VAGRANT_BOX_HOST_NODE" == 1 ]] && copy_host_node "$root"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_Packages
}

# Vagrant's published insecure public key, from the vagrant package.
vagrant_public_key() {
  local key
  for key in /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub \
    /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub; do
    [[ -f "$key" ]] && { echo "$key"; return 0; }
  done
  vg_die "Vagrant's insecure public key (keys/vagrant.pub) not found: is vagrant installed?"
}

# This machine's CA certificates (trusted by the box's OpenSSL, and by Java, whose keystore
# ca-certificates-java builds from the same store when a provisioner installs it), its apt
# sources and settings, and its npm settings, for root and vagrant.
copy_host_network() {
  local root="$1" file
  for file in /usr/local/share/ca-certificates/*.crt; do
    [[ -f "$file" ]] && cp "$file" "$root/usr/local/share/ca-certificates/"
  done
  chroot "$root" update-ca-certificates >/dev/null 2>&1
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    rm -f "$root/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
  fi
  for file in $(host_apt_settings); do cp "$file" "$root$file"; done
  if [[ -f "$VG_BOX_NPMRC" ]]; then
    install -m 0600 "$VG_BOX_NPMRC" "$root/root/.npmrc"
    install -m 0600 -o 1000 -g 1000 "$VG_BOX_NPMRC" "$root/home/vagrant/.npmrc"
  fi
  [[ -f "$VG_BOX_GLOBAL_NPMRC" ]] && install -D -m 0644 "$VG_BOX_GLOBAL_NPMRC" "$root$VG_BOX_GLOBAL_NPMRC"
  return 0
}

# This machine's Node.js: the binary, npm (as installed here, upgraded in place or not) and the
# headers node-gyp builds native modules against (better-sqlite3 where no prebuilt binary can be
# downloaded). provision/node.sh then finds node >= 20 and does nothing.
copy_host_node() {
  local root="$1" node npm_dir
  node="$(command -v node)" || vg_die "VG_VAGRANT_BOX_HOST_NODE=1, but node is not installed here"
  npm_dir="$(dirname "$node")/../lib/node_modules/npm"
  [[ -d "$npm_dir" ]] || vg_die "npm not found beside $node"
  install -D -m 0755 "$node" "$root/usr/bin/node"
  install -d "$root/usr/lib/node_modules"
  cp -a "$npm_dir" "$root/usr/lib/node_modules/"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
  if [[ -d "$(dirname "$node")/../include/node" ]]; then
    install -d "$root/usr/include"
    cp -a "$(dirname "$node")/../include/node" "$root/usr/include/"
  fi
  chroot "$root" node --version >/dev/null
}

# build_box OUT KEY: the .box file OUT, as vagrant-lxc reads it.
build_box() {
  local out="$1" key="$2" work
  command -v debootstrap >/dev/null 2>&1 || vg_die "debootstrap is not installed (apt-get install debootstrap)"
  work="$(mktemp -d "$(dirname "$out")/box-build.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  vg_log "building the LXC box (debootstrap $BOX_SUITE from $VG_VAGRANT_BOX_MIRROR; about 2 minutes)"
  build_rootfs "$work/rootfs"
  # vagrant-lxc's template unpacks the rootfs with --strip-components=2 (./rootfs/...).
  tar --numeric-owner -C "$work" -czf "$work/rootfs.tar.gz" ./rootfs
  rm -rf "$work/rootfs"
  printf '{"provider": "lxc", "version": "1.0.0", "built-on": "%s"}\n' "$(date -u '+%F %T UTC')" >"$work/metadata.json"
  cp "$BOX_DIR/lxc-config" "$work/lxc-config"
  cp "$BOX_DIR/box.Vagrantfile" "$work/Vagrantfile"
  cp "$BOX_DIR/lxc-forward-ports.rb" "$work/lxc-forward-ports.rb"
  echo "$key" >"$work/vowelgraph-box-key"
  tar -C "$work" -cf "$out.new" metadata.json rootfs.tar.gz lxc-config Vagrantfile lxc-forward-ports.rb vowelgraph-box-key
  mv "$out.new" "$out"
  chmod 0644 "$out"
  rm -rf "$work"
  trap - EXIT
}

main() {
  case "${1:-}" in
    -h | --help)
      usage
      return 0
      ;;
    --key)
      box_key
      return 0
      ;;
    --build) # internal: the root part, OUT KEY
      vg_require_root "$0" "$@"
      build_box "$2" "$3"
      return 0
      ;;
    "") ;;
    *)
      usage >&2
      return 2
      ;;
  esac
  command -v vagrant >/dev/null 2>&1 || vg_die "vagrant is not installed (apt-get install vagrant vagrant-lxc lxc)"
  local key file
  key="$(box_key)"
  if [[ "$(added_key)" == "$key" ]]; then
    vg_log "box $VG_VAGRANT_LXC_BOX is current (recipe $key)"
    return 0
  fi
  file="$VG_VAGRANT_BOX_CACHE/vowelgraph-lxc-$key.box"
  if [[ ! -f "$file" ]]; then
    if vg_is_root; then install -d -m 0755 "$VG_VAGRANT_BOX_CACHE"; else sudo install -d -m 0755 "$VG_VAGRANT_BOX_CACHE"; fi
    bash "$0" --build "$file" "$key"
    # Boxes of older recipes are of no further use.
    find "$VG_VAGRANT_BOX_CACHE" -maxdepth 1 -name 'vowelgraph-lxc-*.box' ! -name "vowelgraph-lxc-$key.box" \
      -exec rm -f {} + 2>/dev/null || true
  fi
  vg_log "adding $file to Vagrant as $VG_VAGRANT_LXC_BOX"
  vagrant box add --force --name "$VG_VAGRANT_LXC_BOX" "$file" >/dev/null
  [[ "$(added_key)" == "$key" ]] || vg_die "vagrant box add did not leave the box $VG_VAGRANT_LXC_BOX with key $key"
  vg_log "box $VG_VAGRANT_LXC_BOX added (recipe $key): vagrant up --provider=lxc"
}

main "$@"
