#!/usr/bin/env bash
# Times `tandem check` (parse + validate) on a generated config with 10,000 filter rules and
# 1,000 aliases; best of 3. Target: well under a second with a release build.
# Usage: bench/bench-parse.sh RELEASE_BIN_DIR
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 RELEASE_BIN_DIR" >&2
    exit 2
fi
BIN="$1/tandem"
RULES=${RULES:-10000}
ALIASES=${ALIASES:-1000}
TMP=$(mktemp -d /tmp/tandem-bench-parse.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
CONFIG="$TMP/config.xml"

bash "$(dirname "$0")/parse-config.sh" "$RULES" "$ALIASES" >"$CONFIG"
BYTES=$(wc -c <"$CONFIG")

# Must be valid, so the figure is for a full successful check.
if ! "$BIN" check "$CONFIG" >"$TMP/out"; then
    echo "generated config does not check clean:" >&2
    head -5 "$TMP/out" >&2
    exit 1
fi

best() {  # best-of-3 wall time in milliseconds of the given command
    local best_ns=""
    for _ in 1 2 3; do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        local ns=$((end - start))
        if [ -z "$best_ns" ] || [ "$ns" -lt "$best_ns" ]; then best_ns=$ns; fi
    done
    echo $((best_ns / 1000000))
}

MS=$(best "$BIN" check "$CONFIG")
echo "parse: tandem check, $RULES filter rules + $ALIASES aliases ($BYTES bytes): best of 3 = $MS ms"
if command -v xmllint >/dev/null 2>&1; then
    REF=$(best xmllint --noout "$CONFIG")
    echo "parse: xmllint --noout on the same file: best of 3 = $REF ms (ratio $(awk "BEGIN { printf \"%.1f\", $MS / ($REF > 0 ? $REF : 1) }"))"
fi
