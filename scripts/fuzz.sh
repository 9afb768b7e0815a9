#!/usr/bin/env bash
# Builds the fuzzers (the package in Fuzz/, libFuzzer with AddressSanitizer) and runs each for a
# bounded time on a writable copy of its seed corpus. Exits non-zero on any finding (a crash, a
# sanitizer report, a timeout, running out of memory, or a known reproducer that still fails),
# printing where the reproducer is.
#
#   FUZZ_SECONDS   seconds per fuzzer (default 60)
#   FUZZERS        which fuzzers, space-separated (default: every Fuzz/Sources/Fuzz* but FuzzSupport)
#   FUZZ_CONFIG    release (default) or debug
#   SWIFT          the swift driver (default swift)
#
# Everything it writes is under .build-fuzz/ (ignored by git): the build, corpus/<fuzzer>/ (the
# seeds from Fuzz/Corpus/<fuzzer>/ plus what the fuzzer adds, kept between runs), artifacts/<fuzzer>/
# (reproducers) and logs/<fuzzer>.log (libFuzzer's output).
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_CONFIG=${FUZZ_CONFIG:-release}
FUZZERS=${FUZZERS:-$(cd Fuzz/Sources && ls -d Fuzz* | grep -vx FuzzSupport)}
SCRATCH=.build-fuzz

# --sanitize instruments the C code (Yams' libyaml) and links both runtimes; for Swift code it
# passes one -sanitize= flag per sanitizer, in no fixed order, and swiftc keeps only the last
# (coverage without ASan, or ASan without coverage). The combined flag, which comes last, gives both.
build=("$SWIFT" build -c "$FUZZ_CONFIG" --package-path Fuzz --scratch-path "$SCRATCH"
       --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)
echo "== building the fuzzers ($FUZZ_CONFIG, libFuzzer + AddressSanitizer)"
# ld.gold warns once per link about an ASan symbol it cannot export; that warning is harmless.
"${build[@]}" 2>&1 | { grep -v "Cannot export local symbol '__asan_extra_spill_area'" || true; }
bin=$("${build[@]}" --show-bin-path)

# libFuzzer and ASan report crashes and symbolize the stack; Swift's own backtracer would race them
# (its memory server trips ASan with a false report, or hangs).
export SWIFT_BACKTRACE=enable=no
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer || true)}
# Leaks that are the toolchain's, not pxelab's (each explained in the file).
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# What went wrong in a libFuzzer log, and the first frame in pxelab's own sources.
explain() {
    grep -m1 -E 'Fatal error|==ERROR|ERROR: libFuzzer|ParseDictionaryFile' "$1" | sed 's/^/  /' || true
    grep -E '/Sources/[^ ]+\.swift:[0-9]+' "$1" | grep -v '/Fuzz/Sources/' | head -1 | sed 's/^ */  at /' || true
}

failed=()
summary=()
for fuzzer in $FUZZERS; do
    exe="$bin/$fuzzer"
    [[ -x "$exe" ]] || { echo "error: no fuzzer $fuzzer at $exe" >&2; exit 2; }
    corpus="$SCRATCH/corpus/$fuzzer"
    artifacts="$SCRATCH/artifacts/$fuzzer"
    log="$SCRATCH/logs/$fuzzer.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    cp Fuzz/Corpus/"$fuzzer"/* "$corpus"/

    # Known reproducers (Fuzz/Findings/<fuzzer>/) first: each must now pass.
    shopt -s nullglob
    known=(Fuzz/Findings/"$fuzzer"/*)
    shopt -u nullglob
    for input in "${known[@]}"; do
        known_log="$SCRATCH/logs/$fuzzer.$(basename "$input").log"
        if ! "$exe" -timeout=10 -rss_limit_mb=2048 "$input" >"$known_log" 2>&1; then
            echo "FINDING $fuzzer: the known reproducer $input still fails (log: $known_log)"
            explain "$known_log"
            failed+=("$fuzzer: $input (known)")
        fi
    done

    echo "== $fuzzer: ${FUZZ_SECONDS}s on $corpus"
    started=$(date +%s)
    options=(-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/")
    [[ -f Fuzz/Dictionaries/$fuzzer.dict ]] && options+=(-dict=Fuzz/Dictionaries/"$fuzzer".dict)
    status=0
    "$exe" "$corpus" "${options[@]}" >"$log" 2>&1 || status=$?
    seconds=$(( $(date +%s) - started ))
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    files=$(find "$corpus" -type f | wc -l)
    bytes=$(du -sb "$corpus" | cut -f1)
    in_use=$(sed -n 's/.*DONE.* corp: \([0-9]*\)\/\([0-9A-Za-z]*\) .*/\1 units (\2)/p' "$log" | tail -1)
    line="$fuzzer: ${executions:-?} executions in ${seconds}s, corpus ${in_use:-?} in use, $files files ($bytes bytes) on disk"
    if grep -q "Is the code instrumented for coverage" "$log"; then
        echo "error: $fuzzer found no coverage: it was built without -sanitize=fuzzer (log: $log)" >&2
        exit 2
    fi
    if (( status != 0 )); then
        reproducer=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        echo "FINDING $line, exit status $status"
        explain "$log"
        echo "  reproducer: ${reproducer:-none written}; log: $log"
        echo "  replay: SWIFT_BACKTRACE=enable=no $exe ${reproducer:-<input>}"
        failed+=("$fuzzer: ${reproducer:-see $log}")
        line="$line FINDING"
    else
        echo "$line"
    fi
    summary+=("$line")
done

echo "== fuzz summary"
printf '  %s\n' "${summary[@]}"
if (( ${#failed[@]} > 0 )); then
    echo "${#failed[@]} finding(s):"
    printf '  %s\n' "${failed[@]}"
    exit 1
fi
echo "no findings"
