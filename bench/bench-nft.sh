#!/usr/bin/env bash
# nftables commit benchmark (run by bench/run.sh): `tandem apply` of generated configs
# against `nft -f` of the same ruleset rendered by `tandem render`, each in a fresh network
# namespace, best of 5 (3 at 50k), tandem and nft alternating so both meet the same load;
# then incremental applies (one rule, one alias entry, one rule added on top) in the 10k
# config against a full apply, best of 10, with rule groups off (the default) and on.
# Usage: bench-nft.sh RELEASE_BIN_DIR
# Targets: no slower than nft -f at 10k rules, faster at 50k; incremental under 5 % of full.
set -euo pipefail
bin="$1/tandem"
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$bin" ] || { echo "bench-nft: no tandem binary at $bin" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench-nft: skipped: needs root for network namespaces"; exit 0; }
work=$(mktemp -d /tmp/tandem-bench-nft.XXXXXX)
ns=""
cleanup() { if [ -n "$ns" ]; then ip netns delete "$ns" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

new_ns() { ns="tandem-bench-nft-$RANDOM$RANDOM"; ip netns add "$ns"; ip -n "$ns" link set lo up; }
drop_ns() { ip netns delete "$ns"; ns=""; }
# Times are read from bash's own clock ($EPOCHREALTIME): no `date` process (nor a subshell)
# starts inside a timed span, which would add a few ms to an apply of tens of ms.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
min() { printf '%s\n' "$@" | sort -g | head -1; }

# seconds for one command run inside namespace $ns, timed by a shell already in it: entering
# the namespace (`ip netns exec` unshares a mount namespace and remounts /sys, ~3.5 ms) is
# the harness's cost, not the tool's, and an admin on the firewall does not pay it. The
# command's output goes to $work/out.
timed_in() {
    # shellcheck disable=SC2016  # expanded by the inner shell
    ip netns exec "$ns" bash -c 't0=$EPOCHREALTIME; "$@" >"$OUT"; t1=$EPOCHREALTIME; echo "$t0 $t1"' \
        timed "$@" | { read -r t0 t1; elapsed "$t0" "$t1"; }
}
# the same in a fresh namespace (its creation not timed)
timed_fresh() {
    new_ns
    timed_in "$@"
    drop_ns
}
export OUT="$work/out"

# the "netlink" stage of `tandem apply -v` output in $work/out (plan, encode, commit)
netlink_time() { sed -n 's/.*netlink \([0-9.]*\) s.*/\1/p' "$work/out"; }

best_apply_and_nft() {   # config, rendered text, runs; prints "apply netlink nft" (best of each)
    local runs=() nl=() nft=()
    for i in $(seq "$3"); do
        rm -rf "$work/root"; mkdir -p "$work/root"
        runs+=("$(timed_fresh "$bin" apply -v "$1" --root "$work/root")")
        nl+=("$(netlink_time)")
        nft+=("$(timed_fresh nft -f "$2")")
    done
    echo "$(min "${runs[@]}") $(min "${nl[@]}") $(min "${nft[@]}")"
}

best_render() {
    local runs=() t0 t1
    for i in 1 2 3; do t0=$EPOCHREALTIME; "$bin" render "$1" >/dev/null 2>&1; t1=$EPOCHREALTIME; runs+=("$(elapsed "$t0" "$t1")"); done
    min "${runs[@]}"
}

echo "== nftables commit: tandem apply vs nft -f (fresh namespace each, best of 5, 3 at 50k) =="
printf '%-26s %9s %11s %9s %10s %12s %9s\n' workload "apply s" "netlink s" "nft -f s" "apply/nft" "netlink/nft" "render s"
declare -A full fullnl
for spec in "1k rules:1000:0:rules" "10k rules:10000:0:rules" "50k rules:50000:0:rules" "1k rules + 100k alias:1000:100000:rules" \
            "10k rules, rule groups on:10000:0:groups" "50k rules, rule groups on:50000:0:groups"; do
    IFS=: read -r label rules alias style <<<"$spec"
    cfg="$work/cfg-$rules-$alias-$style.xml"
    bash "$here/gen-nft-config.sh" "$rules" "$alias" base "$style" >"$cfg"
    "$bin" render "$cfg" >"$cfg.nft" 2>/dev/null
    read -r a l n <<<"$(best_apply_and_nft "$cfg" "$cfg.nft" "$([ "$rules" -ge 50000 ] && echo 3 || echo 5)")"; r=$(best_render "$cfg")
    full[$rules-$alias-$style]=$a; fullnl[$rules-$alias-$style]=$l
    printf '%-26s %9s %11s %9s %10s %12s %9s\n' "$label" "$a" "$l" "$n" \
        "$(awk -v a="$a" -v n="$n" 'BEGIN { printf "%.2f", a / n }')" "$(awk -v a="$l" -v n="$n" 'BEGIN { printf "%.2f", a / n }')" "$r"
done
echo "(apply = whole tandem apply: read, parse, validate, compile, plan, encode, commit, sysctls,"
echo " revision; netlink = its plan, encode and commit; render = parse + compile + print text)"


echo
echo "== incremental apply in the 10k-rule configs (best of 10) vs their full apply =="
printf '%-32s %9s %10s %11s %12s  %s\n' change "apply s" "% of full" "netlink s" "% of full nl" "messages (path)"
for spec in onerule:rules onealias:rules ontop:rules onerule:groups onealias:groups; do
    IFS=: read -r variant style <<<"$spec"
    base="$work/inc-base.xml" changed="$work/inc-$variant.xml"
    bash "$here/gen-nft-config.sh" 10000 0 base "$style" >"$base"
    bash "$here/gen-nft-config.sh" 10000 0 "$variant" "$style" >"$changed"
    rm -rf "$work/root"; mkdir -p "$work/root"
    new_ns
    ip netns exec "$ns" "$bin" apply "$base" --root "$work/root" >/dev/null
    runs=() nl=() msg=""
    for i in $(seq 10); do
        runs+=("$(timed_in "$bin" apply -v "$changed" --root "$work/root")"); nl+=("$(netlink_time)")
        msg=$(grep '^applied' "$work/out" | sed 's/^[^:]*: //; s/, generation.*//')
        path=$(sed -n 's/^edit of one item: \(.*\)/edit of \1/p' "$work/out"); msg="$msg (${path:-whole file})"
        ip netns exec "$ns" "$bin" apply "$base" --root "$work/root" >/dev/null
    done
    drop_ns
    t=$(min "${runs[@]}") l=$(min "${nl[@]}")
    case $variant in
        onerule) label="one rule changed" ;;
        onealias) label="one alias entry added" ;;
        *) label="one rule added on top" ;;
    esac
    label="$label ($style)"
    printf '%-32s %9s %9s%% %11s %11s%%  %s\n' "$label" "$t" "$(awk -v t="$t" -v f="${full[10000-0-$style]}" 'BEGIN { printf "%.1f", 100 * t / f }')" \
        "$l" "$(awk -v t="$l" -v f="${fullnl[10000-0-$style]}" 'BEGIN { printf "%.1f", 100 * t / f }')" "$msg"
done
