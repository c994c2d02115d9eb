#!/usr/bin/env bash
# What the access log costs on the hot path (docs/operations.md "Logs"): the null backend, one API process
# per LOG_LEVEL (WORKERS=1, so its CPU is the server's), the client's mix from wrk through
# bench/wrk/client-mix.lua (ingest only: POST /initial and /followup). Server CPU per request
# comes from /proc; the server's log goes to a file, as it would go to journald.
#
#   bash bench/access-log-cost.sh MODE [ROUNDS=3] [SECONDS=10] [PORT=5000] [LEVELS="warn info debug"]
#
# MODE sequential: one level at a time at c64, the levels of a round in a rotated order, so that
#   no level always runs first; on a machine whose load drifts, each run sees a different one.
# MODE together: every level's server at once, each driven by its own wrk at c64 divided among
#   them, so that all see the same machine at the same time; the fairer comparison when the
#   machine is shared.
# Prints one line per run, then per level the median CPU per request and every run's requests/s.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: bash bench/access-log-cost.sh sequential|together [ROUNDS] [SECONDS] [PORT] [LEVELS]}
rounds=${2:-3}
seconds=${3:-10}
port=${4:-5000}
read -ra levels <<<"${5:-warn info debug}"
case $mode in
  sequential) concurrency=64 ;;
  together) concurrency=$((64 / ${#levels[@]})) ;;
  *) echo "MODE is sequential or together, not $mode" >&2 && exit 2 ;;
esac
ticks=$(getconf CLK_TCK)
# shellcheck disable=SC2016 # JavaScript, not shell
counts=$(node --import tsx -e '
  import("./lib/client/letter-stream.ts").then(({ SHERLOCK_LETTER_COUNTS: c }) =>
    console.log(Object.entries(c).map(([l, n]) => `${l}:${n}`).join(",")));')
work=$(mktemp -d "${TMPDIR:-/tmp}/access-log-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
load() { # load PORT SECONDS SEED
  wrk -t"$concurrency" -c"$concurrency" -d"$2s" -s bench/wrk/client-mix.lua \
    "http://127.0.0.1:$1" -- "$(openssl rand -hex 6)" "$3" "$counts" | grep '^{'
}

# measure ROUND LEVEL...: starts a server per level, warms them up, loads them all at once.
measure() {
  local round=$1 i level
  shift
  local run=("$@") pids=() loads=() before=() after=()
  for i in "${!run[@]}"; do
    DATA_INTERFACE=null WORKERS=1 HOST=127.0.0.1 PORT=$((port + i)) LOG_LEVEL=${run[$i]} \
      node --import tsx lib/main.ts >"$work/log-$i" 2>&1 &
    pids[i]=$!
  done
  for i in "${!run[@]}"; do
    for _ in $(seq 1 100); do
      curl -sf -o /dev/null "http://127.0.0.1:$((port + i))/healthz" && break
      sleep 0.1
    done
  done
  # A short warm-up, so that the JIT has compiled the hot path before the measured run.
  for i in "${!run[@]}"; do
    load $((port + i)) 2 "$round" >/dev/null &
    loads[i]=$!
  done
  wait "${loads[@]}"
  for i in "${!run[@]}"; do before[i]=$(cpu_ticks "${pids[$i]}"); done
  for i in "${!run[@]}"; do
    load $((port + i)) "$seconds" "$round" >"$work/report-$i" &
    loads[i]=$!
  done
  wait "${loads[@]}"
  for i in "${!run[@]}"; do after[i]=$(cpu_ticks "${pids[$i]}"); done
  for i in "${!run[@]}"; do
    kill "${pids[$i]}"
    wait "${pids[$i]}" || true
    local report requests bad rate us
    report=$(cat "$work/report-$i")
    requests=$(jq '.initials + .followups' <<<"$report")
    bad=$(jq '.bad_replies' <<<"$report")
    rate=$(jq "(.initials + .followups) / (.duration_us / 1e6) | round" <<<"$report")
    us=$(awk -v t=$((after[i] - before[i])) -v hz="$ticks" -v n="$requests" \
      'BEGIN { printf "%.0f", t / hz / n * 1e6 }')
    echo "round $round LOG_LEVEL=${run[$i]} c$concurrency: $requests requests ($bad bad)," \
      "$rate/s, server CPU $us µs/request"
    echo "${run[$i]} $us $rate" >>"$work/results"
  done
}

echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $mode, $rounds rounds of ${seconds} s"
for round in $(seq 1 "$rounds"); do
  if [ "$mode" = together ]; then
    measure "$round" "${levels[@]}"
  else
    # Each round starts one level further on.
    for i in "${!levels[@]}"; do
      measure "$round" "${levels[$(((i + round - 1) % ${#levels[@]}))]}"
    done
  fi
done

echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for level in "${levels[@]}"; do
  awk -v level="$level" 'BEGIN { n = 0 } $1 == level { cpu[n] = $2; rate[n] = $3; n++ }
    END {
      asort(cpu)
      rates = rate[0]; for (i = 1; i < n; i++) rates = rates ", " rate[i]
      printf "%-6s median %d µs/request; requests/s %s\n", level, cpu[int((n + 1) / 2)], rates
    }' "$work/results"
done
