#!/usr/bin/env bash
# `make bench`: every benchmark, each figure next to a baseline measured in the same run on the
# same machine. Installs what it needs (wrk, nginx, python3) from Debian's packages and the Graph
# SDKs into .build-clients/venv; real VMs need libvirtd and the guest image (make bench does
# test-deps, libvirtd and images first).
# Results go to benchmarks/results/ (ignored by git); benchmarks/RESULTS.md records a run.
#
#   FLEET_SIZES="100 1000 10000" VMS="1 4" benchmarks/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh wrk nginx-light python3 curl atftp libwrap0
swift build -c release --product pxelab >/dev/null
echo "== fleet throughput (virtual devices, release build)"
# shellcheck disable=SC2086
benchmarks/fleet.sh ${FLEET_SIZES:-100 1000 10000}
python3 benchmarks/plot.py benchmarks/results/fleet.tsv benchmarks/results/scaling.svg
echo "== boot endpoint, next to nginx"
benchmarks/endpoint.sh
# A deployment at instant timing makes 10 requests (benchmarks/wrk/device-mix.lua replays them).
requests_per_device=10
echo "== fleet against the endpoint's own capacity for the same request mix ($requests_per_device requests per device)"
awk -F'\t' -v per="$requests_per_device" 'FNR == 1 { next } FILENAME ~ /endpoint/ && $1 == "deployment-mix" { mix = $2 }
    FILENAME ~ /fleet/ { rate[$1] = $3 * per }
    END { for (n in rate) printf "%6d devices: %6.0f requests/s, %3.0f %% of the endpoint alone (%d requests/s)\n", n, rate[n], 100 * rate[n] / mix, mix }' \
    benchmarks/results/endpoint.tsv benchmarks/results/fleet.tsv | sort -n
echo "== the Graph door: a page next to nginx, the SDK's page iterator, the bulk import"
benchmarks/graph.sh
echo "== the Redfish service: a system over HTTPS next to nginx"
benchmarks/redfish.sh
echo "== controller overhead"
benchmarks/controller.sh
echo "== real VMs (QEMU, software emulation)"
# shellcheck disable=SC2086
benchmarks/real-vm.sh ${VMS:-1 4}
echo "== the TFTP server over loopback, next to tftpd-hpa"
# tftpd-hpa's in.tftpd as the baseline, unpacked rather than installed (the package sets up a service).
tftpd=/usr/sbin/in.tftpd
if [ ! -x "$tftpd" ]; then
    mkdir -p .build-clients/tftpd
    (cd .build-clients/tftpd && { ls tftpd-hpa_*.deb >/dev/null 2>&1 || apt-get download -qq tftpd-hpa; } && dpkg -x tftpd-hpa_*.deb root)
    tftpd=.build-clients/tftpd/root/usr/sbin/in.tftpd
fi
TFTPD=$tftpd benchmarks/tftp.sh
echo "== a UEFI Secure Boot + vTPM VM next to a BIOS VM, self-deploying side by side"
benchmarks/uefi-vm.sh "${UEFI_ROUNDS:-3}"
echo "== a second libvirt host (network namespace, qemu+tcp) against the local daemon"
benchmarks/multi-host.sh "${HOST_ROUNDS:-3}"
