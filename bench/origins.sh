# Sourced by bench scripts that need several origins: stops every process in `pids` on exit,
# defines wait_port and origin PORT (starts an nginx answering 200 "origin PORT" on
# 127.0.0.1:PORT as a child that can be killed, and prints its pid).
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
work=$(mktemp -d)
origin() {
  cat > "$work/origin-$1.conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $work/origin-$1.pid; error_log $work/origin-$1.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$1 reuseport; location / { return 200 "origin $1"; } } }
CONF
  nginx -c "$work/origin-$1.conf" >/dev/null 2>&1 & echo $!
}
