# Sourced by the bench scripts (after `shared` is set): stops every process in `pids` on exit,
# defines wait_port, and starts the shared nginx origin on :9100 that all variants proxy to.
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
[ -f /tmp/bench-16k.bin ] || head -c 16384 /dev/urandom > /tmp/bench-16k.bin
nginx -c "$shared/upstream-nginx.conf" & pids+=($!); wait_port 9100
