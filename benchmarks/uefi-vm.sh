#!/usr/bin/env bash
# A Windows 11-class real VM (UEFI, Secure Boot, swtpm TPM 2.0: OVMF, shim, Debian's signed
# GRUB, the kernel and initramfs over the endpoint's TFTP) next to a legacy one (SeaBIOS, iPXE
# over HTTP, the same TPM), self-deploying side by side in one `pxelab run`, ROUNDS times. Per VM
# and round: seconds from the run's start to its check-in (the endpoint has its serial: iPXE's
# script request, GRUB's TFTP step), to the guest agent's first event, through TPM attestation
# (credential activation against swtpm's CA) and to business-ready; for the Secure Boot VM the
# time its TFTP transfers took (the endpoint's metrics); then each VM's remote Autopilot Reset through
# the admin API, a later boot (its variables and TPM state already made), both at once. Writes
# benchmarks/results/uefi-vm.tsv.
#
#   benchmarks/uefi-vm.sh [ROUNDS]        (default: 3)
#
# Needs libvirtd with the QEMU driver, OVMF, shim-signed, grub-efi-amd64-signed, swtpm and the
# guest image (make test-deps libvirtd images). Not a test: `make test` never runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
swift build --product pxelab >/dev/null
pxelab=${PXELAB:-.build/debug/pxelab}
work=$(mktemp -d /tmp/pxelab-bench-uefi.XXXXXX)
trap '[ -n "${run_pid:-}" ] && kill -INT "$run_pid" 2>/dev/null && wait "$run_pid"; rm -rf "$work"' EXIT
mkdir -p benchmarks/results
cat > "$work/lab.yaml" <<'LAB'
lab: bench-uefi
hosts: { qemu: qemu:///system }
timing: instant
tenant: { id: 6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13, domain: contoso.onmicrosoft.com, name: Contoso }
models:
  w11: { manufacturer: Contoso, product: Secure Laptop, memory: 512, firmware: uefi, secureBoot: true, tpm: "2.0" }
  legacy: { manufacturer: Contoso, product: Legacy Laptop, memory: 512, firmware: bios, tpm: "2.0" }
fleet:
  - { model: w11, name: bench-w11, serial: BENCHW11, groupTag: Kiosk }
  - { model: legacy, name: bench-bios, serial: BENCHBIOS, groupTag: Kiosk }
groups:
  - { name: Kiosk, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))' }
profiles:
  - { displayName: Kiosk, deviceNameTemplate: "KSK-%SERIAL%", outOfBoxExperienceSettings: { deviceUsageType: shared }, assignments: [Kiosk] }
LAB
printf 'round\tVM\tcheck-in s\tfirst event s\tattestation s\tbusiness-ready s\tTFTP step s\tTFTP vmlinuz s\tTFTP initrd s\treset s\n' \
    > benchmarks/results/uefi-vm.tsv
for round in $(seq 1 "$rounds"); do
    state="$work/state-$round"
    start=$(date +%s.%N)
    "$pxelab" run "$work/lab.yaml" --state-dir "$state" ${PXELAB_IMAGES:+--images "$PXELAB_IMAGES"} --json --keep > "$work/report-$round.json" 2> "$work/run-$round.err" &
    run_pid=$!
    # The check-in: the first time the admin API shows each VM booted, polled every 0.1 s.
    python3 benchmarks/checkin.py "$work/run-$round.err" "$state/bench-uefi/admin.token" "$start" 2 > "$work/checkin-$round" &
    checkin_pid=$!
    for _ in $(seq 1 6000); do grep -q "kept up" "$work/run-$round.err" && break; kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
    wait "$checkin_pid" || true
    grep -q "kept up" "$work/run-$round.err" || { cat "$work/run-$round.err"; exit 1; }
    port=$(grep -o '127.0.0.1:[0-9]*' "$work/run-$round.err" | head -1)
    curl -sf "http://$port/metrics" > "$work/metrics-$round"
    python3 - "$work/report-$round.json" "$round" "$start" "$state/bench-uefi/state.sqlite" "$work/checkin-$round" "$work/metrics-$round" \
        > "$work/rows-$round" <<'PY'
import json, re, sqlite3, sys, datetime
report, round_, start, db = json.load(open(sys.argv[1])), sys.argv[2], float(sys.argv[3]), sys.argv[4]
checkin, metrics = json.load(open(sys.argv[5])), open(sys.argv[6]).read()
assert all(d["result"] == "business-ready" for d in report["devices"]), report["devices"]
def seconds(text):
    return datetime.datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=datetime.timezone.utc).timestamp() - start
def tftp(kind):
    found = re.search(r'pxelab_tftp_transfer_duration_seconds_sum\{file="%s"\} ([0-9.e+-]+)' % re.escape(kind), metrics)
    return f"{float(found.group(1)):.2f}" if found else "-"
rows = sqlite3.connect(db).execute(
    "select device, min(receivedAt),"
    " min(case when step='securing-hardware' and status='started' then time end),"
    " max(case when step='securing-hardware' and status='completed' then time end),"
    " max(case when phase='desktop' and step='ready' and status='completed' then receivedAt end)"
    " from deviceEvent group by device order by device").fetchall()
for device, first, attesting, attested, ready in rows:
    attestation = seconds(attested) - seconds(attesting)
    kinds = ["step", "vmlinuz", "initrd.img"] if device == "bench-w11" else []
    times = [tftp(kind) for kind in kinds] or ["-", "-", "-"]
    print(f"{round_}\t{device}\t{checkin[device]:.1f}\t{seconds(first):.1f}\t{attestation:.2f}\t{seconds(ready):.1f}\t" + "\t".join(times))
PY
    # A later boot: a remote Autopilot Reset of each VM, side by side; the call answers when done.
    token=$(cat "$state/bench-uefi/admin.token")
    for vm in bench-w11 bench-bios; do
        ( begin=$(date +%s.%N)
          curl -sf -X POST "http://$port/api/v1/devices/$vm/flows/reset" -H "Authorization: Bearer $token" \
              -H 'Content-Type: application/json' -d '{"remote":"true"}' > /dev/null
          awk -v a="$begin" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }' > "$work/reset-$round-$vm" ) &
    done
    wait $(jobs -p | grep -v "^$run_pid$")
    while IFS=$'\t' read -r line; do
        vm=$(printf '%s' "$line" | cut -f2)
        printf '%s\t%s\n' "$line" "$(cat "$work/reset-$round-$vm")" >> benchmarks/results/uefi-vm.tsv
    done < "$work/rows-$round"
    kill -INT "$run_pid"
    wait "$run_pid" || true
    run_pid=
    "$pxelab" down "$work/lab.yaml" --state-dir "$state" >/dev/null
done
column -t -s $'\t' benchmarks/results/uefi-vm.tsv
