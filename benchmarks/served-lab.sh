# Sourced by the benchmarks that load a served lab next to nginx (endpoint.sh, graph.sh).
#
#   serve_lab DEVICES WAIT   a work folder (removed on exit, with every server started here),
#                            a lab of DEVICES from fleet-template.yaml brought up and served by
#                            `pxelab serve`, ready when /metrics answers (at most WAIT tenths of
#                            a second): sets work, lab, port, serve_pid
#   serve_static FILE        nginx serving $work/www on a free port until FILE answers: sets
#                            nginx_port
#   free_port                a free loopback port
pxelab=${PXELAB:-.build/release/pxelab}
[ -x "$pxelab" ] || swift build -c release --product pxelab >/dev/null

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cleanup() {
    [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null || true
    [ -f "${work:-}/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    [ -n "${work:-}" ] && rm -rf "$work"
}
trap cleanup EXIT

serve_lab() { # devices wait
    work=$(mktemp -d /tmp/pxelab-bench.XXXXXX)
    lab="$work/bench.yaml"
    sed "s/COUNT/$1/" benchmarks/fleet-template.yaml > "$lab"
    "$pxelab" up "$lab" --state-dir "$work/state" >/dev/null
    port=$(free_port)
    "$pxelab" serve --lab "$lab" --state-dir "$work/state" --port "$port" >"$work/serve.log" 2>&1 &
    serve_pid=$!
    chmod 755 "$work"
    for _ in $(seq 1 "$2"); do curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break; sleep 0.1; done
    mkdir -p "$work/www"
}

serve_static() { # file under $work/www
    nginx_port=$(free_port)
    cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
    nginx -c "$work/nginx.conf" -p "$work"
    for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$nginx_port/$1" >/dev/null && break; sleep 0.1; done
}
