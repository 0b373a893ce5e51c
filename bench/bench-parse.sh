#!/usr/bin/env bash
# Times `tandem check` (parse + validate) and `tandem render` (+ compile + nft text) on a
# generated config with 10,000 filter rules and 1,000 aliases, and on issue #3's compact
# 50,000-rule config; best of 3. Target: well under a second with a release build.
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

# best-of-3 of the given command: "WALL_MS CPU_MS" (CPU = user + system), so the figure can be
# read on a loaded machine too.
best() {
    local best_wall="" best_cpu=""
    for _ in 1 2 3; do
        local out
        out=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1 | tail -1)
        local wall cpu
        wall=$(awk -v r="${out%% *}" 'BEGIN { printf "%d", r * 1000 }')
        cpu=$(echo "$out" | awk '{ printf "%d", ($2 + $3) * 1000 }')
        if [ -z "$best_wall" ] || [ "$wall" -lt "$best_wall" ]; then best_wall=$wall; fi
        if [ -z "$best_cpu" ] || [ "$cpu" -lt "$best_cpu" ]; then best_cpu=$cpu; fi
    done
    echo "$best_wall $best_cpu"
}

read -r MS CPU <<<"$(best "$BIN" check "$CONFIG")"
echo "parse: tandem check, $RULES filter rules + $ALIASES aliases ($BYTES bytes): best of 3 = $MS ms wall, $CPU ms CPU"
read -r MS CPU <<<"$(best "$BIN" render "$CONFIG")"
echo "parse: tandem render (check + compile + nft text), same file: best of 3 = $MS ms wall, $CPU ms CPU"

# The issue #3 workload: compact rules, one per line, each with its own addresses and port.
BIG=${BIG_RULES:-50000}
bash "$(dirname "$0")/gen-nft-config.sh" "$BIG" 0 >"$TMP/big.xml"
read -r MS CPU <<<"$(best "$BIN" check "$TMP/big.xml")"
echo "parse: tandem check, $BIG compact filter rules ($(wc -c <"$TMP/big.xml") bytes): best of 3 = $MS ms wall, $CPU ms CPU"
read -r MS CPU <<<"$(best "$BIN" render "$TMP/big.xml")"
echo "parse: tandem render, same file: best of 3 = $MS ms wall, $CPU ms CPU"
if command -v xmllint >/dev/null 2>&1; then
    read -r REF REFCPU <<<"$(best xmllint --noout "$CONFIG")"
    echo "parse: xmllint --noout on the same file: best of 3 = $REF ms wall, $REFCPU ms CPU"
fi
