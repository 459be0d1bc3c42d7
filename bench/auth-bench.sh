#!/usr/bin/env bash
# The gateway with jwt-auth (HS256) + proxy-rewrite on the route against nginx proxying with no
# plugins at all, under the same wrk load (the token is sent to both; nginx ignores it).
# Usage: bench/auth-bench.sh [SECONDS] [CONNECTIONS]   (needs wrk, nginx, openssl)
# Prints requests/s of each and the ratio gateway/nginx (target >= 0.7).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=${1:-10}; conns=${2:-64}; warm=${WARMUP:-15}
shared=${SHARED_BENCH:-$root/../shared/bench}
for tool in wrk nginx openssl; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
[ -f "$root/gateway-core/target/tidegate.jar" ] && ls "$root"/plugins-dist/jwt-auth-*.jar >/dev/null 2>&1 \
  || mvn -q -f "$root/pom.xml" -DskipTests package >&2
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"key":"bench-key","exp":%d}' $(( $(date +%s) + 86400 )) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac bench-secret -binary | b64url)
token="$header.$payload.$signature"
source "$here/origin.sh"
declare -A rps
run() {
  local name=$1 port=$2 warmup=$3
  wrk -t1 -c"$conns" -d"${warmup}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/" >/dev/null 2>&1
  local out; out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/")
  rps[$name]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  echo "$name rps=${rps[$name]} p50=$(awk '$1=="50%" {print $2}' <<<"$out") p99=$(awk '$1=="99%" {print $2}' <<<"$out") $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' \n' ' ')"
}
nginx -c "$shared/proxy-nginx.conf" & ngx=$!; wait_port 9101
run nginx 9101 2; kill $ngx; wait $ngx 2>/dev/null || true
(cd "$here" && exec java -Xmx512m -jar "$root/gateway-core/target/tidegate.jar" -c gateway-auth.yaml) >/tmp/auth-bench-gateway.log 2>&1 & gw=$!
pids+=($gw); wait_port 9080
run gateway-jwt-rewrite 9080 "$warm"
awk -v a="${rps[gateway-jwt-rewrite]}" -v b="${rps[nginx]}" 'BEGIN { printf "ratio gateway(jwt-auth+proxy-rewrite)/nginx(no plugins) = %.2f\n", a/b }'
