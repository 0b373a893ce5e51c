#!/usr/bin/env bash
# Builds the libFuzzer harnesses (Fuzz/Package.swift) with -sanitize=fuzzer,address and runs
# each in turn for FUZZ_SECONDS (default 600), one process at a time, then prints executions,
# coverage and findings per harness. A harness that finds a crash stops there and its input
# is kept under .build-fuzz/findings/<harness>/; the run goes on with the next harness and
# the script exits 1 at the end.
#   FUZZ_SECONDS=30 make fuzz                     a smoke run
#   FUZZ_HARNESSES="carp-node sync-core" make fuzz   a subset
#   FUZZ_RUNS=0 make fuzz                         each harness over its seed corpus only
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${FUZZ_SECONDS:-600}
ALL="carp-decode carp-node sync-codec sync-core config control xmlrpc auth"
HARNESSES=${FUZZ_HARNESSES:-$ALL}
SCRATCH=$ROOT/.build-fuzz
mkdir -p "$SCRATCH"
SWIFT=${SWIFT:-swift}

# Every Swift module is instrumented (the library code is what is under test); -enable-testing
# lets a harness reach a decoder that is internal to its module, as the unit tests do.
#   FUZZ_BIN=DIR runs harnesses built before (no build), e.g. a copy while the tree rebuilds.
BIN=${FUZZ_BIN:-$SCRATCH/release}
if [ -z "${FUZZ_BIN:-}" ]; then
echo "fuzz: building the harnesses (first build takes several minutes)"
if ! (cd Fuzz && nice -n 10 "$SWIFT" build -c release --scratch-path "$SCRATCH" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing > "$SCRATCH/build.log" 2>&1); then
    grep -E "error:" "$SCRATCH/build.log" | head -20
    echo "fuzz: build failed, see $SCRATCH/build.log"
    exit 2
fi
fi

max_len() {
    case $1 in
        carp-decode) echo 128 ;; carp-node|sync-core) echo 1024 ;; sync-codec) echo 2048 ;;
        control) echo 4200 ;; auth) echo 512 ;; xmlrpc) echo 8192 ;; config) echo 16384 ;; *) echo 4096 ;;
    esac
}

dictionary() {
    case $1 in
        config) echo "-dict=$ROOT/Fuzz/Dictionaries/config.dict" ;;
        xmlrpc) echo "-dict=$ROOT/Fuzz/Dictionaries/xmlrpc.dict" ;;
        control) echo "-dict=$ROOT/Fuzz/Dictionaries/control.dict" ;;
        auth) echo "-dict=$ROOT/Fuzz/Dictionaries/auth.dict" ;;
    esac
}

summary=()
failed=0
for h in $HARNESSES; do
    exe=$BIN/fuzz-$h
    [ -x "$exe" ] || { echo "fuzz: no harness $h"; failed=1; continue; }
    work=$SCRATCH/corpus/$h findings=$SCRATCH/findings/$h log=$SCRATCH/logs/$h.log
    mkdir -p "$work" "$findings" "$(dirname "$log")"
    if [ "${FUZZ_RUNS:-}" = 0 ]; then
        limits=(-runs=0)
    else
        limits=(-max_total_time="$SECONDS_EACH")
    fi
    echo "fuzz: $h for ${SECONDS_EACH}s (log: $log)"
    # SWIFT_BACKTRACE=enable=no: the Swift runtime's crash backtracer and AddressSanitizer's
    # handler both take the signal; with both, a crash can hang instead of being written out.
    # New inputs go to the scratch corpus; the committed seeds (Fuzz/Corpus) are only read.
    # One process, in process (no -jobs: libFuzzer would fork a child logging to ./fuzz-N.log).
    SWIFT_BACKTRACE=enable=no nice -n 10 "$exe" "${limits[@]}" \
        -max_len="$(max_len "$h")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/" $(dictionary "$h") \
        "$work" "$ROOT/Fuzz/Corpus/$h" > "$log" 2>&1
    status=$?
    execs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    rate=$(grep -oE '^stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    if [ -z "$execs" ]; then execs=$(echo "$last" | grep -oE '^#[0-9]+' | tr -d '#'); fi
    cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+')
    ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+')
    crashes=$(find "$findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    line="$h: ${execs:-0} executions (${rate:-?}/s), cov ${cov:-?} ft ${ft:-?}, findings $crashes, exit $status"
    if [ "$status" != 0 ] || [ "$crashes" != 0 ]; then
        failed=1
        why=$(grep -m1 -E 'Fatal error|ERROR: (AddressSanitizer|libFuzzer)' "$log" || true)
        line="$line — ${why:-see $log}"
    fi
    echo "fuzz: $line"
    summary+=("$line")
done

echo "fuzz: summary (${SECONDS_EACH}s each)"
for line in "${summary[@]}"; do echo "  $line"; done
if [ "$failed" != 0 ]; then
    echo "fuzz: findings under $SCRATCH/findings; reproduce one with SWIFT_BACKTRACE=enable=no $BIN/fuzz-<harness> <file>"
    exit 1
fi
