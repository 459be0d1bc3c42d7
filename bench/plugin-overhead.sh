#!/usr/bin/env bash
# Cost of plugins on the route: the gateway with no plugin, then with the plugins of a config (by
# default the noop plugin in all six phases, body filter included), under the same wrk load
# against the same origin.
# Usage: bench/plugin-overhead.sh [SECONDS] [CONNECTIONS] [CONFIG]   (needs wrk and nginx)
#   CONFIG: a config in bench/ with the plugin(s) on the route, e.g. gateway-limit-count.yaml
#   (a path outside bench/ works too)
# Each run warms up for WARMUP seconds (15), then until the JIT has settled (see settle below).
# Runs ROUNDS (default 3) alternating rounds so drift on a shared machine hits both alike; prints
# requests/s of each run, the ratio of the totals with/none and the median of each round's ratio.
# WRK_HEADERS: request headers wrk sends to both variants, separated by '|'
#   (e.g. "apikey: bench-key|Origin: https://app.example"), so the plugins see what they check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=${1:-10}; conns=${2:-64}; with=${3:-gateway-noop.yaml}; warm=${WARMUP:-15}
shared=${SHARED_BENCH:-$root/../shared/bench}
for tool in wrk nginx; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
[ -f "$root/gateway-core/target/tidegate.jar" ] && [ -f "$here/noop-plugin/target/noop-plugin.jar" ] \
  || mvn -q -f "$root/pom.xml" -DskipTests package >&2
mkdir -p "$here/noop-plugin/target/plugins"
cp "$here/noop-plugin/target/noop-plugin.jar" "$here/noop-plugin/target/plugins/"
source "$here/origin.sh"
headers=()
if [ -n "${WRK_HEADERS:-}" ]; then
  IFS='|' read -ra wanted <<<"$WRK_HEADERS"
  for h in "${wanted[@]}"; do headers+=(-H "$h"); done
fi
# On 2 shared cores the JIT is still compiling well after a 15 s warm-up (PrintCompilation: over
# 1,600 methods between 20 and 25 s for the opentelemetry route), and the variant with more code
# compiles longer: a round would measure the compiler. So load goes on, 5 s at a time, until a
# step compiles fewer than SETTLED (40) methods, for at most SETTLE_MAX (60) more seconds
# (a JVM under load keeps compiling a few dozen rarely taken paths every few seconds long after).
# SETTLE_ALSO: more JVMs the variant loads (a local Kafka broker's pid, say) that must settle too.
settle() {
  local pids="$1 ${SETTLE_ALSO:-}" waited=0 before after
  command -v jstat >/dev/null || { echo 0; return; }
  before=$(compiled $pids)
  while [ "$waited" -lt "${SETTLE_MAX:-60}" ]; do
    wrk -t1 -c"$conns" -d5s "${headers[@]}" http://127.0.0.1:9080/ >/dev/null 2>&1
    waited=$((waited + 5))
    after=$(compiled $pids)
    [ "$(paste -d' ' <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") | awk -v most="${SETTLED:-40}" '$2 - $1 >= most {busy = 1} END {print busy + 0}')" = 0 ] && break
    before=$after
  done
  echo "$waited"
}
# methods compiled so far by each JVM named, space-separated (0 for one that is gone)
compiled() {
  local p n
  for p in "$@"; do n=$(jstat -compiler "$p" 2>/dev/null | awk 'NR == 2 {print $1}'); printf '%s ' "${n:-0}"; done
}
# starts the gateway of a variant, warms it up and lets it settle; sets gw (its pid) and warmed
# (the seconds of load it took)
start_variant() {
  local variant=$1 config=$here/gateway-bench.yaml
  if [ "$variant" = with ]; then case $with in /*) config=$with ;; *) config=$here/$with ;; esac; fi
  (cd "$here" && exec java -Xmx512m -jar "$root/gateway-core/target/tidegate.jar" -c "$config") >/tmp/plugin-overhead-$variant.log 2>&1 &
  gw=$!
  pids+=("$gw")  # stopped with the origin if the run is cut short
  wait_port 9080
  wrk -t1 -c"$conns" -d"${warm}s" "${headers[@]}" http://127.0.0.1:9080/ >/dev/null 2>&1
  warmed=$((warm + $(settle "$gw")))
}
# CPU ticks the JIT compiler threads of the JVMs named have used so far
jit_ticks() {
  local p t sum=0 name
  for p in "$@"; do
    for t in /proc/"$p"/task/*; do
      name=$(cat "$t/comm" 2>/dev/null) || continue
      case $name in C1\ Compiler*|C2\ Compiler*) sum=$((sum + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0))) ;; esac
    done
  done
  echo "$sum"
}
# one measured run: sets rps and prints a line labelled $1, with jit= the share of a core the JIT
# compilers of the gateway (and SETTLE_ALSO) used during it: a run that compiled measured the JIT
measure() {
  local out j0 j1
  j0=$(jit_ticks "$gw" ${SETTLE_ALSO:-})
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "${headers[@]}" http://127.0.0.1:9080/)
  j1=$(jit_ticks "$gw" ${SETTLE_ALSO:-})
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  echo "$1 rps=$rps p50=$(awk '$1=="50%" {print $2}' <<<"$out") p99=$(awk '$1=="99%" {print $2}' <<<"$out") jit=$(awk -v t=$((j1 - j0)) -v hz="$(getconf CLK_TCK)" -v s="$secs" 'BEGIN { printf "%.0f%%", 100 * t / hz / s }') $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' \n' ' ')"
}
declare -A total=([none]=0 [with]=0)
ratios=()
add() { total[$1]=$(awk -v t="${total[$1]}" -v r="$2" 'BEGIN { print t + r }'); }
for round in $(seq 1 "${ROUNDS:-3}"); do
  for variant in none with; do
    start_variant $variant
    measure "round $round $variant warm-up=${warmed}s"
    add $variant "$rps"
    kill $gw; wait $gw 2>/dev/null || true
    [ $variant = none ] && none_rps=$rps || ratios+=("$(awk -v a="$rps" -v b="$none_rps" 'BEGIN { print a/b }')")
  done
done
awk -v a="${total[with]}" -v b="${total[none]}" -v c="$with" 'BEGIN { printf "ratio with(%s)/none = %.3f\n", c, a/b }'
# A round disturbed by a neighbour on a shared machine moves the total; the median of the rounds' own
# ratios does not.
printf '%s\n' "${ratios[@]}" | sort -g | awk '{ r[NR] = $1 } END { m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2; printf "median of round ratios = %.3f\n", m }'
