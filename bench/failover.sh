#!/usr/bin/env bash
# One of three origins crashes under load and comes back: how many requests fail, and how soon
# the node is back in rotation. Health checks as in gateway-failover.yaml (interval 1 s,
# successes 2, tcp_failures 2; retries default to nodes - 1 = 2).
# Usage: bench/failover.sh [SECONDS] [CONNECTIONS]   (needs wrk and nginx)
# The third origin is killed (SIGKILL, in-flight connections reset) at a third of the run and
# restarted at two thirds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=${1:-30}; conns=${2:-64}
for tool in wrk nginx curl; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
[ -f "$root/gateway-core/target/tidegate.jar" ] || mvn -q -f "$root/pom.xml" -DskipTests package >&2
source "$here/origins.sh"
for port in 9101 9102 9103; do pids+=("$(origin $port)"); wait_port $port; done
victim=${pids[2]}
(cd "$here" && exec java -Xmx512m -jar "$root/gateway-core/target/tidegate.jar" -c "$here/gateway-failover.yaml") \
  >"$work/gateway.log" 2>&1 & pids+=($!)
wait_port 9080
wrk -t1 -c"$conns" -d5s http://127.0.0.1:9080/ >/dev/null 2>&1   # warm-up
state() { curl -s http://127.0.0.1:9085/status/upstreams | grep -o '"address":"127.0.0.1:9103","status":"[a-z]*"' | cut -d'"' -f8; }
wrk -t1 -c"$conns" -d"${secs}s" --latency http://127.0.0.1:9080/ >"$work/wrk.txt" & load=$!
sleep $((secs / 3))
kill -9 "$victim"; killed=$(date +%s%N)
while [ "$(state)" != unhealthy ]; do sleep 0.05; done
ejected_ms=$(( ($(date +%s%N) - killed) / 1000000 ))
sleep $((secs / 3 - ejected_ms / 1000))
pids+=("$(origin 9103)"); wait_port 9103; restarted=$(date +%s%N)
while [ "$(state)" != healthy ]; do sleep 0.05; done
back_ms=$(( ($(date +%s%N) - restarted) / 1000000 ))
wait $load
cat "$work/wrk.txt"
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); non2xx=${non2xx:-0}
socket=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' "$work/wrk.txt"); socket=${socket:-0}
echo "requests=$requests failed=$((non2xx + socket)) (non-2xx $non2xx, socket errors $socket)"
echo "node unhealthy ${ejected_ms} ms after the kill; healthy again ${back_ms} ms after the restart (successes x interval = 2000 ms)"
