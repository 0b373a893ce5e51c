#!/usr/bin/env bash
# State-sync benchmark (run by bench/run.sh): Tandem's state sync against conntrackd (FTFW
# over UDP) on the same two-namespace topology in the same run (state-sync.md §6).
#
#   fw1 (master) sync0 203.0.113.1/30 ── veth ── sync0 203.0.113.2/30 fw2 (backup)
#   plus wan0/lan0 (veth pairs ending in the same namespace) carrying the example configs' addresses
#
# The load is injected into fw1's kernel table over ctnetlink (bench/sync-ct.py: established
# TCP entries, as conntrack -I makes them); what counts is fw2's kernel table. Measured per
# system, each phase from empty tables and freshly started daemons:
#   - sustained creations/s replicated with no loss: ladder of rates, 2 s each; a rate passes
#     when fw2 holds every entry within 1 s of the last creation
#   - latency creation on fw1 -> NEW event in fw2's table (500 entries/s for 10 s), p50/p99;
#     median over 3 runs (SYNC_BENCH_LATENCY_RUNS)
#   - bulk resync of 10k / 100k: fw2's daemon stopped, its table flushed, daemon started;
#     time until fw2's table holds all N again (daemon start included)
#   - daemons' RSS holding 100k entries
# conntrackd runs with DisableExternalCache (received states go straight into the kernel,
# as Tandem does) and StartupResync, else with the upstream example's FTFW settings.
# Usage: bench-sync.sh RELEASE_BIN_DIR
# (SYNC_BENCH_RATES="5000 10000 ..." overrides the ladder, SYNC_BENCH_SYSTEMS="tandem" the systems,
#  SYNC_BENCH_PHASES="latency" the measurements: latency throughput bulk)
set -euo pipefail
bin="$1/tandem"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ct="$here/sync-ct.py"
[ -x "$bin" ] || { echo "bench-sync: no tandem binary at $bin" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench-sync: skipped: needs root for network namespaces"; exit 0; }
RATES=${SYNC_BENCH_RATES:-"5000 10000 20000 40000 80000 120000"}
SYSTEMS=${SYNC_BENCH_SYSTEMS:-"tandem conntrackd"}
PHASES=${SYNC_BENCH_PHASES:-"latency throughput bulk"}

work=$(mktemp -d /tmp/tandem-bench-sync.XXXXXX)
P="tandem-bench-sync-$$"
declare -A pid=()
cleanup() {
    for n in 1 2; do stop_daemon "$n"; done
    for n in 1 2; do ip netns delete "$P-fw$n" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
in_ns() { local n=$1; shift; ip netns exec "$P-fw$n" "$@"; }
count() { in_ns "$1" conntrack -C 2>/dev/null || echo 0; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/${pid[$1]}/stat" 2>/dev/null || echo 0; }
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/${pid[$1]}/status" 2>/dev/null || echo -; }

topology() {
    local n
    for n in 1 2; do
        ip netns add "$P-fw$n"
        in_ns "$n" ip link set lo up
        in_ns "$n" ip link add wan0 type veth peer name wan0-end
        in_ns "$n" ip link add lan0 type veth peer name lan0-end
        in_ns "$n" ip address add "198.51.100.$((n + 1))/24" dev wan0
        in_ns "$n" ip address add "192.0.2.$((n + 1))/24" dev lan0
        in_ns "$n" ip link set wan0-end up
        in_ns "$n" ip link set wan0 up
        in_ns "$n" ip link set lan0-end up
        in_ns "$n" ip link set lan0 up
        # entries must raise events for both daemons (Tandem sets this itself as well)
        in_ns "$n" sysctl -qw net.netfilter.nf_conntrack_events=1
    done
    ip -n "$P-fw1" link add sync0 type veth peer name sync0 netns "$P-fw2"
    for n in 1 2; do
        in_ns "$n" ip address add "203.0.113.$n/30" dev sync0
        in_ns "$n" ip link set sync0 up
    done
}

# --- the two systems: start_X N, ready_X N, each started by PID and stopped by it ---------

system=""

start_tandem() {
    local n=$1 root="$work/tandem-fw$1" name
    name=$([ "$n" = 1 ] && echo primaryfw || echo secondaryfw)
    if [ ! -f "$root/etc/tandem/config.xml" ]; then
        install -d -m 0700 "$root/etc/tandem"
        install -m 0600 "$repo/etc/examples/$name.xml" "$root/etc/tandem/config.xml"
    fi
    # `ip netns exec` execs the command, so $! is the daemon itself (not through a shell
    # function, whose subshell would be $!)
    ip netns exec "$P-fw$n" "$bin" daemon --root "$root" --no-ruleset --log-level warning >>"$root/daemon.log" 2>&1 &
    pid[$n]=$!
}

ready_tandem() {   # the peer is up and no initial bulk is pending (bounded, 10 s)
    local n=$1 root="$work/tandem-fw$1"
    for _ in $(seq 100); do
        "$bin" status --root "$root" 2>/dev/null | grep -q "state sync on .*: peer up" && return 0
        kill -0 "${pid[$n]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench-sync: tandem on fw$n not synced with its peer; status and log:" >&2
    "$bin" status --root "$root" 2>&1 | tail -n 3 >&2 || true
    tail -n 5 "$root/daemon.log" >&2
    return 1
}

conntrackd_conf() {   # N: generated config (upstream doc/sync/ftfw example, injected at once)
    local n=$1 peer=$((3 - $1)) dir="$work/ctd-fw$1"
    mkdir -p "$dir"
    cat >"$dir/conntrackd.conf" <<EOF
Sync {
    Mode FTFW {
        DisableExternalCache On
        StartupResync On
    }
    UDP {
        IPv4_address 203.0.113.$n
        IPv4_Destination_Address 203.0.113.$peer
        Port 3780
        Interface sync0
        SndSocketBuffer 1249280
        RcvSocketBuffer 1249280
        Checksum on
    }
}
General {
    HashSize 32768
    HashLimit 524288
    LogFile $dir/conntrackd.log
    Syslog off
    LockFile $dir/lock
    UNIX {
        Path $dir/ctl
    }
    NetlinkBufferSize 2097152
    NetlinkBufferSizeMaxGrowth 8388608
}
EOF
    echo "$dir/conntrackd.conf"
}

start_conntrackd() {
    local n=$1 conf
    conf=$(conntrackd_conf "$n")
    rm -f "$work/ctd-fw$n/lock"
    ip netns exec "$P-fw$n" conntrackd -C "$conf" >>"$work/ctd-fw$n/stdout" 2>&1 &
    pid[$n]=$!
}

ready_conntrackd() {   # answers on its socket (bounded, 5 s), then one alive period for HELLO
    local n=$1
    for _ in $(seq 50); do
        if in_ns "$n" conntrackd -C "$work/ctd-fw$n/conntrackd.conf" -s >/dev/null 2>&1; then sleep 1; return 0; fi
        kill -0 "${pid[$n]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench-sync: conntrackd on fw$n did not come up:" >&2
    tail -n 5 "$work/ctd-fw$n/conntrackd.log" "$work/ctd-fw$n/stdout" >&2 2>/dev/null || true
    return 1
}

stop_daemon() {   # by its PID: SIGTERM, bounded wait (5 s), then SIGKILL
    local n=$1 p=${pid[$1]:-}
    [ -n "$p" ] || return 0
    if kill -0 "$p" 2>/dev/null; then
        kill -TERM "$p" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
    fi
    wait "$p" 2>/dev/null || true
    pid[$n]=""
}

fresh() {   # both daemons stopped, both tables empty, both daemons started and synced
    stop_daemon 2; stop_daemon 1
    in_ns 1 conntrack -F >/dev/null 2>&1 || true
    in_ns 2 conntrack -F >/dev/null 2>&1 || true
    "start_$system" 1; "start_$system" 2
    "ready_$system" 1 && "ready_$system" 2
}

# waits until fw2 holds at least $1 entries or $2 seconds pass; prints the seconds taken or "-"
wait_count() {
    local want=$1 limit=$2 t0 c
    t0=$(now)
    while :; do
        c=$(count 2)
        if [ "$c" -ge "$want" ]; then awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; return 0; fi
        if awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then echo -; return 0; fi
        sleep 0.01
    done
}

# --- the measurements -----------------------------------------------------------------------

declare -A R=()

# The median of N values ("-" if any is "-").
median() { printf '%s\n' "$@" | sort -g | awk '/^-$/ { bad = 1 } { v[NR] = $1 } END { if (bad || !NR) print "-"; else print v[int((NR + 1) / 2)] }'; }

# p99 over a few thousand samples on a 2-vCPU VM moves by a factor of 2-4 between draws, so
# each system gets LATENCY_RUNS runs from fresh daemons and the medians are reported.
LATENCY_RUNS=${SYNC_BENCH_LATENCY_RUNS:-3}
LATENCY_COUNT=5000   # at 500/s: 10 s per run
measure_latency() {
    local run p50s=() p99s=() cpu1s=() cpu2s=() p50 p99 missing
    for run in $(seq "$LATENCY_RUNS"); do
        fresh
        rm -f "$work/seen" "$work/created" "$work/listen.out"
        ip netns exec "$P-fw2" python3 "$ct" listen --out "$work/seen" --seconds $((LATENCY_COUNT / 500 + 3)) >"$work/listen.out" &
        local lp=$!
        for _ in $(seq 50); do grep -q listening "$work/listen.out" 2>/dev/null && break; sleep 0.1; done
        local cpu1 cpu2
        cpu1=$(cpu_ms 1) cpu2=$(cpu_ms 2)
        in_ns 1 python3 "$ct" inject --first 0 --count "$LATENCY_COUNT" --rate 500 --log "$work/created" >/dev/null
        cpu1=$(($(cpu_ms 1) - cpu1)) cpu2=$(($(cpu_ms 2) - cpu2))
        wait "$lp" || true
        read -r p50 p99 missing <<<"$(python3 "$ct" latency "$work/created" "$work/seen")"
        echo "  $system: latency run $run: p50 $p50 ms, p99 $p99 ms over $LATENCY_COUNT creations; CPU during the creations: master $cpu1 ms, backup $cpu2 ms"
        [ "$missing" = 0 ] || echo "  ($system: $missing of $LATENCY_COUNT latency samples never reached fw2 within the window)"
        p50s+=("$p50") p99s+=("$p99") cpu1s+=("$cpu1") cpu2s+=("$cpu2")
    done
    R[$system-p50]=$(median "${p50s[@]}") R[$system-p99]=$(median "${p99s[@]}")
    R[$system-cpu1]=$(median "${cpu1s[@]}") R[$system-cpu2]=$(median "${cpu2s[@]}")
}

# two injectors (one Python process tops out near 10-20k creations/s), disjoint tuple
# ranges, half the rate each; prints "creations-per-second failures"
inject_parallel() {
    local count=$1 rate=$2 k injectors=()
    for k in 0 1; do
        ip netns exec "$P-fw1" python3 "$ct" inject --first $((k * 5000000)) --count $((count / 2)) \
            --rate $((rate / 2)) >"$work/inject$k" 2>>"$work/inject.err" &
        injectors+=($!)
    done
    wait "${injectors[@]}" || true   # only these: the daemons are children too
    awk '{ n += $1; if ($2 > t) t = $2; f += $4 } END { printf "%.0f %d\n", n / t, f }' "$work/inject0" "$work/inject1"
}

measure_throughput() {
    local best=- lag=- rate achieved failures l
    for rate in $RATES; do
        fresh
        read -r achieved failures <<<"$(inject_parallel $((rate * 2)) "$rate")"
        l=$(wait_count $((rate * 2)) 1)
        echo "  $system: offered $rate/s, created $achieved/s, fw2 complete after ${l} s (fw2 holds $(count 2) of $((rate * 2)))"
        if [ "$l" = - ]; then   # lagging or lost? a further bounded wait tells
            local l2; l2=$(wait_count $((rate * 2)) 10)
            if [ "$l2" = - ]; then echo "    and still misses $((rate * 2 - $(count 2))) entries 10 s later"
            else echo "    and caught up $l2 s later"; fi
        fi
        [ "$l" != - ] && [ "$failures" = 0 ] || break
        # the highest rate that passed (an injector slowed by a busy machine may create
        # fewer per second at a higher offered rate)
        if [ "$best" = - ] || [ "$achieved" -gt "$best" ]; then best=$achieved lag=$l; fi
        # the injector's own ceiling: a higher offered rate would not be created any faster
        if awk -v a="$achieved" -v r="$rate" 'BEGIN { exit !(a < 0.9 * r) }'; then
            echo "  (injector limit reached)"; R[$system-bound]=yes; break
        fi
    done
    R[$system-rate]=$best R[$system-lag]=$lag
}

measure_bulk() {
    local n
    for n in 10000 100000; do
        fresh
        in_ns 1 python3 "$ct" inject --first 0 --count "$n" --rate 1000000 >/dev/null
        if [ "$(wait_count "$n" 60)" = - ]; then
            echo "  $system: fw2 never held all $n entries before the resync (it holds $(count 2))"
            R[$system-bulk$n]=-; continue
        fi
        if [ "$n" = 100000 ]; then R[$system-rss1]=$(rss_mib 1) R[$system-rss2]=$(rss_mib 2); fi
        stop_daemon 2
        in_ns 2 conntrack -F >/dev/null 2>&1 || true
        "start_$system" 2
        R[$system-bulk$n]=$(wait_count "$n" 60)
    done
}

run_system() {
    system=$1
    echo "-- $system"
    local phase
    for phase in $PHASES; do "measure_$phase"; done
    stop_daemon 2; stop_daemon 1
    in_ns 1 conntrack -F >/dev/null 2>&1 || true
    in_ns 2 conntrack -F >/dev/null 2>&1 || true
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

echo "== state sync: tandem vs conntrackd (FTFW/UDP), fw1 -> fw2 over a veth, kernel tables compared =="
topology
for s in $SYSTEMS; do
    case $s in
    tandem) run_system tandem ;;
    conntrackd)
        system=conntrackd
        if ! command -v conntrackd >/dev/null; then
            echo "bench-sync: conntrackd not measured: it is not installed"
        elif ! fresh >"$work/ctd-probe" 2>&1; then
            echo "bench-sync: conntrackd not measured: it did not start here: $(grep -v '^ *$' "$work/ctd-probe" | tail -n 1)"
        else
            run_system conntrackd
        fi
        stop_daemon 2; stop_daemon 1 ;;
    esac
done
for k in rate lag p50 p99 cpu1 cpu2 bulk10000 bulk100000 rss1 rss2; do
    R[tandem-$k]=${R[tandem-$k]:--} R[conntrackd-$k]=${R[conntrackd-$k]:--}
done

echo
printf '%-44s %11s %11s %9s\n' metric tandem conntrackd ratio
row() { printf '%-44s %11s %11s %9s\n' "$1" "${R[tandem-$2]}" "${R[conntrackd-$2]}" "$(ratio "${R[tandem-$2]}" "${R[conntrackd-$2]}")"; }
row "creations/s replicated with no loss" rate
row "  fw2 complete after the last creation (s)" lag
row "latency creation -> fw2 kernel, p50 (ms)" p50
row "latency creation -> fw2 kernel, p99 (ms)" p99
row "  CPU during those creations, master (ms)" cpu1
row "  CPU during those creations, backup (ms)" cpu2
row "bulk resync 10k states (s)" bulk10000
row "bulk resync 100k states (s)" bulk100000
row "RSS master at 100k states (MiB)" rss1
row "RSS backup at 100k states (MiB)" rss2
echo "(ratio = tandem / conntrackd; higher is better for creations/s, lower for the rest)"
echo "(latency and its CPU time: median of $LATENCY_RUNS runs of $LATENCY_COUNT creations at 500/s each)"
for s in tandem conntrackd; do
    [ "${R[$s-bound]:-}" = yes ] && echo "($s: creations/s is the load generator's ceiling here, not the sync's)"
done
exit 0
