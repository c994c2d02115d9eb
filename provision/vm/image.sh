# shellcheck shell=bash
# provision/vm/image.sh: the recipe of check-vm.sh's base image, a stand-in for the Vagrant box
# debian/bookworm64: Debian 12 from debootstrap, systemd as PID 1, OpenSSH, sudo, rsync and a
# `vagrant` account with passwordless sudo that logs in with a key, as a Vagrant box has. Nothing
# of vowelgraph is in it: the Vagrantfile's provisioners install everything. Sourced by
# check-vm.sh; the sha256 of this file is the image's cache key, so editing the recipe rebuilds
# the image on the next run.

# What debootstrap adds to Debian's required and important packages. A Vagrant box is a
# minimal system too: no curl, no Java, no compiler, no python3 until a provisioner installs them.
VM_IMAGE_PACKAGES=linux-image-amd64,systemd-sysv,dbus,openssh-server,sudo,ca-certificates,rsync,iproute2
VM_IMAGE_SUITE=bookworm
VM_IMAGE_MIRROR=http://deb.debian.org/debian
VM_IMAGE_SIZE=16G

# vm_build_image OUT_DIR PUBLIC_KEY: writes OUT_DIR/disk.raw (ext4, no partition table: the
# kernel mounts /dev/vda itself), OUT_DIR/vmlinuz and OUT_DIR/initrd.img (QEMU boots them
# directly: no bootloader). Runs as root on the host; the root tree is built in OUT_DIR/root and
# removed afterwards.
vm_build_image() {
  local out="$1" pubkey="$2" root="$1/root"
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

  cp -L "$root/vmlinuz" "$out/vmlinuz"
  cp -L "$root/initrd.img" "$out/initrd.img"
  chmod 0644 "$out/vmlinuz" "$out/initrd.img"
  apt_clean_root "$root"
  # mkfs.ext4 -d copies the tree into the new file system: no loop device, no mount.
  rm -f "$out/disk.raw"
  mkfs.ext4 -q -L root -d "$root" "$out/disk.raw" "$VM_IMAGE_SIZE"
  rm -rf "$root"
}

apt_clean_root() { rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages; }
