#!/usr/bin/env bash
# Admin API write throughput with many routes stored: a real etcd and one gateway (etcd source,
# Admin API), ROUTES routes preloaded straight into etcd (each an exact path, all on one upstream:
# a small origin answering 200), then WRITES route PUTs (half new routes, half changes of preloaded
# ones, each to a new path) through the Admin API by WRITERS concurrent writers. The load client and
# origin are io.tidegate.bench.AdminWriteLoad.
# Usage: bench/admin-writes.sh [WRITES] [WRITERS] [ROUTES]   (defaults 1000 8 10000; needs etcd)
#   WARMUP (default 60) seconds of writes first, not counted, so the JIT compilers are mostly done
#   with the write path (45 s into a run, C2 still took half a core). By time, not by count, so that
#   a slow build gets the same warm-up as a fast one.
#   ROUNDS (default 3) rounds of each JVM variant, each on a fresh etcd and gateway:
#     default  plain `java -jar`, as the README's first command runs it
#     xmx512   java -Xmx512m -jar
#   VARIANTS="default" runs only one; GATEWAY_JAR runs another build (a copy of an older one, say);
#   THREADS=1 prints the CPU seconds of the gateway's busiest threads during the writes.
#   JAVA_OPTS adds flags to the gateway; JFR=/tmp/admin records the writes of each run with Java
#   Flight Recorder (profile settings) into /tmp/admin-VARIANT-ROUND.jfr (the gateway halts on
#   SIGTERM, so a recording started with the JVM would never be written).
# Prints per run: writes/s, write latency p50/p99, the time from a write's 2xx to the route
# serving on the proxy port (every 20th write, sampled one at a time), the gateway's RSS before
# the writes (after the preload serves and the warm-up), after them and its peak (VmHWM), the heap
# in use right after a full GC before and after the writes (what it holds on to; the forced GCs are
# not counted), young and full GCs with their time during the writes (jstat), how many
# configuration versions the gateway built, and
# the CPU seconds the gateway and etcd used during the writes, against the whole machine's busy
# seconds (all cores: the load client, and anything else running, is the rest); then the median
# of each figure over the rounds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
writes=${1:-1000}; writers=${2:-8}; routes=${3:-10000}
for tool in etcd jstat python3; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
[ -f "$root/gateway-core/target/tidegate.jar" ] && [ -f "$here/target/benchmarks.jar" ] \
  || mvn -q -f "$root/pom.xml" -DskipTests package >&2
jar=${GATEWAY_JAR:-$root/gateway-core/target/tidegate.jar}
work=$(mktemp -d /tmp/admin-writes.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work/etcd"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 600); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
load() { java -Xmx256m -XX:+UseSerialGC -cp "$here/target/benchmarks.jar" io.tidegate.bench.AdminWriteLoad "$@"; }
rss() { awk -v f="$2:" '$1 == f { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo -1; }
# CPU seconds a process used so far (user + system), and the whole machine's busy seconds (all cores)
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
busy() { awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat; }
# CPU seconds of each thread of a process so far, "name seconds" per line (THREADS=1)
threads() { for t in /proc/$1/task/*; do awk -v hz="$(getconf CLK_TCK)" -v n="$(tr ' ' '_' < "$t/comm")" \
  '{ printf "%s %.2f\n", n, ($14 + $15) / hz }' "$t/stat" 2>/dev/null; done | awk '{ s[$1] += $2 } END { for (n in s) print n, s[n] }' | sort; }
# heap in use right after a full GC (MB): what the gateway holds on to, garbage aside
live() { jcmd "$1" GC.run >/dev/null; jcmd "$1" GC.heap_info | awk '/used/ { for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub("K", "", v); printf "%d", v / 1024; exit } }'; }
# jstat -gc: YGC YGCT FGC FGCT (columns by name, so the collector's layout does not matter)
gc() { jstat -gc "$1" | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i } NR == 2 { print $col["YGC"], $col["YGCT"], $col["FGC"], $col["FGCT"] }'; }

run() { # $1 variant, $2 round; prints one line of key=value figures
  local variant=$1 round=$2 jvm=() ep pp proxy origin admin etcd_pid origin_pid gw
  [ "$variant" = xmx512 ] && jvm=(-Xmx512m)
  ep=$(free_port); pp=$(free_port); proxy=$(free_port); origin=$(free_port); admin=$(free_port)
  (exec java -Xmx64m -XX:+UseSerialGC -cp "$here/target/benchmarks.jar" io.tidegate.bench.AdminWriteLoad origin "$origin") \
    >"$work/origin.log" 2>&1 & origin_pid=$!; pids+=($origin_pid)
  rm -rf "$work/etcd"
  etcd --name bench --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$ep" \
    --advertise-client-urls "http://127.0.0.1:$ep" --listen-peer-urls "http://127.0.0.1:$pp" \
    --initial-advertise-peer-urls "http://127.0.0.1:$pp" --initial-cluster "bench=http://127.0.0.1:$pp" \
    --log-level warn >"$work/etcd.log" 2>&1 & etcd_pid=$!; pids+=($etcd_pid)
  wait_port "$ep"
  load preload "http://127.0.0.1:$ep" /apisix "$routes" "127.0.0.1:$origin" >&2
  cat > "$work/gateway.yaml" <<YAML
tidegate:
  listeners: [{ address: "127.0.0.1:$proxy" }]
  plugins_dir: $root/plugins-dist
  etcd: { endpoints: ["http://127.0.0.1:$ep"], prefix: /apisix }
  admin: { address: "127.0.0.1:$admin", api_key: bench-admin-key }
YAML
  java "${jvm[@]}" ${JAVA_OPTS:-} -jar "$jar" -c "$work/gateway.yaml" \
    >"$work/gateway-$variant-$round.log" 2>&1 & gw=$!; pids+=($gw)
  wait_port "$admin"
  load await "$proxy" "/r/$((routes - 1))" 120
  [ "${WARMUP:-60}" -gt 0 ] && load writes "$admin" bench-admin-key "$proxy" 100000000 "$writers" "$routes" 20 "${WARMUP:-60}" warmup >/dev/null
  sleep 2
  local rss_before gc_before out rss_after peak gc_after versions live_before live_after
  live_before=$(live $gw); rss_before=$(rss $gw VmRSS); gc_before=$(gc $gw)
  local gw_cpu0 etcd_cpu0 busy0 gw_cpu1 etcd_cpu1 busy1
  gw_cpu0=$(cpu $gw); etcd_cpu0=$(cpu $etcd_pid); busy0=$(busy)
  [ -n "${THREADS:-}" ] && threads $gw > "$work/threads0"
  versions=$(grep -c 'configuration version' "$work/gateway-$variant-$round.log" || true)
  [ -n "${JFR:-}" ] && jcmd $gw JFR.start name=writes settings=profile >/dev/null
  out=$(load writes "$admin" bench-admin-key "$proxy" "$writes" "$writers" "$routes")
  if ! kill -0 $gw 2>/dev/null; then
    echo "variant=$variant round=$round gateway died: $(grep -m1 -iE 'OutOfMemory|Exception' "$work/gateway-$variant-$round.log")" >&2
    kill $etcd_pid $origin_pid; wait $etcd_pid $origin_pid 2>/dev/null || true; return 1
  fi
  gw_cpu1=$(cpu $gw); etcd_cpu1=$(cpu $etcd_pid); busy1=$(busy)
  if [ -n "${THREADS:-}" ]; then
    threads $gw > "$work/threads1"
    echo "gateway threads, CPU seconds during the writes ($variant round $round):" >&2
    join -a 2 "$work/threads0" "$work/threads1" | awk '{ d = $NF - (NF == 3 ? $2 : 0); if (d >= 0.1) printf "  %7.1f %s\n", d, $1 }' | sort -rn | head -12 >&2
  fi
  rss_after=$(rss $gw VmRSS); peak=$(rss $gw VmHWM); gc_after=$(gc $gw); live_after=$(live $gw)
  [ -n "${JFR:-}" ] && jcmd $gw JFR.dump name=writes filename="$JFR-$variant-$round.jfr" >/dev/null
  versions=$(( $(grep -c 'configuration version' "$work/gateway-$variant-$round.log" || true) - versions ))
  kill $gw $etcd_pid $origin_pid; wait $gw $etcd_pid $origin_pid 2>/dev/null || true
  read -r y0 yt0 f0 ft0 <<<"$gc_before"; read -r y1 yt1 f1 ft1 <<<"$gc_after"
  echo "variant=$variant round=$round $out rss_before_mb=$rss_before rss_after_mb=$rss_after rss_peak_mb=$peak" \
       "live_heap_before_mb=$live_before live_heap_after_mb=$live_after" \
       "young_gcs=$((y1 - y0)) young_gc_s=$(awk -v a="$yt1" -v b="$yt0" 'BEGIN { printf "%.2f", a - b }')" \
       "full_gcs=$((f1 - f0)) full_gc_s=$(awk -v a="$ft1" -v b="$ft0" 'BEGIN { printf "%.2f", a - b }') versions=$versions" \
       "$(awk -v g0="$gw_cpu0" -v g1="$gw_cpu1" -v e0="$etcd_cpu0" -v e1="$etcd_cpu1" -v b0="$busy0" -v b1="$busy1" \
            'BEGIN { printf "gateway_cpu_s=%.1f etcd_cpu_s=%.1f machine_busy_s=%.1f", g1 - g0, e1 - e0, b1 - b0 }')"
}

echo "admin writes: $writes writes, $writers writers, $routes routes preloaded; $(nproc) cores; logs in $work"
for variant in ${VARIANTS:-default xmx512}; do
  for round in $(seq 1 "${ROUNDS:-3}"); do
    # not in a pipe: run must stay in this shell, with its pids
    if run "$variant" "$round" >>"$work/results.txt"; then tail -n 1 "$work/results.txt"; fi
  done
done
# the median of every figure over each variant's rounds, in the order a run prints them
python3 - "$work/results.txt" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    fields = dict(kv.split("=", 1) for kv in line.split())
    runs.setdefault(fields.pop("variant"), []).append(fields)
for variant, rounds in runs.items():
    keys = [k for k in rounds[0] if k != "round"]
    print("median variant=" + variant, *(f"{k}={statistics.median(float(r[k]) for r in rounds):g}" for k in keys))
PY
