#!/usr/bin/env bash
# proxy-cache side by side: cache HITs of nginx proxy_cache and of Tidegate's proxy-cache (a memory
# zone; STRATEGY=disk: a disk zone), both in front of the same 16 KB JSON document from an nginx
# origin. Each proxy is asked once before wrk runs, so every measured request is a HIT (checked).
# Usage: bench/cache-bench.sh [SECONDS] [CONNECTIONS]   (needs wrk, nginx, python3)
# ROUNDS (default 3) alternating rounds; prints requests/s of each and the median ratio gateway/nginx.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=${1:-10}; conns=${2:-64}; warm=${WARMUP:-10}; accept=identity
gateway_config=gateway-cache.yaml; [ "${STRATEGY:-memory}" = disk ] && gateway_config=gateway-cache-disk.yaml
[ -f "$root/gateway-core/target/tidegate.jar" ] && ls "$root"/plugins-dist/proxy-cache-*.jar >/dev/null 2>&1 \
  || mvn -q -f "$root/pom.xml" -DskipTests package >&2
rm -rf /tmp/bench-cache-nginx /tmp/bench-cache-tidegate
. "$here/side-by-side.sh"
ratios=()
for round in $(seq 1 "${ROUNDS:-3}"); do
  nginx -c "$here/cache-nginx.conf" & ngx=$!; wait_port 9101
  curl -s -o /dev/null http://127.0.0.1:9101/doc.json
  # the measured answers are hits: the second request's status says so
  curl -s -D - -o /dev/null http://127.0.0.1:9101/doc.json | grep -i '^apisix-cache-status: HIT' >&2
  n=$(run nginx 9101); kill $ngx; wait $ngx 2>/dev/null || true
  (cd "$here" && exec java -Xmx512m -jar "$root/gateway-core/target/tidegate.jar" -c "$gateway_config") >/tmp/cache-bench-gateway.log 2>&1 & gw=$!
  wait_port 9080
  curl -s -o /dev/null http://127.0.0.1:9080/doc.json
  curl -s -D - -o /dev/null http://127.0.0.1:9080/doc.json | grep -i '^apisix-cache-status: HIT' >&2
  g=$(run gateway 9080); kill $gw; wait $gw 2>/dev/null || true
  ratios+=("$(awk -v a="$g" -v b="$n" 'BEGIN { print a/b }')")
done
median "${ratios[@]}"
