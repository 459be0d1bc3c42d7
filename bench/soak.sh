#!/usr/bin/env bash
# A bounded soak, not part of CI: SECONDS (default 600) of wrk load on three routes over three
# origins behind health checks, while the watched configuration file changes every 5 s and one
# origin is killed every minute and restarted 10 s later. Reports requests, errors, p99 and the
# gateway's RSS after warm-up and at the end.
# Usage: bench/soak.sh [SECONDS] [CONNECTIONS]   (needs wrk and nginx)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=${1:-600}; conns=${2:-64}
for tool in wrk nginx; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
[ -f "$root/gateway-core/target/tidegate.jar" ] || mvn -q -f "$root/pom.xml" -DskipTests package >&2
source "$here/origins.sh"
for port in 9101 9102 9103; do pids+=("$(origin $port)"); wait_port $port; done
config() { # $1: how many extra routes the current version has
  {
    echo 'tidegate: { listeners: [{ address: 127.0.0.1:9080 }] }'
    echo 'upstreams:'
    echo '  - id: origins'
    echo '    nodes: { "127.0.0.1:9101": 1, "127.0.0.1:9102": 1, "127.0.0.1:9103": 1 }'
    echo '    checks: { active: { http_path: /, healthy: { interval: 1, successes: 2 }, unhealthy: { interval: 1, tcp_failures: 2 } } }'
    echo 'routes:'
    echo '  - { id: main, uri: "/*", upstream_id: origins }'
    for i in $(seq 1 "$1"); do echo "  - { id: extra-$i, uri: /extra/$i, upstream_id: origins }"; done
  } > "$work/config.tmp" && mv "$work/config.tmp" "$work/config.yaml"
}
config 0
java -Xmx512m -jar "$root/gateway-core/target/tidegate.jar" -c "$work/config.yaml" >"$work/gateway.log" 2>&1 & gw=$!; pids+=($gw)
wait_port 9080
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$1/status"; }
wrk -t1 -c"$conns" -d"${secs}s" --latency http://127.0.0.1:9080/ >"$work/wrk.txt" & load=$!
sleep 30; rss_start=$(rss $gw)
victim=${pids[2]}; reloads=0; restarts=0; start=$(date +%s)
while kill -0 $load 2>/dev/null; do
  now=$(( $(date +%s) - start ))
  config $(( reloads % 50 )); reloads=$((reloads + 1))
  if [ $(( now % 60 )) -lt 5 ] && [ "$now" -ge 55 ] && [ -n "$victim" ]; then
    kill -9 "$victim"; sleep 10; victim=$(origin 9103); pids+=("$victim"); restarts=$((restarts + 1))
  fi
  sleep 5
done
wait $load || true
rss_end=$(rss $gw)
cat "$work/wrk.txt"
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); non2xx=${non2xx:-0}
socket=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' "$work/wrk.txt"); socket=${socket:-0}
echo "soak ${secs}s: requests=$requests failed=$((non2xx + socket)) (non-2xx $non2xx, socket errors $socket)" \
     "p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt") reloads=$reloads origin-restarts=$restarts" \
     "rss after warm-up=$rss_start end=$rss_end"
echo "config versions served: $(grep -c 'configuration version' "$work/gateway.log")"
