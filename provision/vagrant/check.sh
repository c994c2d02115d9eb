#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# provision/vagrant/check.sh (`npm run check:vagrant`): `vagrant up` proven by Vagrant itself. In a
# fresh clone of this checkout, as a user has it, Debian's vagrant and vagrant-lxc run the real
# Vagrantfile with `vagrant up --provider=lxc` (a Debian 12 system container with systemd, from
# the box of `npm run vagrant:box`); then, from the host through the forwarded ports, it checks
# what an evaluator would: the unit, the client's protocol and the dashboards, Neo4j Browser, a
# `vagrant reload`, and `npm test` inside as the vagrant user. Each phase prints its time. On
# any exit it destroys the machine and puts the host back as it was (the LXC bridge, its
# dnsmasq and NAT rules, ip_forward), killing only what it started. Needs root.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() {
  cat <<EOF
Usage: provision/vagrant/check.sh [--app DIR]   (npm run check:vagrant)

--app DIR  the exercise's app/ folder (with client/client.py), copied into the clone as app/
           and run in the VM as the exercise says; default: \$OG_ORIGINAL_DIR/app when it
           exists. Without it, the client's calling convention is checked by
           provision/vagrant/check_client.py from the host.
Settings (environment or config/defaults.env):
  VG_CHECK_VAGRANT_DIR      Vagrant home (the box), clone and logs ($VG_CHECK_VAGRANT_DIR)
  VG_CHECK_API_PORT, VG_CHECK_NEO4J_HTTP_PORT, VG_CHECK_NEO4J_BOLT_PORT
                            host ports of the forwards ($VG_CHECK_API_PORT, $VG_CHECK_NEO4J_HTTP_PORT, $VG_CHECK_NEO4J_BOLT_PORT)
  VG_CHECK_UP_TIMEOUT, VG_CHECK_RELOAD_TIMEOUT, VG_CHECK_TEST_TIMEOUT
                            seconds ($VG_CHECK_UP_TIMEOUT, $VG_CHECK_RELOAD_TIMEOUT, $VG_CHECK_TEST_TIMEOUT)
  VG_CHECK_APP_SECONDS      how long the exercise's client runs in the VM ($VG_CHECK_APP_SECONDS)
EOF
}

APP_DIR=""
case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
  --app)
    APP_DIR="${2:?--app needs a folder}"
    ;;
  "") [[ -n "${OG_ORIGINAL_DIR:-}" && -d "$OG_ORIGINAL_DIR/app" ]] && APP_DIR="$OG_ORIGINAL_DIR/app" ;;
  *)
    usage >&2
    exit 2
    ;;
esac
[[ -z "$APP_DIR" || -f "$APP_DIR/client/client.py" ]] || vg_die "$APP_DIR has no client/client.py"

vg_require_root "$0" "$@"

DIR="$VG_CHECK_VAGRANT_DIR"
RUN="$DIR/run" # this run's clone and logs (the logs stay until the next run)
CLONE="$RUN/vowelgraph"
API="http://127.0.0.1:$VG_CHECK_API_PORT"
T_START=$SECONDS
PHASES=()
PHASE_NAME=""
LAST_PHASE=""
PHASE_T0=0
STARTED_LXC_NET=0
UP_STARTED=0

log() { printf '[check:vagrant %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
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
  record_phase "$PHASE_NAME" $((SECONDS - PHASE_T0))
  LAST_PHASE="$PHASE_NAME"
  PHASE_NAME=""
}
record_phase() {
  PHASES+=("$(printf '%-34s %5d s' "$1" "$2")")
  log "   $1: $2 s"
}

# --- the host: what the check needs, and the state it must leave as it found it ---
host_packages() {
  local want=(vagrant vagrant-lxc lxc debootstrap rsync openssh-client curl python3 python3-requests) missing=() pkg
  for pkg in "${want[@]}"; do vg_pkg_installed "$pkg" || missing+=("$pkg"); done
  if ((${#missing[@]})); then
    log "installing on the host (apt-get --no-install-recommends): ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$RUN/apt.log" 2>&1 ||
      { tail -n 20 "$RUN/apt.log" >&2; fail "apt-get install ${missing[*]}"; }
  fi
  log "vagrant $(vagrant --version | cut -d' ' -f2), vagrant-lxc $(dpkg-query -W -f='${Version}' vagrant-lxc), lxc $(lxc-create --version)"
}

# What the check may change on the host, as text, compared before and after: LXC's bridge and
# the veths on it, its nft tables or iptables rules, its dnsmasq, ip_forward, port forwarders,
# containers. (Only these: other work on this host makes and removes network namespaces.)
host_state() {
  echo "ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"
  ip -o addr show dev lxcbr0 2>/dev/null | awk '{ print "lxcbr0", $3, $4 }' || true
  ip -o link show master lxcbr0 2>/dev/null | awk '{ print "on lxcbr0:", $2 }' || true
  nft list table inet lxc 2>/dev/null | grep -v 'counter packets' || true
  nft list table ip lxc 2>/dev/null | grep -v 'counter packets' || true
  { iptables-save 2>/dev/null || true; } | grep -E 'lxcbr0|10\.0\.3\.' || true
  pgrep -a -x dnsmasq | grep -F lxcbr0 | cut -d' ' -f2- || true
  pgrep -a -x redir | cut -d' ' -f2- || true
  lxc-ls -1 2>/dev/null | sed 's/^/container /' || true
}

# LXC's bridge (lxcbr0: 10.0.3.0/24, dnsmasq, NAT, ip_forward), unless the host runs it already.
# Without systemd as PID 1 nothing starts it; lxc-net stop undoes it, and ip_forward is put back.
network_up() {
  if ip link show lxcbr0 >/dev/null 2>&1; then
    log "lxcbr0 is up already: using it as it is"
    return 0
  fi
  IP_FORWARD_BEFORE="$(cat /proc/sys/net/ipv4/ip_forward)"
  /usr/libexec/lxc/lxc-net start >"$RUN/lxc-net.log" 2>&1 || { cat "$RUN/lxc-net.log" >&2; fail "lxc-net start"; }
  STARTED_LXC_NET=1
  log "lxc-net started: lxcbr0 $(ip -o -4 addr show lxcbr0 | awk '{ print $4 }'), dnsmasq, NAT"
}

network_down() {
  ((STARTED_LXC_NET)) || return 0
  /usr/libexec/lxc/lxc-net stop >>"$RUN/lxc-net.log" 2>&1 || log "lxc-net stop failed (see $RUN/lxc-net.log)"
  echo "$IP_FORWARD_BEFORE" >/proc/sys/net/ipv4/ip_forward
  STARTED_LXC_NET=0
}

# --- Vagrant, as a user runs it, in the clone ---
# Its environment: the check's own Vagrant home and the Vagrantfile's settings (the forwards on
# free host ports, no private network: nothing may be addressed on 192.168.50.0/24 here);
# none of the host's MARIADB_*/NEO4J_* variables, so the VM gets the project's defaults.
vagrant_env=()
vagrant_in_clone() {
  (cd "$CLONE" && env -i "${vagrant_env[@]}" vagrant "$@")
}
vssh() { vagrant_in_clone ssh -c "$1" -- -o LogLevel=ERROR; }

# Each line of $1's output with its time (seconds since the check began), to $2.
timestamped() {
  local line
  while IFS= read -r line; do printf '%5d %s\n' $((SECONDS - T_START)) "$line"; done >"$1"
}

# vagrant up's own phases, from its timestamped log $1 (begun at $2): import and boot to SSH, the
# forwards, hostname and rsync, then each provisioner.
up_phases() {
  local t name prev_t="$2" prev_name="import, boot to SSH"
  while read -r t name; do
    record_phase "  up: $prev_name" $((t - prev_t))
    prev_t="$t"
    prev_name="$name"
  done < <(awk '
    /Machine booted and ready/ { print $1, "ports, hostname, rsync" }
    /Running provisioner: / { n = $0; sub(/.*Running provisioner: /, "", n); sub(/ \(shell\).*/, "", n); print $1, "provisioner " n }
    END { print $1, "end" }' "$1")
}

clone() {
  git -C "$VG_REPO_DIR" diff --quiet HEAD 2>/dev/null ||
    log "note: uncommitted changes in $VG_REPO_DIR are not in the check (a clone has HEAD)"
  git clone --quiet "$VG_REPO_DIR" "$CLONE"
  if [[ -n "$APP_DIR" ]]; then
    cp -a "$APP_DIR/." "$CLONE/app/"
    log "the exercise's app/ from $APP_DIR copied into the clone"
  fi
  log "clone of $(git -C "$CLONE" rev-parse --short HEAD) in $CLONE"
}

vagrant_up() {
  local status=0 t0=$((SECONDS - T_START)) raw="$RUN/vagrant-up.raw.log" pid
  UP_STARTED=1
  # Into a file, not a pipe: vagrant-lxc's port forwarders (redir) inherit vagrant's output and
  # outlive it, so a pipe would never reach its end. tail follows the file until vagrant exits.
  : >"$raw"
  timeout "$VG_CHECK_UP_TIMEOUT" bash -c 'cd "$1" && shift && exec env -i "$@" vagrant up --provider=lxc' _ \
    "$CLONE" "${vagrant_env[@]}" >"$raw" 2>&1 &
  pid=$!
  tail -n +1 -s 0.2 -F --pid="$pid" "$raw" 2>/dev/null | timestamped "$RUN/vagrant-up.log"
  wait "$pid" || status=$?
  up_phases "$RUN/vagrant-up.log" "$t0"
  if ((status != 0)); then
    tail -n 60 "$RUN/vagrant-up.log" >&2
    ((status == 124)) && fail "vagrant up did not finish within $VG_CHECK_UP_TIMEOUT s"
    fail "vagrant up exited $status ($RUN/vagrant-up.log)"
  fi
  grep -q "Forwarding ports" "$RUN/vagrant-up.log" || fail "vagrant up forwarded no port"
  CONTAINER="$(cat "$CLONE/.vagrant/machines/default/lxc/id")"
  log "vagrant up: container $CONTAINER, $(vssh 'nproc') CPUs, memory limit $(container_memory limit_in_bytes)"
}

# The container's memory cgroup (cgroup v1, as on this host; LXC 4 and later name it lxc.payload.NAME).
container_cgroup() {
  local dir
  for dir in "/sys/fs/cgroup/memory/lxc.payload.$CONTAINER" "/sys/fs/cgroup/memory/lxc/$CONTAINER"; do
    [[ -d "$dir" ]] && { echo "$dir"; return 0; }
  done
  echo /nonexistent
}

# The container's memory cgroup figure $1 (limit_in_bytes, max_usage_in_bytes), in MiB.
container_memory() {
  local value
  value="$(cat "$(container_cgroup)/memory.$1" 2>/dev/null)" || { echo unknown; return 0; }
  echo "$((value / 1048576)) MiB"
}

# --- checks from the host ---
unit_active() {
  local out
  out="$(vssh 'systemctl is-active vowelgraph; systemctl --failed --no-legend --plain | wc -l')" || true
  [[ "$(sed -n 1p <<<"$out")" == active ]] ||
    { vssh 'sudo journalctl -u vowelgraph -n 30 --no-pager' >&2 || true; fail "vowelgraph is not active: $out"; }
  [[ "$(sed -n 2p <<<"$out")" == 0 ]] || { vssh 'systemctl --failed' >&2; fail "failed units in the VM"; }
  log "systemctl is-active vowelgraph: active; systemctl --failed: none"
}

# awk: the name of the program on a line of `ps -eo rss=,args=` (n; empty for others).
PROGRAM_AWK='
  function program(line) {
    if (line ~ /mariadbd --defaults-file/) return "mariadb-test"
    if (line ~ /mariadbd/) return "mariadb"
    if (line ~ /conf-test-read( |$)/) return "neo4j-test-read"
    if (line ~ /conf-test( |$)/) return "neo4j-test"
    if (line ~ /EntryPoint/) return "neo4j"
    if (line ~ /chromium/) return "chromium"
    if (line ~ /dist\/lib\/main.js/) return "API"
    if (line ~ /mocha/) return "mocha"
    return ""
  }'

# After provisioning, the VM runs the service's two servers and the API, nothing of the tests'.
service_servers() {
  local servers
  servers="$(lxc-attach -n "$CONTAINER" -- ps -eo rss=,args= | awk "$PROGRAM_AWK"'
    { n = program($0); if (n != "") { rss[n] += $1; count[n]++ } }
    END { for (n in rss) printf "%s %d MiB%s\n", n, rss[n] / 1024, (count[n] > 1 ? " (" count[n] " processes)" : "") }' | sort)"
  log "running in the VM after vagrant up (RSS): $(paste -sd';' <<<"$servers")"
  [[ "$(grep -cE '^(mariadb|neo4j)' <<<"$servers")" == 2 ]] &&
    grep -q '^mariadb ' <<<"$servers" && grep -q '^neo4j ' <<<"$servers" ||
    fail "the VM runs other servers than the service's MariaDB and Neo4j"
}

# The exercise's client's calling convention, from the host through the forwarded port: sessions
# sent by check_client.py; the dashboards must then equal everything sent so far.
EXPECTED="{}"
client_sessions() {
  local out letters="$1"
  out="$(/usr/bin/python3 "$VG_PROVISION_DIR/vagrant/check_client.py" "$API" "$letters")" ||
    fail "the client's sessions failed"
  EXPECTED="$(node -e '
    const sum = JSON.parse(process.argv[1]), add = JSON.parse(process.argv[2]);
    for (const [s, [n, f]] of Object.entries(add)) { const [n0, f0] = sum[s] ?? [0, 0]; sum[s] = [n0 + n, f0 + f]; }
    console.log(JSON.stringify(sum));' "$EXPECTED" "$out")"
  log "python3 check_client.py (requests.post(url, params=...)) sent ${#letters} sessions to $API"
}

dashboards_equal() {
  node "$VG_PROVISION_DIR/vagrant/dashboards.mjs" "$API" "$EXPECTED" 60 ||
    fail "the dashboards do not show what was sent ($1)"
  log "dashboards equal what was sent ($1)"
}

# The initials of all time, as the range dashboard counts them.
total_initials() {
  curl -sS --max-time 30 "$API/dashboard/range/2000-01-01/2100-01-01" |
    node -e 'let t = 0; for (const r of JSON.parse(require("fs").readFileSync(0))) t += r.count; console.log(t)'
}

# The exercise's own client, in the VM, as the exercise runs it, for a while: what it sends
# reaches the dashboards (its letters and choices are its own, not known to the check).
exercise_client() {
  [[ -n "$APP_DIR" ]] || return 0
  local before after status=0
  before="$(total_initials)"
  vssh "timeout $VG_CHECK_APP_SECONDS python3 /vagrant/app/client/client.py >/tmp/client.log 2>&1" || status=$?
  ((status == 0 || status == 124)) || { vssh 'tail -n 20 /tmp/client.log' >&2; fail "the exercise's client exited $status"; }
  after="$(total_initials)"
  ((after > before)) || fail "the exercise's client sent nothing the dashboards show"
  log "the exercise's client.py ran ${VG_CHECK_APP_SECONDS} s in the VM: $((after - before)) initials"
}

neo4j_browser() {
  local http="http://127.0.0.1:$VG_CHECK_NEO4J_HTTP_PORT" code
  code="$(curl -s -o "$RUN/browser.html" -w '%{http_code}' --max-time 30 "$http/browser/")"
  [[ "$code" == 200 ]] && grep -qi '<title>Neo4j Browser</title>' "$RUN/browser.html" ||
    fail "Neo4j Browser at $http/browser/ answered $code"
  # The graph the dashboards read, with the service's account, over Neo4j's HTTP API.
  code="$(vg_neo4j_curl "$NEO4J_USER" "$NEO4J_PASSWORD" -s -o "$RUN/cypher.json" -w '%{http_code}' --max-time 30 \
    -H 'Content-Type: application/json' -d '{"statements":[{"statement":"MATCH (n) RETURN count(n) AS nodes"}]}' \
    "$http/db/neo4j/tx/commit")"
  [[ "$code" == 200 ]] && ! grep -q '"errors":\[{' "$RUN/cypher.json" ||
    fail "Cypher over $http answered $code: $(head -c 300 "$RUN/cypher.json")"
  log "Neo4j Browser answers at $http/browser/; Cypher as $NEO4J_USER: $(head -c 100 "$RUN/cypher.json")"
}

vagrant_reload() {
  local status=0
  timeout "$VG_CHECK_RELOAD_TIMEOUT" bash -c 'cd "$1" && shift && exec env -i "$@" vagrant reload' _ \
    "$CLONE" "${vagrant_env[@]}" >"$RUN/vagrant-reload.log" 2>&1 || status=$?
  ((status == 0)) || { tail -n 40 "$RUN/vagrant-reload.log" >&2; fail "vagrant reload exited $status"; }
  local deadline=$((SECONDS + VG_CHECK_RELOAD_TIMEOUT))
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$API/readyz" || true)" == 200 ]]; do
    ((SECONDS < deadline)) || fail "the API was not ready within $VG_CHECK_RELOAD_TIMEOUT s of the reload"
    sleep 2
  done
  log "after vagrant reload: /readyz 200"
}

# Memory in the container, every 10 s, to $1: "mem" lines with the cgroup's anonymous memory
# (total_rss) and page cache in MiB, then each process's RSS in KiB and command line.
sample_memory() {
  local stat
  stat="$(container_cgroup)/memory.stat"
  while :; do
    awk -v t=$((SECONDS - T_START)) '/^total_rss / { r = $2 } /^total_cache / { c = $2 }
      END { printf "%d mem %d %d\n", t, r / 1048576, c / 1048576 }' "$stat"
    lxc-attach -n "$CONTAINER" -- ps -eo rss=,args= 2>/dev/null | awk -v t=$((SECONDS - T_START)) '{ print t, $0 }'
    sleep 10
  done >"$1" 2>/dev/null
}

# npm test in /vagrant as the vagrant user, with the container's memory sampled meanwhile.
npm_test() {
  local status=0 line sampler
  sample_memory "$RUN/npm-test-memory.log" &
  sampler=$!
  timeout "$VG_CHECK_TEST_TIMEOUT" bash -c 'cd "$1" && shift && exec env -i "$@" vagrant ssh -c "cd /vagrant && npm test"' _ \
    "$CLONE" "${vagrant_env[@]}" >"$RUN/npm-test.log" 2>&1 || status=$?
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  line="$(grep -aE '^ +[0-9]+ passing' "$RUN/npm-test.log" | tail -n 1 | xargs || true)"
  if ((status != 0)); then
    grep -aE -A4 '^ +[0-9]+\) ' "$RUN/npm-test.log" | head -n 80 >&2 || true
    tail -n 20 "$RUN/npm-test.log" >&2
    fail "npm test in the VM exited $status (${line:-no count}; $RUN/npm-test.log)"
  fi
  log "npm test in the VM as vagrant: ${line:-passed}; $(grep -aE '^ +[0-9]+ (failing|pending)' "$RUN/npm-test.log" | xargs || echo '0 failing')"
  log "memory during npm test: $(memory_report "$RUN/npm-test-memory.log") (limit $(container_memory limit_in_bytes))"
}

# From a sample log (sample_memory): the largest anonymous memory of the container, and the
# largest RSS of each server, the API, the test runner and Chromium (all its processes at once).
memory_report() {
  awk "$PROGRAM_AWK"'
    $2 == "mem" { if ($3 > anon) anon = $3; next }
    $1 != t { flush(); t = $1 }
    { n = program($0); if (n != "") now[n] += $2 }
    function flush(k) { for (k in now) { if (now[k] > max[k]) max[k] = now[k]; delete now[k] } }
    END {
      flush()
      printf "peak anonymous memory %d MiB; largest RSS (MiB):", anon
      for (k in max) printf " %s %d", k, max[k] / 1024
    }' "$1"
}

# --- the end, whatever happened ---
destroy_and_restore() {
  if ((UP_STARTED)) && [[ -d "$CLONE" ]]; then
    log "vagrant destroy"
    vagrant_in_clone destroy -f >"$RUN/vagrant-destroy.log" 2>&1 || log "vagrant destroy failed ($RUN/vagrant-destroy.log)"
    # The port forwarders that vagrant-lxc started for this machine, by their pid files.
    local pidfile pid
    for pidfile in "$CLONE"/.vagrant/machines/default/lxc/data/pids/redir_*.pid; do
      [[ -f "$pidfile" ]] || continue
      pid="$(cat "$pidfile")"
      kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null && log "stopped port forwarder pid $pid"
    done
    if [[ -n "${CONTAINER:-}" ]] && lxc-info -n "$CONTAINER" >/dev/null 2>&1; then
      lxc-destroy -f -n "$CONTAINER" >/dev/null 2>&1 || log "could not destroy container $CONTAINER"
    fi
  fi
  network_down
  rm -rf "$CLONE"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  phase "destroy, host put back"
  destroy_and_restore
  host_state >"$RUN/host-after.txt"
  if ! diff -u "$RUN/host-before.txt" "$RUN/host-after.txt" >"$RUN/host-diff.txt"; then
    cat "$RUN/host-diff.txt" >&2
    log "FAIL: the host is not as it was (diff above)"
    ((status != 0)) || status=1
  else
    log "the host is as it was: $(grep -c . "$RUN/host-before.txt") lines of network, process and container state compared"
  fi
  phase_end
  printf '\ncheck:vagrant phases:\n' >&2
  local line
  for line in "${PHASES[@]}"; do printf '  %s\n' "$line" >&2; done
  printf '  %-34s %5d s\n' total $((SECONDS - T_START)) >&2
  if ((status == 0)); then
    printf 'check:vagrant: PASSED (logs in %s)\n' "$RUN" >&2
  else
    printf 'check:vagrant: FAILED in phase "%s" (exit %d; logs in %s)\n' "$LAST_PHASE" "$status" "$RUN" >&2
  fi
  exit "$status"
}

main() {
  mkdir -p "$DIR"
  # One check at a time: they would share the ports, the bridge and the run directory.
  exec 8>"$DIR/lock"
  flock -n 8 || vg_die "another check:vagrant run holds $DIR/lock"
  rm -rf "$RUN" && mkdir -p "$RUN"
  vagrant_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$HOME" LANG=C.UTF-8
    TERM=dumb VAGRANT_HOME="$DIR/home" VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_NO_COLOR=1
    VG_VAGRANT_PRIVATE_IP=off VG_VAGRANT_API_PORT="$VG_CHECK_API_PORT"
    VG_VAGRANT_NEO4J_HTTP_PORT="$VG_CHECK_NEO4J_HTTP_PORT" VG_VAGRANT_NEO4J_BOLT_PORT="$VG_CHECK_NEO4J_BOLT_PORT")
  local port
  for port in "$VG_CHECK_API_PORT" "$VG_CHECK_NEO4J_HTTP_PORT" "$VG_CHECK_NEO4J_BOLT_PORT"; do
    vg_port_open 127.0.0.1 "$port" && vg_die "host port $port is in use (set VG_CHECK_*_PORT)"
  done

  phase "host packages"
  host_packages
  host_state >"$RUN/host-before.txt"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  phase "box (npm run vagrant:box)"
  VAGRANT_HOME="$DIR/home" VAGRANT_CHECKPOINT_DISABLE=1 VG_VAGRANT_BOX_HOST_NET="$VG_CHECK_BOX_HOST_NET" \
    VG_VAGRANT_BOX_HOST_NODE="$VG_CHECK_BOX_HOST_NODE" bash "$VG_PROVISION_DIR/vagrant/box.sh" ||
    fail "building the box"
  phase "lxc network, clone"
  network_up
  clone
  log "no private network in this check (VG_VAGRANT_PRIVATE_IP=off): nothing may be addressed on 192.168.50.0/24 here"
  phase "vagrant up --provider=lxc"
  vagrant_up
  phase "checks"
  unit_active
  service_servers
  client_sessions thequickbrownfoxjumpsoverthelazydog
  dashboards_equal "the client's sessions"
  exercise_client
  neo4j_browser
  phase "vagrant reload"
  vagrant_reload
  unit_active
  dashboards_equal "after vagrant reload"
  client_sessions vowelgraph
  dashboards_equal "more sessions after the reload"
  phase "npm test in the VM"
  npm_test
}

main "$@"
