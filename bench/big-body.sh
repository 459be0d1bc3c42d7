#!/usr/bin/env bash
# 100 MB bodies through the gateway with a small heap: gzip and response-rewrite (headers only) on a
# 100 MB download, proxy-mirror on a 100 MB upload (the mirror and the upstream both get it), each
# ROUNDS times (default 3), with the gateway at -Xmx${HEAP:-64m}. A plugin that held a body whole
# could not pass it at all; the figure to read is the heap after each GC (GC log), which must stay
# flat: printed per phase as the highest heap-after-GC seen while it ran.
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
nginx -c "$here/big-body-nginx.conf" & pids+=($!); wait_port 9103
gclog=/tmp/big-body-gc.log; rm -f "$gclog"
(cd "$here" && exec java -Xmx"$heap" -Xlog:gc:file="$gclog":uptime -jar "$root/gateway-core/target/tidegate.jar" -c gateway-big-body.yaml) \
  >/tmp/big-body-gateway.log 2>&1 & gw=$!; pids+=($gw)
wait_port 9080
# the highest heap after GC logged since line $1 of the GC log, in MB
peak_since() { tail -n +"$1" "$gclog" | sed -n 's/.*->\([0-9]*\)M(.*/\1/p' | sort -n | tail -1; }
lines() { wc -l < "$gclog"; }
baseline=$(peak_since 1); echo "after start: heap after GC ${baseline:-?} MB (max heap $heap)"
for phase in gzip rewrite mirror; do
  from=$(($(lines) + 1))
  for round in $(seq 1 "${ROUNDS:-3}"); do
    case $phase in
      gzip) out=$(curl -s -H 'Accept-Encoding: gzip' -o /tmp/bench-big/out.gz -w '%{http_code} %{size_download}' http://127.0.0.1:9080/gzip/big.txt)
            check=$(gzip -dc /tmp/bench-big/out.gz | cmp - /tmp/bench-big/big.txt && echo same || echo DIFFERENT) ;;
      rewrite) out=$(curl -s -D /tmp/bench-big/h -o /tmp/bench-big/out -w '%{http_code} %{size_download}' http://127.0.0.1:9080/rewrite/big.txt)
            check=$(cmp /tmp/bench-big/out /tmp/bench-big/big.txt && grep -qi '^x-rewritten: yes' /tmp/bench-big/h && echo same || echo DIFFERENT) ;;
      mirror) out=$(curl -s -o /dev/null -w '%{http_code} %{size_upload}' --data-binary @/tmp/bench-big/big.txt -H 'Content-Type: text/plain' http://127.0.0.1:9080/sink)
            check=sent ;;
    esac
    echo "$phase round $round: $out $check"
  done
  sleep 1
  echo "$phase: highest heap after GC while it ran: $(peak_since "$from") MB; GCs: $(($(lines) - from + 1))"
done
grep -o 'tidegate_plugin_entries_dropped_total{plugin="proxy-mirror"[^ ]* [0-9.]*' /tmp/big-body-gateway.log || true
