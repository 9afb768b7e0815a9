#!/usr/bin/env bash
# The TFTP server's throughput over loopback, for a file of an initrd's size (20 MB):
#   - curl in lock-step (one block in flight, as GRUB fetches) at blksize 1468 (the server's
#     default maximum: one Ethernet frame through QEMU's user-mode network) and at RFC 1350's 512
#     without options;
#   - atftp with RFC 7440's windowsize 16 at blksize 1468 (UEFI firmwares ask for windows);
# each next to tftpd-hpa's in.tftpd serving the same file on the same machine (the baseline) when
# it is installed (`apt-get install tftpd-hpa`, or its in.tftpd as TFTPD=path).
# The clients and the servers share the machine's cores: compare ratios, not absolute figures.
#
#   benchmarks/tftp.sh            (SIZE_MB=20 RUNS=5; TFTP_SERVE=path: that build of tftp-serve)
#
# Prints a table (best and median MB/s of RUNS; pxelab's CPU seconds per run) and writes
# benchmarks/results/tftp.tsv. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
serve=${TFTP_SERVE:-.build/release/tftp-serve}
[ -n "${TFTP_SERVE:-}" ] || swift build -c release --product tftp-serve >/dev/null
tftpd=${TFTPD:-/usr/sbin/in.tftpd}
size=$(( ${SIZE_MB:-20} * 1000000 ))
runs=${RUNS:-5}

work=$(mktemp -d /tmp/pxelab-tftp-bench.XXXXXX)
servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
# in.tftpd drops to nobody, who must read the file.
chmod 755 "$work"
mkdir -m 755 "$work/files"
head -c "$size" /dev/urandom > "$work/files/initrd.img"
chmod 644 "$work/files/initrd.img"

free_port() { python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

"$serve" "$work/files" > "$work/port" &
servers+=($!)
pxelab_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
pxelab_port=$(cat "$work/port")
if [ -x "$tftpd" ]; then
    tftpd_port=$(free_port)
    "$tftpd" --listen --foreground --secure --address "127.0.0.1:$tftpd_port" "$work/files" &
    servers+=($!)
    tftpd_pid=$!
    sleep 0.5
    kill -0 "$tftpd_pid" 2>/dev/null || { echo "$tftpd did not start: no baseline" >&2; unset tftpd_pid; }
fi

fetch() { # client port out
    case $1 in
        curl-1468) curl -sS --tftp-blksize 1468 -o "$3" "tftp://127.0.0.1:$2/initrd.img" ;;
        curl-512) curl -sS --tftp-no-options -o "$3" "tftp://127.0.0.1:$2/initrd.img" ;;
        atftp-window16) atftp --option "blksize 1468" --option "windowsize 16" -g -r initrd.img -l "$3" 127.0.0.1 "$2" >/dev/null ;;
    esac
}

measure() { # server pid port client
    local rates=() ticks start end before
    before=$(cpu_ticks "$2")
    for _ in $(seq 1 "$runs"); do
        rm -f "$work/out"
        start=$(date +%s%N)
        fetch "$4" "$3" "$work/out"
        end=$(date +%s%N)
        cmp -s "$work/out" "$work/files/initrd.img" || { echo "$1 $4: the file fetched differs" >&2; exit 1; }
        rates+=("$(awk -v bytes="$size" -v ns=$((end - start)) 'BEGIN { printf "%.1f", bytes / (ns / 1e9) / 1e6 }')")
    done
    ticks=$(( $(cpu_ticks "$2") - before ))
    # in.tftpd forks a process per transfer, whose CPU time its parent does not collect.
    [ "$1" = pxelab ] || ticks=-1
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$4" \
        "$(printf '%s\n' "${rates[@]}" | sort -g | tail -1)" \
        "$(printf '%s\n' "${rates[@]}" | sort -g | awk '{ r[NR] = $1 } END { print r[int((NR + 1) / 2)] }')" \
        "$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$runs" 'BEGIN { if (t < 0) print "-"; else printf "%.2f", t / hz / n }')"
}

mkdir -p benchmarks/results
{
    printf 'server\tclient\tbest MB/s\tmedian MB/s\tserver CPU s/run\n'
    for client in curl-1468 curl-512 atftp-window16; do
        measure pxelab "$pxelab_pid" "$pxelab_port" "$client"
        if [ -n "${tftpd_pid:-}" ]; then measure tftpd-hpa "$tftpd_pid" "$tftpd_port" "$client"; fi
    done
} | tee benchmarks/results/tftp.tsv | column -t -s $'\t'
