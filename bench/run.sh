#!/usr/bin/env bash
# Runs every bench/bench-*.sh in order with the release binary directory (make bench).
set -euo pipefail
dir=${1:?usage: bench/run.sh RELEASE_BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
for b in "$here"/bench-*.sh; do
    echo "### $(basename "$b")"
    bash "$b" "$dir"
    echo
done
