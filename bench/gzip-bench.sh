#!/usr/bin/env bash
# gzip side by side: nginx `gzip on` (level 1) and Tidegate's gzip plugin (level 1) proxying the
# same 16 KB JSON document from an nginx origin, wrk sending Accept-Encoding: gzip to both.
# Usage: bench/gzip-bench.sh [SECONDS] [CONNECTIONS]   (needs wrk, nginx, python3)
# ROUNDS (default 3) alternating rounds; prints requests/s of each and the median ratio gateway/nginx.
# ACCEPT_ENCODING=identity runs the same without compression: the two proxies' baseline on this body.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=${1:-10}; conns=${2:-64}; warm=${WARMUP:-10}; accept=${ACCEPT_ENCODING:-gzip}
[ -f "$root/gateway-core/target/tidegate.jar" ] && ls "$root"/plugins-dist/compression-*.jar >/dev/null 2>&1 \
  || mvn -q -f "$root/pom.xml" -DskipTests package >&2
. "$here/side-by-side.sh"
ratios=()
for round in $(seq 1 "${ROUNDS:-3}"); do
  nginx -c "$here/gzip-nginx.conf" & ngx=$!; wait_port 9101
  # the same bytes must come out: both compress (the check reads one answer of each)
  curl -s -H "Accept-Encoding: $accept" -o /dev/null -w '%{http_code} %{size_download}\n' http://127.0.0.1:9101/doc.json >&2
  n=$(run nginx 9101); kill $ngx; wait $ngx 2>/dev/null || true
  (cd "$here" && exec java -Xmx512m -jar "$root/gateway-core/target/tidegate.jar" -c gateway-gzip.yaml) >/tmp/gzip-bench-gateway.log 2>&1 & gw=$!
  wait_port 9080
  curl -s -H "Accept-Encoding: $accept" -o /dev/null -w '%{http_code} %{size_download}\n' http://127.0.0.1:9080/doc.json >&2
  g=$(run gateway 9080); kill $gw; wait $gw 2>/dev/null || true
  ratios+=("$(awk -v a="$g" -v b="$n" 'BEGIN { print a/b }')")
done
median "${ratios[@]}"
