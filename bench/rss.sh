#!/usr/bin/env bash
# The gateway's resident memory under load: starts it with JVM_OPTS (default: none, the JVM's
# defaults) on CONFIG (default gateway-bench.yaml: one route), runs wrk for SECONDS with 64
# connections after a warm-up, and prints requests/s, p99 and the highest RSS seen (sampled every
# 0.5 s with ps) and RSS at the end.
# ROUTES=N instead serves N routes (50 hosts, prefix paths, all to the origin) and asks one of them.
# Usage: JVM_OPTS="-Xmx96m -XX:+UseSerialGC" bench/rss.sh [SECONDS] [CONFIG]   (needs wrk, nginx)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=$(cd "$root/../shared/bench" && pwd)
secs=${1:-20}; config=${2:-gateway-bench.yaml}
. "$here/origin.sh"
host_header=()
if [ -n "${ROUTES:-}" ]; then
  config=/tmp/rss-routes-$ROUTES.yaml
  "$here/routes-config.py" "$ROUTES" 9080 "$config" --plugins-dir "$root/plugins-dist"
  BENCH_PATH=/svc$((ROUTES / 100))/x; host_header=(-H "Host: h$((ROUTES / 2 % 50)).example")
fi
(cd "$here" && exec java ${JVM_OPTS:-} -jar "$root/gateway-core/target/tidegate.jar" -c "$config") >/tmp/rss-gateway.log 2>&1 & gw=$!; pids+=($gw)
started=$(date +%s%N); wait_port 9080; ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
path=${BENCH_PATH:-/}
curl -s -o /dev/null -w "check: %{http_code}\n" "${host_header[@]/#-H/-H}" "http://127.0.0.1:9080$path" >&2
wrk -t1 -c64 -d10s "${host_header[@]}" "http://127.0.0.1:9080$path" >/dev/null 2>&1
( while kill -0 $gw 2>/dev/null; do ps -o rss= -p $gw; sleep 0.5; done ) > /tmp/rss-samples & sampler=$!
out=$(wrk -t1 -c64 -d"${secs}s" --latency "${host_header[@]}" "http://127.0.0.1:9080$path")
kill $sampler
echo "JVM_OPTS=${JVM_OPTS:-(none)} config=$config listening after ${ready_ms} ms"
echo "rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out") p50=$(awk '$1=="50%" {print $2}' <<<"$out") p99=$(awk '$1=="99%" {print $2}' <<<"$out") $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' \n' ' ')"
echo "RSS under load: at most $(sort -n /tmp/rss-samples | tail -1 | awk '{printf "%.0f", $1/1024}') MB, at the end $(ps -o rss= -p $gw | awk '{printf "%.0f", $1/1024}') MB"
