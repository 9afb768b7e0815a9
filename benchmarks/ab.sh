#!/usr/bin/env bash
# Two builds of pxelab compared the only way these noisy machines allow: interleaved (A B A B),
# the fleet and the endpoint measured by the same scripts `make bench` runs.
#
#   benchmarks/ab.sh A-pxelab B-pxelab [ROUNDS] [FLEET SIZES...]     (default: 3 rounds, 1000 10000)
#
# A and B are release binaries, for example a clone of the commit before a change, built with
# `swift build -c release --product pxelab`, and this tree's. Prints one line per run and writes
# benchmarks/results/ab-fleet.tsv and ab-endpoint.tsv. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh wrk nginx-light python3 curl
a=$(realpath "$1") b=$(realpath "$2")
rounds=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
mkdir -p benchmarks/results
printf 'round\tbuild\tdevices\tseconds\tpeak MiB\tCPU s\n' > benchmarks/results/ab-fleet.tsv
printf 'round\tbuild\ttarget\trequests/s\tp50 ms\tp99 ms\n' > benchmarks/results/ab-endpoint.tsv
for round in $(seq 1 "$rounds"); do
    for build in A B; do
        binary=$a; [ "$build" = B ] && binary=$b
        PXELAB=$binary benchmarks/fleet.sh "${sizes[@]}" >/dev/null
        tail -n +2 benchmarks/results/fleet.tsv | awk -F'\t' -v r="$round" -v b="$build" \
            '{ printf "%s\t%s\t%s\t%s\t%s\t%s\n", r, b, $1, $2, $4, $6 }' | tee -a benchmarks/results/ab-fleet.tsv
        PXELAB=$binary benchmarks/endpoint.sh >/dev/null
        tail -n +2 benchmarks/results/endpoint.tsv | awk -F'\t' -v r="$round" -v b="$build" \
            '{ printf "%s\t%s\t%s\t%s\t%s\t%s\n", r, b, $1, $2, $3, $4 }' | tee -a benchmarks/results/ab-endpoint.tsv
    done
done
