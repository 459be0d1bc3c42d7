#!/usr/bin/env bash
# A soak, not part of CI. For SECONDS (default 1800) wrk loads a route over three origins behind
# health checks, on a gateway reading etcd (a real 3-member cluster) with the Admin API on, while:
#   every 5 s   an Admin API write (a route created, or deleted again; 50 in rotation)
#   every 20 s  the watched config file changes its listeners (a second listener added / removed)
#   every 40 s  the request-id plugin's jar, used by the loaded route, is replaced on disk
#   every 100 s an etcd member is stopped, and started again 10 s later
#   every 60 s  an origin is killed, and started again 10 s later
#   every 120 s jcmd GC.run: a full collection, whose "after" is the live heap
#   UPGRADES (default 5) times, from 60% of the run on (so that the first process lives long
#   enough for a heap trend): `--upgrade` replaces the gateway process
# Each gateway process logs its GC (-Xlog:gc). At the end: requests, failures (non-2xx and socket
# errors), Admin API write failures, each process's exit code, and for each process the slope of
# its live heap (after the full collections) and of its heap after every pause, least squares
# over the time after its first 60 s.
# Usage: bench/soak.sh [SECONDS] [CONNECTIONS]   (needs wrk, nginx, etcd)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
secs=${1:-1800}; conns=${2:-64}; upgrades=${UPGRADES:-5}
for tool in wrk nginx etcd curl python3; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
[ -f "$root/gateway-core/target/tidegate.jar" ] || mvn -q -f "$root/pom.xml" -DskipTests package >&2
source "$here/origins.sh"
echo "soak work folder: $work" >&2
for port in 9101 9102 9103; do pids+=("$(origin $port)"); wait_port $port; done

# --- etcd: three members on fixed loopback ports
cluster="e1=http://127.0.0.1:22380,e2=http://127.0.0.1:22480,e3=http://127.0.0.1:22580"
etcd_member() { # $1: 1..3
  local n=$1 client=$((22279 + 100 * $1)) peer=$((22280 + 100 * $1))
  etcd --name "e$n" --data-dir "$work/etcd-$n" --listen-client-urls "http://127.0.0.1:$client" \
       --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
       --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "$cluster" \
       --initial-cluster-state new --heartbeat-interval 100 --election-timeout 1000 \
       >>"$work/etcd-$n.log" 2>&1 & echo $!
}
declare -A etcd_pid
for n in 1 2 3; do etcd_pid[$n]=$(etcd_member $n); pids+=("${etcd_pid[$n]}"); done
for n in 1 2 3; do wait_port $((22279 + 100 * n)); done

# --- the gateway: plugins from a copy of plugins-dist, so that jars can be replaced
mkdir -p "$work/plugins"; cp "$root"/plugins-dist/*.jar "$work/plugins/"
listeners() { # $1: 1 or 2 listeners
  {
    echo 'tidegate:'
    echo '  listeners:'
    echo '    - address: 127.0.0.1:9080'
    [ "$1" = 2 ] && echo '    - address: 127.0.0.1:9081'
    echo '  etcd: { endpoints: ["http://127.0.0.1:22379", "http://127.0.0.1:22479", "http://127.0.0.1:22579"], prefix: /soak }'
    echo '  admin: { address: 127.0.0.1:9180, api_key: soak-admin-key }'
    echo "  plugins_dir: $work/plugins"
    echo '  upgrade_sock: run/upgrade.sock'
    echo '  pid_file: run/tidegate.pid'
    echo '  shutdown_grace: 30'
  } > "$work/config.tmp" && mv "$work/config.tmp" "$work/config.yaml"
}
listeners 1
gateways=()
start_gateway() { # $@: extra arguments. A child of this shell (not of a $(...) subshell), so that its exit code can be waited for
  java -Xmx512m "-Xlog:gc:file=$work/gc-%p.log:uptime" -jar "$root/gateway-core/target/tidegate.jar" \
       -c "$work/config.yaml" "$@" >>"$work/gateway.log" 2>&1 &
  gateways+=("$!"); pids+=("$!")
}
start_gateway
wait_port 9180
admin() { # method path [body]: prints the status code
  curl -s -o /dev/null -w '%{http_code}' -X "$1" -H 'X-API-KEY: soak-admin-key' \
       ${3:+-H 'Content-Type: application/json' -d "$3"} "http://127.0.0.1:9180/apisix/admin$2"
}
admin PUT /upstreams/origins '{"nodes":{"127.0.0.1:9101":1,"127.0.0.1:9102":1,"127.0.0.1:9103":1},"type":"roundrobin",
  "checks":{"active":{"http_path":"/","healthy":{"interval":1,"successes":2},"unhealthy":{"interval":1,"tcp_failures":2}}}}' >/dev/null
admin PUT /routes/main '{"uri":"/*","upstream_id":"origins","plugins":{"request-id":{}}}' >/dev/null
for _ in $(seq 1 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9080/)" = 200 ] && break; sleep 0.1; done

wrk -t1 -c"$conns" -d"${secs}s" --latency http://127.0.0.1:9080/ >"$work/wrk.txt" & load=$!
start=$(date +%s); writes=0; write_failures=0; listener_changes=0; jar_swaps=0; member_restarts=0; origin_restarts=0; done_upgrades=0
victim=${pids[2]}; stopped_member=""; member_back_at=0; origin_back_at=0; next=1
while kill -0 $load 2>/dev/null; do
  now=$(( $(date +%s) - start ))
  # Admin API: create route n, or delete it when it exists (every other round)
  n=$(( writes % 50 )); if [ $(( writes / 50 % 2 )) = 0 ]; then
    code=$(admin PUT "/routes/churn-$n" "{\"uri\":\"/churn/$n\",\"upstream_id\":\"origins\"}")
  else code=$(admin DELETE "/routes/churn-$n"); fi
  writes=$((writes + 1)); case $code in 2*) ;; *) write_failures=$((write_failures + 1)); echo "admin write $writes: $code" >&2 ;; esac
  if [ $(( now / 20 )) -ge "$next" ]; then
    next=$(( now / 20 + 1 ))
    listeners $(( listener_changes % 2 == 0 ? 2 : 1 )); listener_changes=$((listener_changes + 1))
    if [ $(( listener_changes % 2 )) = 0 ]; then  # every 40 s
      jar=$(ls "$work"/plugins/request-id-*.jar); cp "$jar" "$work/plugins/.swap" && touch "$work/plugins/.swap" \
        && mv "$work/plugins/.swap" "$jar"; jar_swaps=$((jar_swaps + 1))
    fi
  fi
  if [ -z "$stopped_member" ] && [ $(( now % 100 )) -lt 5 ] && [ "$now" -ge 50 ]; then
    stopped_member=$(( member_restarts % 3 + 1 )); kill "${etcd_pid[$stopped_member]}"; member_back_at=$((now + 10))
  elif [ -n "$stopped_member" ] && [ "$now" -ge "$member_back_at" ]; then
    etcd_pid[$stopped_member]=$(etcd_member "$stopped_member"); pids+=("${etcd_pid[$stopped_member]}")
    stopped_member=""; member_restarts=$((member_restarts + 1))
  fi
  if [ -n "$victim" ] && [ $(( now % 60 )) -lt 5 ] && [ "$now" -ge 55 ]; then
    kill -9 "$victim"; victim=""; origin_back_at=$((now + 10))
  elif [ -z "$victim" ] && [ "$now" -ge "$origin_back_at" ]; then
    victim=$(origin 9103); pids+=("$victim"); origin_restarts=$((origin_restarts + 1))
  fi
  if [ $(( now / 120 )) -gt "${full_gcs:-0}" ]; then
    full_gcs=$(( now / 120 )); jcmd "${gateways[-1]}" GC.run >/dev/null 2>&1 || true
  fi
  if [ "$done_upgrades" -lt "$upgrades" ] && [ "$now" -ge $(( secs * (60 + done_upgrades * 40 / upgrades) / 100 )) ]; then
    start_gateway --upgrade; done_upgrades=$((done_upgrades + 1))
  fi
  sleep 5
done
wait $load || true
exits=""
for g in "${gateways[@]:0:${#gateways[@]}-1}"; do code=0; wait "$g" || code=$?; exits+="$g:$code "; done
cat "$work/wrk.txt"
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); non2xx=${non2xx:-0}
socket=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' "$work/wrk.txt"); socket=${socket:-0}
echo "soak ${secs}s: requests=$requests failed=$((non2xx + socket)) (non-2xx $non2xx, socket errors $socket)" \
     "p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")"
echo "admin writes=$writes failed=$write_failures; listener changes=$listener_changes; plugin jar swaps=$jar_swaps;" \
     "etcd member restarts=$member_restarts; origin restarts=$origin_restarts; upgrades=$done_upgrades"
echo "replaced gateways' exit codes (pid:code): $exits"
python3 - "$work" <<'PY'
import glob, re, sys
pause = re.compile(r'^\[([\d.]+)s\].*(Pause \w+).*?(\d+)M->(\d+)M\((\d+)M\)')
def trend(points):
    late = [(t, h) for t, h in points if t >= 60]
    if len(late) < 3:
        return f"{len(late)} samples after 60 s, too few for a slope"
    n = len(late); mt = sum(t for t, _ in late) / n; mh = sum(h for _, h in late) / n
    slope = sum((t - mt) * (h - mh) for t, h in late) / sum((t - mt) ** 2 for t, _ in late)
    return (f"{n} samples over {(late[-1][0] - late[0][0]) / 60:.1f} min, {min(h for _, h in late)}-{max(h for _, h in late)} MB,"
            f" slope {slope * 60:+.3f} MB/min")
for path in sorted(glob.glob(sys.argv[1] + '/gc-*.log')):
    rows = [(float(m.group(1)), m.group(2), int(m.group(4))) for m in map(pause.match, open(path)) if m]
    print(f"{path.rsplit('/', 1)[1]}: live heap (after full GC): {trend([(t, h) for t, kind, h in rows if kind == 'Pause Full'])}")
    print(f"{' ' * len(path.rsplit('/', 1)[1])}  heap after every pause:    {trend([(t, h) for t, _, h in rows])}")
PY
