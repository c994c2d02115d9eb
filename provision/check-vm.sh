#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/check-vm.sh (`npm run check:vm`): what `vagrant up` does, proven in a freshly booted
# Debian 12 VM. Vagrant itself cannot drive a VM on this machine (no VirtualBox; vagrant-libvirt
# needs a bridge), so this script does Vagrant's part: it boots a throwaway copy of a cached
# Debian 12 base image (a stand-in for the box, provision/vm/image.sh) under QEMU, copies the
# tree to /vagrant as the Vagrantfile's rsync folder would, and runs the Vagrantfile's
# provisioners in order, read from the Vagrantfile itself (provision/vm/vagrantfile.rb).
# Then, from the host through forwarded loopback ports only, it checks what an evaluator would:
# the vowelgraph unit, the original client's protocol and the dashboards, Neo4j Browser, a
# reboot (`vagrant reload`), the exercise's Python client inside the VM and `npm test` inside.
# Needs root (apt-get, debootstrap). Exit 0 when every check passed.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=vm/image.sh
. "$VG_PROVISION_DIR/vm/image.sh"

case "${1:-}" in
  -h | --help)
    cat <<EOF
Usage: provision/check-vm.sh   (npm run check:vm)

Boots a throwaway Debian 12 VM under QEMU (software emulation), runs the Vagrantfile's
provisioners in it and checks the result from the host. Settings (config/defaults.env):
  VG_VM_PREINSTALL         1: the image has install.sh's Debian packages; 0: a minimal box ($VG_VM_PREINSTALL)
  VG_VM_CACHE_DIR          base image, SSH key and the last run's logs ($VG_VM_CACHE_DIR)
  VG_VM_SSH_PORT           host loopback port forwarded to the VM's SSH ($VG_VM_SSH_PORT)
  VG_VM_PORT_OFFSET        each forwarded_port of the Vagrantfile is on host port + this ($VG_VM_PORT_OFFSET)
  VG_VM_BOOT_TIMEOUT       seconds for SSH to answer after a boot ($VG_VM_BOOT_TIMEOUT)
  VG_VM_PROVISION_TIMEOUT  seconds each provisioner may take ($VG_VM_PROVISION_TIMEOUT)
  VG_VM_SERVICES_TIMEOUT   seconds for the services to be back after a reboot ($VG_VM_SERVICES_TIMEOUT)
  VG_VM_TEST_TIMEOUT       seconds npm test may take in the VM ($VG_VM_TEST_TIMEOUT)
EOF
    exit 0
    ;;
esac

vg_require_root "$0" "$@"

CACHE="$VG_VM_CACHE_DIR"
RUN="$CACHE/run" # this run's overlay and logs (the logs stay until the next run)
QEMU_PID=""
T_START=$SECONDS
PHASES=()
PHASE_NAME=""
LAST_PHASE=""
PHASE_T0=0

log() { printf '[check-vm %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}

# Phases and their durations, printed as they end and all together at the end.
phase() {
  phase_end
  PHASE_NAME="$1"
  PHASE_T0=$SECONDS
  log "== $PHASE_NAME"
}
phase_end() {
  [[ -n "$PHASE_NAME" ]] || return 0
  PHASES+=("$(printf '%-28s %5d s' "$PHASE_NAME" $((SECONDS - PHASE_T0)))")
  LAST_PHASE="$PHASE_NAME"
  log "   $PHASE_NAME: $((SECONDS - PHASE_T0)) s"
  PHASE_NAME=""
}
summary() {
  local status=$1 line
  phase_end
  printf '\ncheck-vm phases:\n' >&2
  for line in "${PHASES[@]}"; do printf '  %s\n' "$line" >&2; done
  printf '  %-28s %5d s\n' total $((SECONDS - T_START)) >&2
  if ((status == 0)); then
    printf 'check:vm: PASSED (logs in %s)\n' "$RUN" >&2
  else
    printf 'check:vm: FAILED in phase "%s" (exit %d; logs in %s)\n' "$LAST_PHASE" "$status" "$RUN" >&2
  fi
}

# Only our own QEMU, by its pid, also when a phase failed or the run was interrupted.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$QEMU_PID" ]] && kill -0 "$QEMU_PID" 2>/dev/null; then
    kill "$QEMU_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$QEMU_PID" 2>/dev/null || true
    wait "$QEMU_PID" 2>/dev/null || true
  fi
  rm -f "$RUN/overlay.qcow2"
  summary "$status"
  exit "$status"
}

# --- 1. the host's tools ---
host_tools() {
  local want=() cmd pkg
  for cmd in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils debootstrap:debootstrap \
    ruby:ruby ssh:openssh-client ssh-keygen:openssh-client rsync:rsync mkfs.ext4:e2fsprogs curl:curl; do
    command -v "${cmd%%:*}" >/dev/null 2>&1 || want+=("${cmd#*:}")
  done
  ((${#want[@]})) || return 0
  mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
  log "installing on the host: ${want[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}" >/dev/null
  for pkg in "${want[@]}"; do vg_pkg_installed "$pkg" || fail "could not install $pkg"; done
}

# --- 2. the base image, built once per recipe ---
base_image() {
  local key packages=()
  # The Debian packages install.sh installs, from install.sh itself (see vm/image.sh).
  if [[ "$VG_VM_PREINSTALL" == 1 ]]; then
    mapfile -t packages < <(bash -c '. "$1/install.sh" && wanted_packages' _ "$VG_PROVISION_DIR")
    ((${#packages[@]})) || fail "no package list from install.sh"
  fi
  key="$(vm_image_key "${packages[@]}")"
  IMAGE="$CACHE/image-$key"
  if [[ -f "$IMAGE/disk.raw" && -f "$IMAGE/vmlinuz" && -f "$IMAGE/id_ed25519" ]]; then
    log "base image $IMAGE (cached)"
    return 0
  fi
  log "building the base image $IMAGE (debootstrap $VM_IMAGE_SUITE; a few minutes)"
  rm -rf "$IMAGE.new"
  mkdir -p "$IMAGE.new"
  # The key the check logs in with, as `vagrant ssh` uses the box's insecure key.
  ssh-keygen -q -t ed25519 -N '' -C vowelgraph-check-vm -f "$IMAGE.new/id_ed25519"
  vm_build_image "$IMAGE.new" "$IMAGE.new/id_ed25519.pub" "${packages[@]}" || fail "building the base image failed"
  rm -rf "$IMAGE"
  mv "$IMAGE.new" "$IMAGE"
  # Images of older recipes are of no further use.
  find "$CACHE" -maxdepth 1 -name 'image-*' ! -name "image-$key" -exec rm -rf {} +
}

# --- 3. the Vagrantfile, as Vagrant sees it ---
read_vagrantfile() {
  # A clean environment: the Vagrantfile adds the host's MARIADB_* and NEO4J_* variables to the
  # VM's settings, and the check proves the defaults, but for VG_VM_GUEST_ENV: longer start
  # timeouts, passed the Vagrantfile's own way, because under software emulation a Neo4j
  # server takes minutes to start, not the 15 s that NEO4J_START_TIMEOUT's 120 s allow for.
  local guest_env=()
  IFS=, read -r -a guest_env <<<"$VG_VM_GUEST_ENV"
  env -i PATH=/usr/bin:/bin HOME="$HOME" "${guest_env[@]}" ruby "$VG_PROVISION_DIR/vm/vagrantfile.rb" \
    "$VG_REPO_DIR/Vagrantfile" >"$RUN/vagrantfile.json" || fail "could not read the Vagrantfile"
}

# A value from vagrantfile.json by a JavaScript expression over `v`.
vf() { node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const r = ('"$1"'); console.log(typeof r === "object" ? JSON.stringify(r) : r)' "$RUN/vagrantfile.json"; }

# Host port of the Vagrantfile's forwarded guest port $1.
host_port() {
  local host
  host="$(vf "(v.forwarded_ports.find((p) => p.guest === $1) || {}).host")"
  [[ "$host" =~ ^[0-9]+$ ]] || fail "the Vagrantfile forwards no guest port $1"
  echo $((host + VG_VM_PORT_OFFSET))
}

# --- 4. boot ---
SSH_OPTS=()
# shellcheck disable=SC2029 # the commands are meant to expand in the guest
ssh_vm() { ssh "${SSH_OPTS[@]}" vagrant@127.0.0.1 "$@"; }
ssh_ready() { timeout 30 ssh -o ConnectTimeout=10 "${SSH_OPTS[@]}" vagrant@127.0.0.1 true 2>/dev/null; }

boot_vm() {
  local memory cpus forwards="" guest port
  memory="$(vf 'v.providers.virtualbox?.memory ?? v.providers.libvirt?.memory ?? 1024')"
  cpus="$(vf 'v.providers.virtualbox?.cpus ?? v.providers.libvirt?.cpus ?? 1')"
  forwards="hostfwd=tcp:127.0.0.1:$VG_VM_SSH_PORT-:22"
  for guest in $(vf 'v.forwarded_ports.map((p) => p.guest).join(" ")'); do
    port="$(host_port "$guest")"
    vg_port_open 127.0.0.1 "$port" && fail "host port $port (for the VM's $guest) is in use: set VG_VM_PORT_OFFSET"
    forwards+=",hostfwd=tcp:127.0.0.1:$port-:$guest"
  done
  vg_port_open 127.0.0.1 "$VG_VM_SSH_PORT" && fail "host port $VG_VM_SSH_PORT is in use: set VG_VM_SSH_PORT"
  qemu-img create -q -f qcow2 -b "$IMAGE/disk.raw" -F raw "$RUN/overlay.qcow2"
  log "QEMU: $cpus CPUs, $memory MiB, TCG; ssh on 127.0.0.1:$VG_VM_SSH_PORT; ${forwards//hostfwd=tcp:/}"
  # /dev/kvm here runs only guest kernels built for its hypervisor: software emulation. Only
  # user-mode networking, reached from the host through forwarded loopback ports.
  qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp "$cpus" -m "$memory" \
    -kernel "$IMAGE/vmlinuz" -initrd "$IMAGE/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet" \
    -drive "file=$RUN/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe" \
    -netdev "user,id=net0,$forwards" -device virtio-net-pci,netdev=net0 \
    -display none -monitor none -serial "file:$RUN/console.log" </dev/null >"$RUN/qemu.log" 2>&1 &
  QEMU_PID=$!
  wait_for_ssh
}

wait_for_ssh() {
  local deadline=$((SECONDS + VG_VM_BOOT_TIMEOUT))
  until ssh_ready; do
    kill -0 "$QEMU_PID" 2>/dev/null || { tail -n 20 "$RUN/qemu.log" "$RUN/console.log" >&2; fail "QEMU exited"; }
    ((SECONDS < deadline)) || { tail -n 30 "$RUN/console.log" >&2; fail "no SSH within $VG_VM_BOOT_TIMEOUT s"; }
    sleep 3
  done
}

# --- 5. what this machine's network needs, passed into the guest as the host has it ---
# Not the Vagrantfile's business: on a machine with plain internet access none of it is needed.
# The names of the package sources pinned from the host's own lookups, and the host's apt
# sources and settings, npm and Maven settings. (Its CA certificates and its Node.js are in the
# base image: see provision/vm/image.sh.)
host_settings() {
  local stage="$RUN/host-settings" name address
  rm -rf "$stage" && mkdir -p "$stage/apt" "$stage/home"
  for name in deb.debian.org security.debian.org registry.npmjs.org repo.maven.apache.org \
    repo1.maven.org pypi.org files.pythonhosted.org; do
    address="$(getent ahostsv4 "$name" | awk 'NR == 1 { print $1 }')" || true
    [[ -n "$address" ]] && printf '%s %s\n' "$address" "$name" >>"$stage/hosts"
  done
  touch "$stage/hosts"
  cp /etc/apt/apt.conf.d/99artifact-registry "$stage/apt/" 2>/dev/null || true
  [[ -f /etc/apt/sources.list.d/debian.sources ]] && cp /etc/apt/sources.list.d/debian.sources "$stage/apt/"
  [[ -f "$HOME/.npmrc" ]] && cp "$HOME/.npmrc" "$stage/home/npmrc"
  [[ -f "$HOME/.m2/settings.xml" ]] && cp "$HOME/.m2/settings.xml" "$stage/home/m2-settings.xml"
  tar -C "$stage" -cf - . | ssh_vm 'cat >/tmp/host-settings.tar'
  ssh_vm sudo bash -s <<'EOS' >"$RUN/host-settings.log" 2>&1 || { cat "$RUN/host-settings.log" >&2; fail "host settings"; }
set -euo pipefail
d=$(mktemp -d) && tar -C "$d" -xf /tmp/host-settings.tar
cat "$d/hosts" >>/etc/hosts
cp "$d/apt/99artifact-registry" /etc/apt/apt.conf.d/ 2>/dev/null || true
if [ -f "$d/apt/debian.sources" ]; then cp "$d/apt/debian.sources" /etc/apt/sources.list.d/ && rm -f /etc/apt/sources.list; fi
for home in /root /home/vagrant; do
  owner=$(stat -c %u:%g "$home")
  if [ -f "$d/home/npmrc" ]; then install -m 0600 -o "${owner%:*}" -g "${owner#*:}" "$d/home/npmrc" "$home/.npmrc"; fi
  if [ -f "$d/home/m2-settings.xml" ]; then install -D -m 0644 "$d/home/m2-settings.xml" "$home/.m2/settings.xml"; fi
done
rm -rf "$d" /tmp/host-settings.tar
EOS
  log "guest: $(wc -l <"$stage/hosts") host names pinned, the host's apt, npm and Maven settings; node $(ssh_vm node --version) (the host's, in the image)"
}

# Vagrant sets the box's hostname at boot (config.vm.hostname).
set_hostname() {
  local name
  name="$(vf 'v.hostname ?? ""')"
  [[ -n "$name" ]] || return 0
  ssh_vm sudo bash -s "$name" <<'EOS'
set -euo pipefail
hostnamectl set-hostname "$1" 2>/dev/null || { echo "$1" >/etc/hostname; hostname "$1"; }
sed -i "s/^127\.0\.1\.1.*/127.0.1.1\t$1/" /etc/hosts
EOS
}

# --- 6. the synced folder, as Vagrant's rsync does it ---
sync_folder() {
  local dest type excludes=() pattern
  type="$(vf 'v.synced_folders[0]?.type ?? ""')"
  [[ "$type" == rsync ]] || fail "expected an rsync synced folder in the Vagrantfile, found '$type'"
  [[ "$(vf 'v.synced_folders[0].source')" == . ]] || fail "the synced folder's source is not the Vagrantfile's directory"
  dest="$(vf 'v.synced_folders[0].destination')"
  # Vagrant always leaves .vagrant/ out, then the rsync__exclude list.
  excludes=(--exclude .vagrant/)
  while IFS= read -r pattern; do excludes+=(--exclude "$pattern"); done < <(vf 'v.synced_folders[0].rsync__exclude.join("\n")')
  ssh_vm "sudo mkdir -p '$dest' && sudo chown vagrant:vagrant '$dest'"
  # Vagrant's rsync arguments (--archive --delete -z --copy-links), through sudo on the guest,
  # then everything owned by the SSH user (rsync__chown).
  rsync --archive --delete -z --copy-links --no-owner --no-group --rsync-path='sudo rsync' \
    -e "ssh ${SSH_OPTS[*]}" "${excludes[@]}" "$VG_REPO_DIR/" "vagrant@127.0.0.1:$dest" >"$RUN/rsync.log" 2>&1 ||
    { cat "$RUN/rsync.log" >&2; fail "rsync to $dest"; }
  ssh_vm "sudo find '$dest' '!' -type l -a '(' '!' -user vagrant -or '!' -group vagrant ')' -exec chown vagrant:vagrant '{}' +"
  # The check's own stand-in for the exercise's client, where that client lives (app/ is the
  # exercise's folder, kept out of git; see README).
  ssh_vm "mkdir -p '$dest/app/client' && cat >'$dest/app/client/check_client.py'" <"$VG_PROVISION_DIR/vm/check_client.py"
  log "rsync: $VG_REPO_DIR/ -> $dest (excluded: .vagrant/ $(vf 'v.synced_folders[0].rsync__exclude.join(" ")'))"
}

# --- 7. the provisioners, in order ---
provision() {
  local count i name privileged script runner status t0
  count="$(vf 'v.provisioners.length')"
  for ((i = 0; i < count; i++)); do
    name="$(vf "v.provisioners[$i].name")"
    privileged="$(vf "v.provisioners[$i].privileged")"
    phase "provision $((i + 1))/$count $name"
    if [[ "$(vf "v.provisioners[$i].path ?? ''")" != "" ]]; then
      cat "$VG_REPO_DIR/$(vf "v.provisioners[$i].path")"
    else
      vf "v.provisioners[$i].inline"
    fi >"$RUN/provision-$i.sh"
    script="/tmp/vagrant-shell-$i"
    ssh_vm "cat >$script && chmod +x $script" <"$RUN/provision-$i.sh"
    # As Vagrant's shell provisioner: a login shell, through `sudo -E -H` unless privileged: false.
    runner="bash -l $script $(vf "[].concat(v.provisioners[$i].args ?? []).map((a) => \"'\" + String(a).replace(/'/g, \"'\\\\''\") + \"'\").join(' ')")"
    [[ "$privileged" == true ]] && runner="sudo -E -H $runner"
    log "   as $([[ "$privileged" == true ]] && echo root || echo vagrant), limit $VG_VM_PROVISION_TIMEOUT s: $(head -c 120 "$RUN/provision-$i.sh" | tr '\n' ';')"
    t0=$SECONDS
    status=0
    timeout "$VG_VM_PROVISION_TIMEOUT" ssh "${SSH_OPTS[@]}" vagrant@127.0.0.1 \
      "timeout $((VG_VM_PROVISION_TIMEOUT - 10)) $runner" >"$RUN/provision-$i-$name.log" 2>&1 || status=$?
    if ((status != 0)); then
      tail -n 60 "$RUN/provision-$i-$name.log" >&2
      ((status == 124)) && fail "provisioner '$name' ran out of its $VG_VM_PROVISION_TIMEOUT s"
      fail "provisioner '$name' exited $status after $((SECONDS - t0)) s (its output above; all of it in $RUN/provision-$i-$name.log)"
    fi
  done
}

# --- 8. checks from the host, through the forwarded ports ---
API=""
declare -A WANT_COUNT=() WANT_FOLLOWUPS=()

curl_api() { curl -sS --max-time 30 "$@"; }

unit_active() {
  local state
  state="$(ssh_vm systemctl is-active vowelgraph || true)"
  [[ "$state" == active ]] || { ssh_vm sudo journalctl -u vowelgraph -n 30 --no-pager >&2 || true; fail "vowelgraph is '$state', not active"; }
  log "systemctl is-active vowelgraph: active"
}

# Sessions of the original protocol from the host: POST /initial?uuid=..&symbol=.. with no
# body (the reply True or False as text), and /followup?uuid=.. (hooray) for every other one.
send_sessions() {
  local letters="$1" i symbol uuid reply
  for ((i = 0; i < ${#letters}; i++)); do
    symbol="${letters:i:1}"
    uuid="$(cat /proc/sys/kernel/random/uuid)"
    reply="$(curl_api -X POST "$API/initial?uuid=$uuid&symbol=$symbol")" || fail "POST /initial failed"
    [[ "$reply" == True || "$reply" == False ]] || fail "POST /initial?symbol=$symbol answered '$reply'"
    WANT_COUNT[$symbol]=$((${WANT_COUNT[$symbol]:-0} + 1))
    if ((i % 2 == 0)); then
      reply="$(curl_api -X POST "$API/followup?uuid=$uuid")" || fail "POST /followup failed"
      [[ "$reply" == hooray ]] || fail "POST /followup answered '$reply'"
      WANT_FOLLOWUPS[$symbol]=$((${WANT_FOLLOWUPS[$symbol]:-0} + 1))
    fi
  done
  log "sent ${#letters} sessions from the host to $API"
}

# The expected dashboard, as JSON {letter: [count, followups]} for every letter.
want_json() {
  local s out="{"
  for s in {a..z}; do out+="\"$s\":[${WANT_COUNT[$s]:-0},${WANT_FOLLOWUPS[$s]:-0}],"; done
  echo "${out%,}}"
}

# Compare the range dashboard over all time, and /dashboard/symbol/<l> for each letter sent,
# with what was sent; prints the differences. The graph is projected from the log a moment
# after each write, so this is retried for a while before it counts as a failure.
dashboards_differ() {
  local range symbols="" s
  range="$(curl_api "$API/dashboard/range/2000-01-01/2100-01-01")" || { echo "range: no answer"; return 0; }
  for s in {a..z}; do
    [[ -n "${WANT_COUNT[$s]:-}" ]] && symbols+="$(curl_api "$API/dashboard/symbol/$s" || echo null)"$'\n'
  done
  # shellcheck disable=SC2016 # JavaScript, not shell
  WANT="$(want_json)" RANGE="$range" SYMBOLS="$symbols" node -e '
    const want = JSON.parse(process.env.WANT), range = JSON.parse(process.env.RANGE);
    const errors = [];
    const same = (where, got, w) => {
      if (!got || got.count !== w[0] || got.followups !== w[1]) errors.push(`${where}: ${JSON.stringify(got)}, want count ${w[0]} followups ${w[1]}`);
      else if (w[0] > 0 && !(got.earliest && got.latest && got.earliest <= got.latest)) errors.push(`${where}: earliest/latest ${got.earliest} ${got.latest}`);
    };
    if (!Array.isArray(range) || range.length !== 26) errors.push(`range: ${JSON.stringify(range).slice(0, 200)}`);
    else for (const row of range) same(`range ${row.symbol}`, row, want[row.symbol]);
    for (const line of process.env.SYMBOLS.split("\n").filter(Boolean)) {
      const got = JSON.parse(line);
      same(`symbol ${got && got.symbol}`, got, want[got && got.symbol] || [-1, -1]);
    }
    if (errors.length) console.log(errors.join("\n"));'
}

dashboards_equal() {
  local diff="" deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    diff="$(dashboards_differ)"
    [[ -z "$diff" ]] && break
    sleep 2
  done
  [[ -z "$diff" ]] || { printf '%s\n' "$diff" >&2; fail "the dashboards do not show what was sent ($1)"; }
  local total=0 s
  for s in "${!WANT_COUNT[@]}"; do total=$((total + WANT_COUNT[$s])); done
  log "dashboards equal what was sent ($1): $total initials in all, every letter's count and followups"
}

python_client() {
  local out letters=thevowelgraphpythonclient
  out="$(ssh_vm "python3 -c 'import requests; print(requests.__version__)' && python3 /vagrant/app/client/check_client.py $letters")" ||
    fail "the Python client in the VM failed: $out"
  log "in the VM: python3 with requests $(head -n 1 <<<"$out"); python3 /vagrant/app/client/check_client.py sent ${#letters} sessions"
  local s pair
  for s in {a..z}; do
    pair="$(node -e 'const r = JSON.parse(process.argv[1])[process.argv[2]]; if (r) console.log(r.join(" "))' "$(tail -n 1 <<<"$out")" "$s")"
    [[ -n "$pair" ]] || continue
    WANT_COUNT[$s]=$((${WANT_COUNT[$s]:-0} + ${pair% *}))
    WANT_FOLLOWUPS[$s]=$((${WANT_FOLLOWUPS[$s]:-0} + ${pair#* }))
  done
}

neo4j_browser() {
  local http code
  http="http://127.0.0.1:$(host_port "$NEO4J_HTTP_PORT")"
  code="$(curl -s -o "$RUN/browser.html" -w '%{http_code}' --max-time 30 "$http/browser/")"
  if [[ "$code" != 200 ]] || ! grep -qi 'neo4j' "$RUN/browser.html"; then
    fail "Neo4j Browser at $http/browser/ answered $code"
  fi
  # Bolt's HTTP twin with the service's account: the graph the dashboards read is there.
  code="$(vg_neo4j_curl "$NEO4J_USER" "$NEO4J_PASSWORD" -s -o "$RUN/cypher.json" -w '%{http_code}' --max-time 30 \
    -H 'Content-Type: application/json' -d '{"statements":[{"statement":"MATCH (n) RETURN count(n) AS nodes"}]}' \
    "$http/db/neo4j/tx/commit")"
  if [[ "$code" != 200 ]] || grep -q '"errors":\[{' "$RUN/cypher.json"; then
    fail "Cypher over $http answered $code: $(head -c 300 "$RUN/cypher.json")"
  fi
  log "Neo4j Browser answers at $http/browser/; Cypher as $NEO4J_USER: $(head -c 120 "$RUN/cypher.json")"
}

services_back() {
  local deadline=$((SECONDS + VG_VM_SERVICES_TIMEOUT))
  until [[ "$(ssh_vm systemctl is-active vowelgraph 2>/dev/null || true)" == active ]] &&
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$API/readyz" || true)" == 200 ]]; do
    ((SECONDS < deadline)) || { ssh_vm sudo journalctl -u vowelgraph -n 30 --no-pager >&2 || true; fail "the API was not ready $VG_VM_SERVICES_TIMEOUT s after the reboot"; }
    sleep 5
  done
  ssh_vm bash /vagrant/provision/services.sh status >"$RUN/status-after-reboot.log" 2>&1 ||
    { cat "$RUN/status-after-reboot.log" >&2; fail "not every store is back after the reboot"; }
  log "after the reboot: vowelgraph active, /readyz 200, services.sh status: $(tr '\n' ';' <"$RUN/status-after-reboot.log" | head -c 300)"
}

reboot_vm() {
  local before after
  before="$(ssh_vm cat /proc/sys/kernel/random/boot_id)"
  ssh_vm 'sudo systemctl reboot' || true
  sleep 10
  wait_for_ssh
  after="$(ssh_vm cat /proc/sys/kernel/random/boot_id)"
  [[ "$before" != "$after" ]] || fail "the VM did not reboot"
  log "rebooted (boot id $before -> $after)"
}

npm_test() {
  local status=0 line
  timeout "$VG_VM_TEST_TIMEOUT" ssh "${SSH_OPTS[@]}" vagrant@127.0.0.1 \
    "cd /vagrant && timeout $((VG_VM_TEST_TIMEOUT - 10)) npm test" >"$RUN/npm-test.log" 2>&1 || status=$?
  line="$(grep -aE '[0-9]+ passed, [0-9]+ failed' "$RUN/npm-test.log" | tail -n 1 || true)"
  if ((status != 0)); then
    grep -aE -A3 '^\s+[0-9]+\) ' "$RUN/npm-test.log" | head -n 80 >&2 || true
    tail -n 30 "$RUN/npm-test.log" >&2
    fail "npm test in the VM exited $status (${line:-no summary line}; $RUN/npm-test.log)"
  fi
  log "npm test in the VM: ${line:-passed}"
}

main() {
  mkdir -p "$CACHE"
  # One check at a time: they would share the ports and the run directory.
  exec 8>"$CACHE/lock"
  flock -n 8 || vg_die "another check-vm run holds $CACHE/lock"
  rm -rf "$RUN" && mkdir -p "$RUN"
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  phase "host tools"
  host_tools
  phase "base image"
  base_image
  SSH_OPTS=(-i "$IMAGE/id_ed25519" -p "$VG_VM_SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
    -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=8)
  read_vagrantfile
  # PORT (the API's, 5000) comes from config/defaults.env through lib.sh.
  # shellcheck disable=SC2153
  API="http://127.0.0.1:$(host_port "$PORT")"
  phase "boot"
  boot_vm
  phase "host settings + rsync"
  host_settings
  set_hostname
  sync_folder
  provision
  phase "checks"
  unit_active
  send_sessions thequickbrownfoxjumpsoverthelazydog
  dashboards_equal "the host's sessions"
  python_client
  dashboards_equal "with the Python client's"
  neo4j_browser
  phase "reboot"
  reboot_vm
  services_back
  unit_active
  dashboards_equal "after the reboot"
  phase "npm test in the VM"
  npm_test
}

main "$@"
