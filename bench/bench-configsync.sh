#!/usr/bin/env bash
# Config sync of a large config (make bench), on the namespace lab (scripts/lab.sh): the
# lab's primary config with 10,000 more LAN pass rules (the rules of gen-nft-config.sh) is
# committed on primaryfw with `tandem apply`, and timed until primaryfw's daemon has pushed
# it and secondaryfw has applied it (restore_config_section answers after the secondary's
# commit and reload, which puts the ruleset in its kernel); against `tandem apply` of the
# same merged config on secondaryfw itself. Both start from the small config, so both are
# the same change of the kernel's ruleset. Best of 3, alternating. Target: ratio <= 2.
# Usage: bench-configsync.sh RELEASE_BIN_DIR
set -euo pipefail
dir=${1:?usage: bench-configsync.sh RELEASE_BIN_DIR}
BIN=$dir/tandem
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
RULES=${RULES:-10000}
ROUNDS=${ROUNDS:-3}
export TANDEM_LAB=tandem-benchcfg-$(printf '%04x' "$RANDOM")
P=$TANDEM_LAB
LAB="$REPO/scripts/lab.sh"
[ -x "$BIN" ] || { echo "bench-configsync: no tandem binary at $BIN" >&2; exit 2; }
if [ "$(id -u)" -ne 0 ] || ! ip netns add "$P-probe" 2>/dev/null; then
  echo "skipped: needs root and network namespaces"; exit 0
fi
ip netns delete "$P-probe"
work=$(mktemp -d /tmp/tandem-bench-cfgsync.XXXXXX)
trap 'bash "$LAB" down >/dev/null 2>&1; rm -rf "$work"' EXIT
bash "$LAB" up "$BIN" >/dev/null
FW1=/tmp/$P/fw1
FW2=/tmp/$P/fw2

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
min() { printf '%s\n' "$@" | sort -g | head -1; }

# Waits (bounded: 120 s) until fw1's last push is of the revision its config now holds,
# or a newer one; fails unless it was pushed. `tandem apply` itself waits 10 s at most.
wait_pushed() {
  python3 - "$FW1/etc/tandem/config.xml" "$FW1/var/lib/tandem/sync/last-push" <<'PY'
import re, sys, time
text = open(sys.argv[1]).read()
want = float(re.search(r"<revision>.*?<time>([^<]+)</time>", text, re.S).group(1))
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    try:
        fields = dict(l.split(": ", 1) for l in open(sys.argv[2]).read().splitlines() if ": " in l)
    except OSError:
        fields = {}
    if float(fields.get("revision-time", "0")) >= want and fields.get("result", "pending") != "pending":
        if fields["result"] != "pushed":
            sys.exit("push %s: %s" % (fields["result"], fields.get("error", "")))
        sys.exit(0)
    time.sleep(0.02)
sys.exit("no push of the new revision after 120 s")
PY
}

apply_in() {  # apply_in N FILE: tandem apply in fwN's namespace, output to $work/out
  ip netns exec "$P-fw$1" "$BIN" apply --root "/tmp/$P/fw$1" "$2" >"$work/out" 2>&1 \
    || { echo "bench-configsync: apply of $2 on fw$1 failed:" >&2; cat "$work/out" >&2; exit 1; }
}

cp "$FW1/etc/tandem/config.xml" "$work/small1.xml"
cp "$FW2/etc/tandem/config.xml" "$work/small2.xml"
awk -v n="$RULES" 'BEGIN {
    for (i = 0; i < n; i++) {
        printf "\t\t<rule><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
        printf "<source><address>192.0.2.%d</address></source>", i % 250 + 1
        printf "<destination><address>198.51.100.%d</address><port>%d</port></destination></rule>\n", int(i / 250) % 250 + 1, 1024 + i % 60000
    }
}' >"$work/rules"
python3 - "$work/small1.xml" "$work/rules" "$work/big1.xml" <<'PY'
import sys
text, rules = open(sys.argv[1]).read(), open(sys.argv[2]).read()
i = text.index("\t<filter>\n") + len("\t<filter>\n")
open(sys.argv[3], "w").write(text[:i] + rules + text[i:])
PY

pushed_runs=() local_runs=()
for round in $(seq "$ROUNDS"); do
  # The primary back to the small config (pushed: the secondary follows).
  apply_in 1 "$work/small1.xml"; wait_pushed
  t0=$EPOCHREALTIME
  apply_in 1 "$work/big1.xml"
  wait_pushed || { echo "bench-configsync: the push failed" >&2; exit 1; }
  t1=$EPOCHREALTIME
  pushed_runs+=("$(elapsed "$t0" "$t1")")
  if [ "$round" = 1 ]; then grep -E "^applied|^config pushed|push" "$work/out" | sed 's/^/  primaryfw: /' || true; fi
  # The secondary now holds the merged config: the same file applied there by hand, from
  # the small config as well.
  cp "$FW2/etc/tandem/config.xml" "$work/big2.xml"
  [ "$(grep -o "<rule>" "$work/big2.xml" | wc -l)" -gt "$RULES" ] \
    || { echo "bench-configsync: secondaryfw does not hold the $RULES rules after the push" >&2; exit 1; }
  apply_in 2 "$work/small2.xml"
  t0=$EPOCHREALTIME
  apply_in 2 "$work/big2.xml"
  t1=$EPOCHREALTIME
  local_runs+=("$(elapsed "$t0" "$t1")")
  if [ "$round" = 1 ]; then grep "^applied" "$work/out" | sed 's/^/  secondaryfw: /' || true; fi
done
rules2=$(grep -o "<rule>" "$work/big2.xml" | wc -l)
a=$(min "${pushed_runs[@]}") b=$(min "${local_runs[@]}")
echo "== config sync of a $RULES-rule commit: primary commit until the secondary applied it, against a local apply there (best of $ROUNDS) =="
printf '%-58s %8s s   (runs: %s)\n' "tandem apply on primaryfw, pushed, applied by secondaryfw" "$a" "${pushed_runs[*]}"
printf '%-58s %8s s   (runs: %s)\n' "tandem apply of the same config on secondaryfw" "$b" "${local_runs[*]}"
printf '%-58s %8s     (target <= 2; the secondary ended with %d rules)\n' "ratio" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')" "$rules2"
