# Sourced by the benchmarks that load a served lab next to nginx (endpoint.sh, graph.sh).
#
#   serve_lab DEVICES WAIT   a work folder (removed on exit, with every server started here),
#                            a lab of DEVICES from fleet-template.yaml brought up and served by
#                            `pxelab serve`, ready when /metrics answers (at most WAIT tenths of
#                            a second): sets work, lab, port, serve_pid
#   serve_static FILE [CERT KEY CA]
#                            nginx serving $work/www on a free port until FILE answers, over
#                            HTTPS with CERT and KEY when given (CA verifies it): sets nginx_port
#   wrk_row LABEL            a table row (label, requests/s, p50 and p99 ms, non-2xx) from wrk's
#                            output in $work/LABEL.out
#   free_port                a free loopback port
#   also_stop+=(PID)         another server of the benchmark's, stopped (and waited for) on exit
pxelab=${PXELAB:-.build/release/pxelab}
[ -x "$pxelab" ] || swift build -c release --product pxelab >/dev/null

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

also_stop=()
cleanup() {
    # The servers are waited for: they write their state folders until they have stopped.
    for pid in ${serve_pid:-} "${also_stop[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
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

serve_static() { # file under $work/www [certificate key ca]
    nginx_port=$(free_port)
    local listen="listen 127.0.0.1:$nginx_port;" scheme=http verify=()
    if [ -n "${2:-}" ]; then
        listen="listen 127.0.0.1:$nginx_port ssl; ssl_certificate $2; ssl_certificate_key $3;"
        scheme=https verify=(--cacert "$4")
    fi
    cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    server { $listen root $work/www; }
}
CONF
    nginx -c "$work/nginx.conf" -p "$work"
    for _ in $(seq 1 50); do curl -sf "${verify[@]}" "$scheme://127.0.0.1:$nginx_port/$1" >/dev/null && break; sleep 0.1; done
}

wrk_row() { # label
    python3 - "$work/$1.out" "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(*re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)", text, re.M).groups())
p99 = ms(*re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", text, re.M).groups())
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{sys.argv[2]}\t{rate:.0f}\t{p50:.2f}\t{p99:.2f}\t{bad.group(1) if bad else 0}")
PY
}
