# Shared by the side-by-side benchmarks against nginx (gzip-bench.sh, cache-bench.sh): the 16 KB JSON
# document and its nginx origin on :9102, port waits, one wrk run, the median of round ratios.
# Source it after setting: here, root, secs, conns, warm, accept; it sets pids and an EXIT trap.
for tool in wrk nginx python3; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
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
# run NAME PORT: warms up, then measures; prints the round's line to stderr and requests/s to stdout
run() {
  local name=$1 port=$2
  wrk -t1 -c"$conns" -d"${warm}s" -H "Accept-Encoding: $accept" "http://127.0.0.1:$port/doc.json" >/dev/null 2>&1
  local out; out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -H "Accept-Encoding: $accept" "http://127.0.0.1:$port/doc.json")
  local rps; rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  echo "round $round $name rps=$rps p50=$(awk '$1=="50%" {print $2}' <<<"$out") p99=$(awk '$1=="99%" {print $2}' <<<"$out") $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' \n' ' ')" >&2
  echo "$rps"
}
# median RATIO...: the median of the rounds' gateway/nginx ratios
median() {
  printf '%s\n' "$@" | sort -g | awk '{ r[NR] = $1 } END { m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2; printf "median of round ratios gateway/nginx = %.3f\n", m }'
}
