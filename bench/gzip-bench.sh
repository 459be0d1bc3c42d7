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
for tool in wrk nginx python3; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
[ -f "$root/gateway-core/target/tidegate.jar" ] && ls "$root"/plugins-dist/compression-*.jar >/dev/null 2>&1 \
  || mvn -q -f "$root/pom.xml" -DskipTests package >&2
mkdir -p /tmp/bench-gzip
python3 - <<'PY'
import json, random
random.seed(7)
items = [{"id": i, "sku": "SKU-%05d" % i, "name": "item %d" % i, "price": round(random.uniform(1, 500), 2),
          "tags": random.sample(["red", "blue", "green", "sale", "new", "eco"], 3), "in_stock": i % 3 != 0} for i in range(400)]
doc = json.dumps({"items": items})
while len(doc) > 16384:
    items.pop()
    doc = json.dumps({"items": items})
open("/tmp/bench-gzip/doc.json", "w").write(doc + " " * (16384 - len(doc)))
PY
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
nginx -c "$here/gzip-origin-nginx.conf" & pids+=($!); wait_port 9102
run() {
  local name=$1 port=$2
  wrk -t1 -c"$conns" -d"${warm}s" -H "Accept-Encoding: $accept" "http://127.0.0.1:$port/doc.json" >/dev/null 2>&1
  local out; out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -H "Accept-Encoding: $accept" "http://127.0.0.1:$port/doc.json")
  local rps; rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  echo "round $round $name rps=$rps p50=$(awk '$1=="50%" {print $2}' <<<"$out") p99=$(awk '$1=="99%" {print $2}' <<<"$out") $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' \n' ' ')" >&2
  echo "$rps"
}
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
printf '%s\n' "${ratios[@]}" | sort -g | awk '{ r[NR] = $1 } END { m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2; printf "median of round ratios gateway/nginx = %.3f\n", m }'
