#!/usr/bin/env bash
# A/B of two gateway builds on bench/gateway-bench.yaml, alternating, three rounds each: wrk with
# kept-alive connections (64) and with `Connection: close` (32), 10 s after a 5 s warm-up.
# Usage: BEFORE=old/tidegate.jar AFTER=gateway-core/target/tidegate.jar bench/ab-jars.sh   (needs wrk, nginx)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=${SHARED:-$here/../../shared/bench}
before=${BEFORE:?set BEFORE to the older tidegate.jar}; after=${AFTER:-$here/../gateway-core/target/tidegate.jar}
source "$here/origin.sh"
run() { # jar mode: prints requests/s
  java -jar "$1" -c "$here/gateway-bench.yaml" >/dev/null 2>&1 & local gw=$!
  wait_port 9080
  wrk -t1 -c32 -d5s http://127.0.0.1:9080/ >/dev/null 2>&1
  if [ "$2" = close ]; then out=$(wrk -t1 -c32 -d10s -H 'Connection: close' http://127.0.0.1:9080/)
  else out=$(wrk -t1 -c64 -d10s http://127.0.0.1:9080/); fi
  kill $gw; wait $gw 2>/dev/null || true
  echo "$out" | awk '/Requests\/sec/ {print $2}'
}
for mode in keepalive close; do
  for round in 1 2 3; do
    echo "$mode round $round: before $(run "$before" $mode) after $(run "$after" $mode)"
  done
done
