#!/usr/bin/env bash
# Unary gRPC calls per second, side by side on loopback: straight to a grpc-java server, through
# nginx's grpc_pass, and through the gateway (scheme: grpc). h2load sends the same gRPC-framed
# 100-byte message to /bench.Echo/Unary over cleartext HTTP/2 (prior knowledge); the server echoes it.
# Each target is warmed up, then measured in ROUNDS alternating rounds; prints every round and the
# median ratios gateway/direct and gateway/nginx.
#
# Usage: bench/grpc-bench.sh   SECS (10) CONNS (16) STREAMS (10 per connection) ROUNDS (3) WARMUP (15)
#   GATEWAY (default bin/tidegate)
# Needs: nginx (with http2 and grpc: Debian's nginx-light), h2load (nghttp2-client); `mvn package` done.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=${SECS:-10}; conns=${CONNS:-16}; streams=${STREAMS:-10}; rounds=${ROUNDS:-3}; warmup=${WARMUP:-15}
gateway=${GATEWAY:-$root/bin/tidegate}
work=/tmp/tidegate-grpc-bench
mkdir -p "$work"
log=$work/bench.log; : >"$log"
for tool in nginx h2load python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y nginx-light nghttp2-client python3" >&2; exit 2; }
done
[ -f "$root/bench/target/benchmarks.jar" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 900); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened (log: $log)" >&2; exit 1; }
start() { "$@" >>"$log" 2>&1 & pids+=($!); }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# one gRPC message: not compressed, 4-byte big-endian length, 100 bytes
python3 -c 'import sys; m = b"x" * 100; sys.stdout.buffer.write(b"\0" + len(m).to_bytes(4, "big") + m)' >"$work/message.bin"
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream grpc_origin { server 127.0.0.1:9150; keepalive 64; }
  server {
    listen 127.0.0.1:9151 http2;
    location / { grpc_pass grpc://grpc_origin; }
  }
}
CONF
cat >"$work/gateway.yaml" <<CONF
tidegate:
  listeners: [{ address: "127.0.0.1:9152", offer_h2: true }]
  plugins_dir: $work/no-plugins
routes:
  - { id: grpc, uri: "/bench.Echo/*", upstream: { scheme: grpc, nodes: { "127.0.0.1:9150": 1 } } }
CONF
mkdir -p "$work/no-plugins"

start java -Xmx256m -cp "$root/bench/target/benchmarks.jar" io.tidegate.bench.GrpcEchoServer 9150
wait_port 9150
start nginx -c "$work/nginx.conf"
start $gateway -c "$work/gateway.yaml"
wait_port 9151; wait_port 9152

calls() {  # port seconds -> calls per second (h2load counts a call answered 200 with its trailers as one request)
  h2load -D "$2" -c "$conns" -m "$streams" -d "$work/message.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$1/bench.Echo/Unary" 2>>"$log" | tee -a "$log" | awk '/^finished in/ { gsub(",", "", $4); print $4 }'
}
for port in 9150 9151 9152; do calls "$port" "$warmup" >/dev/null; done

: >"$work/vs-direct"; : >"$work/vs-nginx"
for round in $(seq 1 "$rounds"); do
  direct=$(calls 9150 "$secs"); via_nginx=$(calls 9151 "$secs"); via_gateway=$(calls 9152 "$secs")
  echo "round $round: direct $direct, nginx grpc_pass $via_nginx, gateway $via_gateway calls/s"
  python3 -c "print(round($via_gateway / $direct, 3))" >>"$work/vs-direct"
  python3 -c "print(round($via_gateway / $via_nginx, 3))" >>"$work/vs-nginx"
done
echo "gateway/direct (median): $(median <"$work/vs-direct")"
echo "gateway/nginx grpc_pass (median): $(median <"$work/vs-nginx")"
