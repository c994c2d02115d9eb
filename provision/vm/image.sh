# shellcheck shell=bash
# provision/vm/image.sh: the recipe of check-vm.sh's base image, a stand-in for the Vagrant box
# debian/bookworm64: Debian 12 from debootstrap, systemd as PID 1, OpenSSH, sudo, rsync and a
# `vagrant` account with passwordless sudo that logs in with a key, as a Vagrant box has. Nothing
# of vowelgraph is in it: the Vagrantfile's provisioners install everything.
#
# Two things of this machine go in too, because its network needs them and they are slow to copy
# into a running VM under software emulation (minutes, not seconds): the host's CA certificates
# (HTTPS to Maven Central and the npm registry goes through them) and the host's own Node.js 20
# (NodeSource, where provision/node.sh would get it, is not reachable here; with node >= 20
# present, node.sh does nothing). On a machine with plain internet access neither is needed.
#
# With VG_VM_PREINSTALL=1 (the default) the image also holds the Debian packages that
# provision/install.sh installs (its wanted_packages), installed natively on the host while the
# image is built: in the VM, under software emulation, unpacking them takes 20 minutes or more,
# which alone would blow check-vm's budget. install.sh then finds them installed and goes on,
# as on a box that has them. The host's local Maven repository comes along as a cache. VG_VM_PREINSTALL=0 makes the image a minimal box, on which
# install.sh installs them itself (this was run: see README).
#
# Sourced by check-vm.sh. The image's cache key is the sha256 of this file, the host's node
# version, its CA certificates and the package list (vm_image_key), so a change to any of them
# rebuilds it.

# What debootstrap adds to Debian's required and important packages. A Vagrant box is a
# minimal system too: no curl, no Java, no compiler, no python3 until a provisioner installs them.
VM_IMAGE_PACKAGES=linux-image-amd64,systemd-sysv,dbus,openssh-server,sudo,ca-certificates,rsync,iproute2
VM_IMAGE_SUITE=bookworm
VM_IMAGE_MIRROR=http://deb.debian.org/debian
VM_IMAGE_SIZE=16G

# vm_build_image OUT_DIR PUBLIC_KEY [PACKAGE...]: writes OUT_DIR/disk.raw (ext4, no partition table: the
# kernel mounts /dev/vda itself), OUT_DIR/vmlinuz and OUT_DIR/initrd.img (QEMU boots them
# directly: no bootloader). Runs as root on the host; the root tree is built in OUT_DIR/root and
# removed afterwards.
vm_build_image() {
  local out="$1" pubkey="$2" root="$1/root"
  shift 2
  rm -rf "$root"
  mkdir -p "$root"
  # The host's apt settings (its proxy or mirror options) apply to debootstrap's downloads too.
  debootstrap --include="$VM_IMAGE_PACKAGES" "$VM_IMAGE_SUITE" "$root" "$VM_IMAGE_MIRROR" \
    >"$out/debootstrap.log" 2>&1 || {
    tail -n 30 "$out/debootstrap.log" >&2
    return 1
  }

  # The box's identity: a hostname Vagrant replaces, an empty machine-id (systemd makes one at
  # the first boot), the root file system, and the serial console for the boot log.
  echo debian >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
  : >"$root/etc/machine-id"
  echo '/dev/vda / ext4 errors=remount-ro 0 1' >"$root/etc/fstab"

  # Network: QEMU's user-mode NIC as eth0 (net.ifnames=0), by DHCP from systemd-networkd; QEMU's
  # resolver at 10.0.2.3 forwards to the host's.
  cat >"$root/etc/systemd/network/10-eth0.network" <<'NET'
[Match]
Name=eth0

[Network]
DHCP=ipv4
NET
  echo 'nameserver 10.0.2.3' >"$root/etc/resolv.conf"
  chroot "$root" systemctl enable systemd-networkd.service >/dev/null 2>&1
  # apt's daily timers would take the dpkg lock in the middle of a provisioner; Vagrant boxes
  # keep them, but a throwaway VM has no use for them.
  chroot "$root" systemctl disable apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true

  # The vagrant account, as a Vagrant box has it: passwordless sudo, a key for SSH.
  chroot "$root" useradd --create-home --shell /bin/bash --user-group vagrant
  echo 'vagrant ALL=(ALL) NOPASSWD:ALL' >"$root/etc/sudoers.d/vagrant"
  chmod 0440 "$root/etc/sudoers.d/vagrant"
  install -d -m 0700 -o 1000 -g 1000 "$root/home/vagrant/.ssh"
  install -m 0600 -o 1000 -g 1000 "$pubkey" "$root/home/vagrant/.ssh/authorized_keys"
  # Vagrant boxes turn off DNS lookups of clients, which slow every login.
  echo 'UseDNS no' >"$root/etc/ssh/sshd_config.d/vagrant.conf"

  # This machine's CA certificates, trusted by the guest's OpenSSL (and by Java, whose
  # ca-certificates-java builds its keystore from the same store when a provisioner installs it).
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1
  fi
  (($# == 0)) || vm_preinstall "$root" "$@"
  # The host's Node.js: the binary, npm (upgraded in place on this host, so not only the
  # package's files) and the headers that node-gyp builds better-sqlite3 against (~/.npmrc's
  # nodedir=/usr here).
  tar -C / -cf - usr/bin/node usr/bin/npm usr/bin/npx usr/lib/node_modules/npm usr/include/node |
    tar -C "$root" -xf -
  chroot "$root" node --version >/dev/null

  cp -L "$root/vmlinuz" "$out/vmlinuz"
  cp -L "$root/initrd.img" "$out/initrd.img"
  chmod 0644 "$out/vmlinuz" "$out/initrd.img"
  apt_clean_root "$root"
  # mkfs.ext4 -d copies the tree into the new file system: no loop device, no mount.
  rm -f "$out/disk.raw"
  mkfs.ext4 -q -L root -d "$root" "$out/disk.raw" "$VM_IMAGE_SIZE" >/dev/null
  rm -rf "$root"
}

# Install Debian packages into the root tree $1 (chroot, natively on the host), with the host's
# apt sources and settings and its name server for the duration; no service is started
# (policy-rc.d), none left running.
vm_preinstall() {
  local root="$1" status=0
  shift
  cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null && rm -f "$root/etc/apt/sources.list"
  cp /etc/apt/apt.conf.d/99artifact-registry "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  {
    chroot "$root" apt-get update -q &&
      chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
  } >"$root/../preinstall.log" 2>&1 || status=$?
  umount "$root/proc" || umount -l "$root/proc"
  rm -f "$root/usr/sbin/policy-rc.d"
  echo 'nameserver 10.0.2.3' >"$root/etc/resolv.conf"
  ((status == 0)) || { tail -n 30 "$root/../preinstall.log" >&2; return 1; }
  # And the host's local Maven repository, as a cache: install.sh's `mvn dependency:copy-
  # dependencies` then finds Neo4j's jars there instead of downloading them again through the
  # emulated network stack (run 1: 7 minutes and not done). Maven still resolves and copies them.
  if [[ -d "$HOME/.m2/repository" ]]; then
    install -d -m 0755 "$root/root/.m2"
    cp -a "$HOME/.m2/repository" "$root/root/.m2/"
  fi
}

# The cache key: this recipe and what it takes from the host (args: the packages to preinstall).
vm_image_key() {
  {
    cat "${BASH_SOURCE[0]}"
    printf '%s\n' "$@"
    node --version
    cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true
  } | sha256sum | cut -c1-16
}

apt_clean_root() { rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages; }
