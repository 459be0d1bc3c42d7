#!/usr/bin/env bash
# 100 MB bodies through the gateway with a small heap: gzip and response-rewrite (headers only) on a
# 100 MB download, proxy-mirror on a 100 MB upload (the mirror and the upstream both get it), each
# ROUNDS times (default 3), with the gateway at -Xmx${HEAP:-64m}. A plugin that held a body whole
# could not pass it at all. Printed per phase: the most heap in use (jstat, sampled every 100 ms)
# and the highest heap after a GC (GC log) while it ran, against the same figures after start.
# Usage: bench/big-body.sh   (needs nginx, curl)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
heap=${HEAP:-64m}
[ -f "$root/gateway-core/target/tidegate.jar" ] || mvn -q -f "$root/pom.xml" -DskipTests package >&2
mkdir -p /tmp/bench-big
[ -s /tmp/bench-big/big.txt ] || head -c 78643200 /dev/urandom | base64 -w 100 | head -c 104857600 > /tmp/bench-big/big.txt
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
rm -f /tmp/bench-big-access.log
nginx -c "$here/big-body-nginx.conf" & pids+=($!); wait_port 9103
gclog=/tmp/big-body-gc.log; rm -f "$gclog"
(cd "$here" && exec java -Xmx"$heap" -Xlog:gc:file="$gclog":uptime -jar "$root/gateway-core/target/tidegate.jar" -c gateway-big-body.yaml) \
  >/tmp/big-body-gateway.log 2>&1 & gw=$!; pids+=($gw)
wait_port 9080
# the highest heap after GC logged since line $1 of the GC log, in MB
peak_since() { { tail -n +"$1" "$gclog" 2>/dev/null || true; } | sed -n 's/.*->\([0-9]*\)M(.*/\1/p' | sort -n | tail -1; }
lines() { wc -l < "$gclog" 2>/dev/null || echo 0; }
# samples the heap in use (survivors, eden, old; KB) into $1 until stopped
sample_heap() { while :; do jstat -gc "$gw" 2>/dev/null | awk 'NR==2 { printf "%d\n", $3 + $4 + $6 + $8 }'; sleep 0.1; done > "$1"; }
most_used() { sort -n "$1" | tail -1 | awk '{ printf "%.1f", $1 / 1024 }'; }
sample_heap /tmp/big-body-heap-idle & sampler=$!; sleep 2; kill $sampler
echo "after start: heap in use at most $(most_used /tmp/big-body-heap-idle) MB, after GC ${baseline:-$(peak_since 1)} MB (max heap $heap)"
for phase in gzip rewrite mirror; do
  from=$(($(lines) + 1))
  sample_heap /tmp/big-body-heap-$phase & sampler=$!
  for round in $(seq 1 "${ROUNDS:-3}"); do
    case $phase in
      gzip) out=$(curl -s -H 'Accept-Encoding: gzip' -o /tmp/bench-big/out.gz -w '%{http_code} %{size_download}' http://127.0.0.1:9080/gzip/big.txt)
            check=$(gzip -dc /tmp/bench-big/out.gz | cmp - /tmp/bench-big/big.txt && echo same || echo DIFFERENT) ;;
      rewrite) out=$(curl -s -D /tmp/bench-big/h -o /tmp/bench-big/out -w '%{http_code} %{size_download}' http://127.0.0.1:9080/rewrite/big.txt)
            check=$(cmp /tmp/bench-big/out /tmp/bench-big/big.txt && grep -qi '^x-rewritten: yes' /tmp/bench-big/h && echo same || echo DIFFERENT) ;;
      mirror) out=$(curl -s -o /dev/null -w '%{http_code} %{size_upload}' --data-binary @/tmp/bench-big/big.txt -H 'Content-Type: text/plain' http://127.0.0.1:9080/sink)
            check="uploaded whole" ;;
    esac
    echo "$phase round $round: $out $check"
  done
  kill $sampler
  echo "$phase: heap in use at most $(most_used /tmp/big-body-heap-$phase) MB; highest after a GC $(p=$(peak_since "$from"); echo "${p:-(no GC)}") MB; GCs: $(($(lines) - from + 1))"
done
# the upstream and the mirror each got every upload whole: 2 x ROUNDS requests of over 100 MB at /sink
echo "uploads of 100 MB or more /sink received (upstream + mirror): $(awk '$2 == "/sink" && $5 >= 104857600' /tmp/bench-big-access.log | wc -l)"
