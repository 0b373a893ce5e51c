#!/usr/bin/env bash
# CARP failover against keepalived (VRRPv3) on the lab topology (scripts/lab.sh: client —
# two firewalls — upstream). For each setting it measures what the client sees with a 10 ms
# ping to the upstream host (bounded count): the longest gap between replies and the pings
# lost, when the master is stopped (SIGTERM: Tandem bows out, keepalived sends priority 0)
# and when it crashes (kill -9 and its links down); and the spurious transitions during
# HEALTHY_SECONDS (default 60) of healthy operation. Prints one table with the ratios.
#
# usage: bench/bench-carp.sh RELEASE_BIN_DIR
set -euo pipefail
BIN="${1:?usage: bench/bench-carp.sh RELEASE_BIN_DIR}/tandem"
HERE=$(cd "$(dirname "$0")" && pwd)
LAB="$HERE/../scripts/lab.sh"
HEALTHY_SECONDS=${HEALTHY_SECONDS:-60}
export TANDEM_LAB=tandem-bench-$(printf '%04x' "$RANDOM")
P=$TANDEM_LAB
CLIENT="$P-client"
UPSTREAM=198.51.100.254

if [ "$(id -u)" -ne 0 ]; then echo "skipped CARP benchmark: not running as root"; exit 0; fi
if ! ip netns add "$P-probe" 2>/dev/null; then echo "skipped CARP benchmark: cannot create network namespaces"; exit 0; fi
ip netns delete "$P-probe"
[ -x "$BIN" ] || { echo "bench-carp: $BIN is not an executable" >&2; exit 2; }

KA_DIR=$(mktemp -d /tmp/tandem-bench-carp.XXXXXX)
# shellcheck source=bench/carp-keepalived.sh
. "$HERE/carp-keepalived.sh"
cleanup() {
  ka_stop 1 KILL 2>/dev/null || true
  ka_stop 2 KILL 2>/dev/null || true
  bash "$LAB" down >/dev/null 2>&1 || true
  rm -rf "$KA_DIR"
}
trap cleanup EXIT

log() { printf '[bench-carp] %s\n' "$*" >&2; }
quiet() { "$@" >/dev/null 2>&1; }

# until_ok SECONDS COMMAND...: retries every 50 ms, bounded.
until_ok() {
  local seconds=$1; shift
  local _
  for _ in $(seq $((seconds * 20))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}

# measure COUNT COMMAND...: a 10 ms ping of COUNT packets from the client; COMMAND runs 1 s
# in. Prints "GAP_MS LOST SENT" (bench/carp-gap.py).
measure() {
  local count=$1; shift
  local out="$KA_DIR/ping.txt"
  # Bounded in time too: SIGINT after 3 × the nominal duration + 5 s (ping then still
  # prints its summary).
  ip netns exec "$CLIENT" timeout -s INT $((count * 3 / 100 + 5)) \
    ping -D -n -i 0.01 -W 1 -c "$count" "$UPSTREAM" >"$out" 2>&1 &
  local ping_pid=$!
  sleep 1
  "$@" >/dev/null 2>&1 || true
  wait "$ping_pid" || true
  python3 "$HERE/carp-gap.py" "$out"
}

declare -A R  # R[impl/setting/what] = "GAP_MS LOST SENT" or a transition count

# ---- Tandem ----------------------------------------------------------------------------
t_all() { [ "$(bash "$LAB" states "$1" "$BIN" | awk '{print $2}' | sort -u)" = "$2" ]; }
t_transitions() { grep -c '@[a-z0-9]*: [A-Z]* -> [A-Z]*' "/tmp/$P/fw$1/daemon.log" 2>/dev/null || true; }
t_settled() { until_ok 15 t_all 1 MASTER && until_ok 5 t_all 2 BACKUP; }

# tandem_round SETTING: fw1 MASTER and fw2 BACKUP on entry and on return.
tandem_round() {
  local s=$1 before after
  before=$(( $(t_transitions 1) + $(t_transitions 2) ))
  log "tandem $s: ${HEALTHY_SECONDS}s healthy"
  sleep "$HEALTHY_SECONDS"
  after=$(( $(t_transitions 1) + $(t_transitions 2) ))
  R[tandem/$s/spurious]=$((after - before))

  log "tandem $s: SIGTERM to the master"
  R[tandem/$s/term]=$(measure 500 bash "$LAB" stop 1 TERM)
  until_ok 5 t_all 2 MASTER || log "fw2 did not become MASTER"
  quiet bash "$LAB" start 1 "$BIN"; t_settled

  log "tandem $s: kill -9 and links down"
  R[tandem/$s/kill]=$(measure 800 bash "$LAB" crash 1)
  until_ok 6 t_all 2 MASTER || log "fw2 did not become MASTER"
  quiet bash "$LAB" links 1 up
  quiet bash "$LAB" start 1 "$BIN"; t_settled
}

log "lab $P up with $BIN"
quiet bash "$LAB" up "$BIN"
t_settled
tandem_round adv1

# Sub-second mode: advbase 0 with advskew 26 / 52 (intervals 0.10 / 0.20 s, master down on
# the backup 3 × 52/256 = 0.61 s), enabled by Tandem's <tandem><carp_subsecond/> opt-in.
SUBSECOND_NOTE=""
quiet bash "$LAB" stop 1 TERM; quiet bash "$LAB" stop 2 TERM
for n in 1 2; do
  cfg="/tmp/$P/fw$n/etc/tandem/config.xml"
  cp "$cfg" "$cfg.adv1"
  sed -i -e 's|<advbase>1</advbase>|<advbase>0</advbase>|' \
         -e "s|<advskew>0</advskew>|<advskew>26</advskew>|; s|<advskew>100</advskew>|<advskew>52</advskew>|" \
         -e 's|</pfsense>|\t<tandem><carp_subsecond/></tandem>\n</pfsense>|' "$cfg"
done
if quiet bash "$LAB" start 1 "$BIN" && quiet bash "$LAB" start 2 "$BIN" && t_settled; then
  tandem_round sub
else
  SUBSECOND_NOTE=$(grep -h -o 'advbase 0[^"]*' "/tmp/$P/fw1/daemon.log" | tail -n 1)
  SUBSECOND_NOTE="Tandem sub-second: the daemon refused it (daemon: ${SUBSECOND_NOTE:-did not start}); measured advbase 1 only"
  log "$SUBSECOND_NOTE"
fi
quiet bash "$LAB" stop 1 TERM; quiet bash "$LAB" stop 2 TERM

# ---- keepalived ------------------------------------------------------------------------
KA_NOTE=""
ka_settled() { until_ok 15 ka_holds 1 && until_ok 5 bash -c "! ip -n $P-fw2 -o -4 address show dev wan0 | grep -q ' 198.51.100.1/24 '"; }

# ka_round SETTING ADVERT_INT
ka_round() {
  local s=$1 interval=$2 before after
  ka_start 1 "$interval" && ka_start 2 "$interval" && ka_settled || return 1
  before=$(( $(ka_transitions 1) + $(ka_transitions 2) ))
  log "keepalived $s: ${HEALTHY_SECONDS}s healthy"
  sleep "$HEALTHY_SECONDS"
  after=$(( $(ka_transitions 1) + $(ka_transitions 2) ))
  R[keepalived/$s/spurious]=$((after - before))

  log "keepalived $s: SIGTERM to the master"
  R[keepalived/$s/term]=$(measure 500 ka_stop 1 TERM)
  until_ok 5 ka_holds 2 || log "fw2 did not take the VIPs"
  ka_start 1 "$interval"; ka_settled

  log "keepalived $s: kill -9 and links down"
  R[keepalived/$s/kill]=$(measure 800 ka_crash 1)
  until_ok 6 ka_holds 2 || log "fw2 did not take the VIPs"
  # A rebooted node comes back without the VIPs it held.
  ip -n "$P-fw1" address del 192.0.2.1/24 dev lan0 2>/dev/null || true
  ip -n "$P-fw1" address del 198.51.100.1/24 dev wan0 2>/dev/null || true
  quiet bash "$LAB" links 1 up
  ka_start 1 "$interval"; ka_settled
  ka_stop 1 TERM; ka_stop 2 TERM
}
ka_crash() { ka_stop 1 KILL; bash "$LAB" links 1 down; }

if ! command -v keepalived >/dev/null; then
  KA_NOTE="keepalived not measured: the keepalived binary is not installed"
else
  ka_prepare
  if ! ka_round adv1 1; then
    KA_NOTE="keepalived not measured: it did not take the VIPs in this environment ($(tail -n 1 "$KA_DIR/fw1.log" 2>/dev/null))"
  else
    ka_round sub 0.1 || KA_NOTE="keepalived advert_int 0.1 did not settle ($(tail -n 1 "$KA_DIR/fw1.log" 2>/dev/null))"
  fi
fi
[ -z "$KA_NOTE" ] || log "$KA_NOTE"

# ---- report ----------------------------------------------------------------------------
python3 - "$SUBSECOND_NOTE" "$KA_NOTE" "$HEALTHY_SECONDS" <<PY
import sys
r = {$(for k in "${!R[@]}"; do printf '"%s": "%s", ' "$k" "${R[$k]}"; done)}
notes = [n for n in sys.argv[1:3] if n]
healthy = sys.argv[3]
settings = [("adv1", "advbase 1 (Tandem) / advert_int 1 (keepalived)"),
            ("sub", "advbase 0, advskew 26/52 (Tandem) / advert_int 0.1 (keepalived)")]
failures = [("term", "SIGTERM"), ("kill", "kill -9 + links down")]
def cell(impl, s, f):
    v = r.get(f"{impl}/{s}/{f}")
    if v is None: return ("n/a", None)
    gap, lost, sent = v.split()
    return (f"{gap} ms, {lost}/{sent} lost", None if gap == "nan" else float(gap))
print("CARP failover seen by the client (10 ms ping; longest gap between replies, pings lost)")
print(f"{'setting':<58} {'failure':<22} {'Tandem':>22} {'keepalived':>22} {'k/T':>6}")
for s, name in settings:
    for f, fname in failures:
        t, tg = cell("tandem", s, f)
        k, kg = cell("keepalived", s, f)
        ratio = f"{kg / tg:.2f}" if tg and kg else "n/a"
        print(f"{name:<58} {fname:<22} {t:>22} {k:>22} {ratio:>6}")
print(f"\nspurious transitions in {healthy} s of healthy operation (both nodes)")
for s, name in settings:
    t = r.get(f"tandem/{s}/spurious", "n/a"); k = r.get(f"keepalived/{s}/spurious", "n/a")
    print(f"{name:<58} {'':<22} {t:>22} {k:>22}")
for n in notes: print("note:", n)
PY
