#!/usr/bin/env bash
# The gateway side by side with nginx as a reverse proxy, on loopback, leg by leg (extends
# ../shared/bench/proxy-bench.sh, which has the plain leg and the other peers):
#   plain      HTTP/1.1 keep-alive (wrk)                  nginx :9101            gateway :9080
#   tls        HTTP/1.1 keep-alive over TLS 1.3 (wrk)     nginx ssl :9111        gateway TLS listener :9443
#   h2         HTTP/2 over TLS, ALPN h2 (h2load)          nginx ssl http2 :9112  gateway offer_h2 :9444
#   h2c        HTTP/2 cleartext, prior knowledge (h2load) nginx http2 :9113      gateway offer_h2 :9083
#   routes10k  the gateway serving 10,000 routes against the same gateway serving the one route asked
#   routes100k the same with 100,000 routes
# Each leg starts its targets once, warms each up, then measures them in ROUNDS alternating rounds and
# prints every round, the median ratio, and the gateway's peak RSS (VmHWM). Both TLS peers serve the
# same EC P-256 certificate; the leg prints the protocol and cipher each one negotiated.
#
# Usage: bench/proxy-bench.sh [LEG...]   (default: plain tls h2 h2c routes10k routes100k)
#   SECS (10) CONNS (64) ROUNDS (3) WARMUP (15, seconds for the gateway; nginx gets 2) STREAMS (10,
#   concurrent streams per h2 connection) GATEWAY (default bin/tidegate, the JVM settings the README
#   ships; for example "java -Xmx512m -jar gateway-core/target/tidegate.jar").
# Needs: wrk, nginx, h2load (Debian nghttp2-client), openssl, python3; `mvn package` done.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=${SECS:-10}; conns=${CONNS:-64}; rounds=${ROUNDS:-3}; warmup=${WARMUP:-15}; streams=${STREAMS:-10}
gateway=${GATEWAY:-$root/bin/tidegate}
legs=${*:-plain tls h2 h2c routes10k routes100k}
work=/tmp/tidegate-proxy-bench
mkdir -p "$work"
log=$work/bench.log; : >"$log"
for tool in wrk nginx h2load openssl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nginx-light nghttp2-client openssl python3" >&2; exit 2; }
done
[ -f "$root/gateway-core/target/tidegate.jar" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 900); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened (log: $log)" >&2; exit 1; }
start() { "$@" >>"$log" 2>&1 & pids+=($!); }
stop_all_but_origin() { for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; pids=("${pids[0]}"); }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
peak_rss_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

[ -f "$work/cert.pem" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" >>"$log" 2>&1
cat >"$work/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  http2_max_requests 1000000;
  upstream origin { server 127.0.0.1:9100; keepalive 256; }
  ssl_certificate $work/cert.pem;
  ssl_certificate_key $work/key.pem;
  ssl_protocols TLSv1.3;
  server {
    listen 127.0.0.1:9101 backlog=4096;
    listen 127.0.0.1:9111 ssl backlog=4096;
    listen 127.0.0.1:9112 ssl http2 backlog=4096;
    listen 127.0.0.1:9113 http2 backlog=4096;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
EOF
cat >"$work/gateway.yaml" <<EOF
tidegate:
  listeners:
    - address: 127.0.0.1:9080
    - { address: 127.0.0.1:9443, tls: { cert_path: $work/cert.pem, key_path: $work/key.pem } }
    - { address: 127.0.0.1:9444, tls: { cert_path: $work/cert.pem, key_path: $work/key.pem }, offer_h2: true }
    - { address: 127.0.0.1:9083, offer_h2: true }
routes:
  - { id: bench, uri: /*, upstream_id: origin }
upstreams:
  - { id: origin, nodes: { "127.0.0.1:9100": 1 } }
EOF

# wrk_run NAME URL [HEADER]: prints "rps p99_ms" and logs the round
wrk_run() {
  local out; out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency ${3:+-H "$3"} "$2" 2>&1)
  local rps p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" { v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; print v }' <<<"$out")
  errs=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr -s ' \n' ' ')
  echo "  round $round $1 rps=$rps p99=${p99}ms $errs" >&2
  echo "$rps $p99"
}
# h2_run NAME URL: h2load over TLS, p99 from its per-request log (microseconds in the third column)
h2_run() {
  local out; out=$(h2load -c"$conns" -m"$streams" -t1 -D"$secs" --log-file="$work/h2.log" "$2" 2>&1)
  local rps p99 errs
  rps=$(awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($(i) == "req/s,") print $(i - 1) }' <<<"$out")
  p99=$(awk '{ print $3 }' "$work/h2.log" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int(NR * 0.99)] / 1000 }')
  errs=$(grep -E "^requests:" <<<"$out" | tr -s ' ' ' ')
  echo "  round $round $1 rps=$rps p99=${p99}ms $errs" >&2
  echo "$rps $p99"
}
warm() {
  case $1 in
    h2|h2c) h2load -c"$conns" -m"$streams" -t1 -D"$2" "$3" >/dev/null 2>&1 ;;
    *) wrk -t1 -c"$conns" -d"${2}s" ${4:+-H "$4"} "$3" >/dev/null 2>&1 ;;
  esac
}
cipher_of() { openssl s_client -connect "127.0.0.1:$1" -servername localhost ${2:+-alpn $2} </dev/null 2>/dev/null | awk '/^New, / { print $2, $NF } /^ALPN protocol/ { print "alpn", $3 }' | tr '\n' ' '; }

# leg KIND BASE_NAME BASE_URL GATEWAY_NAME GATEWAY_URL GATEWAY_PID [HEADER]: alternating rounds; prints medians
leg() {
  local kind=$1 base=$2 base_url=$3 name=$4 url=$5 gw=$6 header=${7:-} ratios=() p99s_base=() p99s_gw=()
  local runner=wrk_run; [[ $kind == h2* ]] && runner=h2_run
  warm "$kind" 2 "$base_url" "$header"; warm "$kind" "$warmup" "$url" "$header"
  for round in $(seq 1 "$rounds"); do
    local a b
    if (( round % 2 )); then a=$($runner "$base" "$base_url" "$header"); b=$($runner "$name" "$url" "$header")
    else b=$($runner "$name" "$url" "$header"); a=$($runner "$base" "$base_url" "$header"); fi
    ratios+=("$(awk -v x="${b% *}" -v y="${a% *}" 'BEGIN { if (y > 0) printf "%.3f", x / y; else print 0 }')")
    p99s_base+=("${a#* }"); p99s_gw+=("${b#* }")
  done
  echo "$kind: $name/$base median $(printf '%s\n' "${ratios[@]}" | median) (rounds: ${ratios[*]});" \
    "p99 median $base $(printf '%s\n' "${p99s_base[@]}" | median) ms, $name $(printf '%s\n' "${p99s_gw[@]}" | median) ms;" \
    "gateway peak RSS $(peak_rss_mb "$gw") MB"
}

[ -f /tmp/bench-16k.bin ] || head -c 16384 /dev/urandom >/tmp/bench-16k.bin
start nginx -c "$root/../shared/bench/upstream-nginx.conf"; wait_port 9100
echo "bench: ${secs}s x $rounds rounds, $conns connections, h2 $streams streams each, gateway: $gateway"
for kind in $legs; do
  case $kind in
    plain|tls|h2|h2c)
      if [ -z "${gw_pid:-}" ]; then
        start nginx -c "$work/nginx.conf"
        (cd "$here" && exec $gateway -c "$work/gateway.yaml") >>"$log" 2>&1 & gw_pid=$!; pids+=($gw_pid)
        wait_port 9101; wait_port 9113; wait_port 9080; wait_port 9083
      fi
      case $kind in
        plain) leg plain nginx http://127.0.0.1:9101/ gateway http://127.0.0.1:9080/ "$gw_pid" ;;
        tls) echo "tls: nginx $(cipher_of 9111), gateway $(cipher_of 9443)"
             leg tls nginx https://127.0.0.1:9111/ gateway https://127.0.0.1:9443/ "$gw_pid" ;;
        h2) echo "h2: nginx $(cipher_of 9112 h2), gateway $(cipher_of 9444 h2)"
            leg h2 nginx https://127.0.0.1:9112/ gateway https://127.0.0.1:9444/ "$gw_pid" ;;
        h2c) leg h2c nginx http://127.0.0.1:9113/ gateway http://127.0.0.1:9083/ "$gw_pid" ;;
      esac ;;
    routes10k|routes100k)
      stop_all_but_origin; gw_pid=
      n=10000; [ "$kind" = routes100k ] && n=100000
      # the route asked: /svc100/x on h0.example, route 5000
      "$here/routes-config.py" 1 9081 "$work/routes-1.yaml" --only 5000; "$here/routes-config.py" "$n" 9082 "$work/routes-$n.yaml"
      (cd "$here" && exec $gateway -c "$work/routes-1.yaml") >>"$log" 2>&1 & one=$!; pids+=($one)
      started=$(date +%s%N)
      (cd "$here" && exec $gateway -c "$work/routes-$n.yaml") >>"$log" 2>&1 & many=$!; pids+=($many)
      wait_port 9082; echo "$kind: the $n-route gateway listened $(( ($(date +%s%N) - started) / 1000000 )) ms after it was started (beside the 1-route one)"
      wait_port 9081
      leg "$kind" one-route http://127.0.0.1:9081/svc100/x "$n-routes" http://127.0.0.1:9082/svc100/x "$many" "Host: h0.example"
      echo "$kind: 1-route gateway peak RSS $(peak_rss_mb "$one") MB"
      stop_all_but_origin ;;
    *) echo "unknown leg $kind (plain tls h2 h2c routes10k routes100k)" >&2 ;;
  esac
done
