#!/usr/bin/env bash
# Two-node cluster tests on the namespace lab (scripts/lab.sh), run by `make test` with the
# built binary: election, forged advertisements, maintenance mode, graceful and hard
# failover timing, preemption, stale VIP removal, state sync across failovers, and a flood of
# forged and replayed CARP and sync packets. Prints "N passed, N failed".
set -uo pipefail
BIN=${1:?usage: lab-tests.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
# A random suffix, so the test never meets a lab (or an earlier run) of the same name.
export TANDEM_LAB=tandem-labtest-$(printf '%04x' "$RANDOM")
LAB="$HERE/lab.sh"
P=$TANDEM_LAB
passed=0
failed=0

if [ "$(id -u)" -ne 0 ]; then echo "skipped lab tests: not running as root"; exit 0; fi
if ! ip netns add "$P-probe" 2>/dev/null; then echo "skipped lab tests: cannot create network namespaces"; exit 0; fi
ip netns delete "$P-probe"

trap 'flows_stop >/dev/null 2>&1; rm -f "/tmp/$P-round"; bash "$LAB" down >/dev/null 2>&1' EXIT

check() {  # check NAME COMMAND...: runs the command, counts and prints the result
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok   $name${out:+ ($out)}"
  else
    failed=$((failed + 1)); echo "FAIL $name${out:+: $out}"
    show_logs
  fi
}

# After a failure: the last lines of both daemons' logs, so a CI run shows why.
show_logs() {
  local n
  for n in 1 2; do
    [ -f "/tmp/$P/fw$n/daemon.log" ] && tail -n 12 "/tmp/$P/fw$n/daemon.log" | sed "s/^/     fw$n| /"
  done
}

states() { bash "$LAB" states "$1" "$BIN"; }
state_of() { states "$1" | awk -v v="$2" '$1==v{print $2}'; }

# until SECONDS COMMAND...: retries the command every 50 ms for at most SECONDS.
until_ok() {
  local seconds=$1; shift
  for _ in $(seq $((seconds * 20))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}

all_in() { [ "$(states "$1" | awk '{print $2}' | sort -u)" = "$2" ]; }
has_vip() { ip -n "$P-fw$1" -o -4 address show dev "$2" | grep -q " $3 "; }

# Milliseconds from sending SIGNAL to fwN's daemon until fwM holds the WAN VIP (bounded).
takeover_ms() {
  local n=$1 signal=$2 m=$3 limit=$4
  python3 - "$(cat "/tmp/$P/fw$n/daemon.pid")" "$signal" "$P-fw$m" "$limit" <<'PY'
import os, signal, subprocess, sys, time
pid, sig, ns, limit = int(sys.argv[1]), getattr(signal, "SIG" + sys.argv[2]), sys.argv[3], float(sys.argv[4])
start = time.monotonic()
os.kill(pid, sig)
while time.monotonic() - start < limit:
    out = subprocess.run(["ip", "-n", ns, "-o", "-4", "address", "show", "dev", "wan0"], capture_output=True, text=True).stdout
    if " 198.51.100.1/24 " in out:
        elapsed = round((time.monotonic() - start) * 1000)
        break
    time.sleep(0.002)
else:
    elapsed = None
# Wait (bounded, 5 s) for the stopped daemon to be gone before the next test starts one.
for _ in range(500):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        break
    time.sleep(0.01)
print(elapsed if elapsed is not None else "none")
sys.exit(0 if elapsed is not None else 1)
PY
}

t_election() {
  [ "$(state_of 1 143)" = MASTER ] && [ "$(state_of 1 1)" = MASTER ] || { echo "fw1: $(states 1 | tr '\n' ' ')"; return 1; }
  [ "$(state_of 2 143)" = BACKUP ] && [ "$(state_of 2 1)" = BACKUP ] || { echo "fw2: $(states 2 | tr '\n' ' ')"; return 1; }
  has_vip 1 wan0 198.51.100.1/24 && ! has_vip 2 wan0 198.51.100.1/24 || { echo "WAN VIP not only on fw1"; return 1; }
}

t_forged() {
  # Five advertisements for vhid 143 with the best priority (advbase 1, advskew 0) but signed
  # with the wrong password, sent from the upstream host on the WAN segment.
  ip netns exec "$P-server" python3 - <<'PY' || return 1
import hashlib, hmac, socket, struct
def checksum(b):
    s = sum(struct.unpack("!18H", b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("198.51.100.254"))
for counter in range(1000, 1005):
    msg = bytes([2, 1, 143]) + socket.inet_aton("198.51.100.1") + struct.pack("!Q", counter)
    md = hmac.new(b"not-the-password", msg, hashlib.sha1).digest()
    ad = bytearray(bytes([0x21, 143, 0, 7, 0, 1, 0, 0]) + struct.pack("!Q", counter) + md)
    ad[6:8] = struct.pack("!H", checksum(bytes(ad)))
    sock.sendto(bytes(ad), ("224.0.0.18", 0))
PY
  sleep 0.3
  local bad; bad=$("$BIN" status --json --root "/tmp/$P/fw1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["carpCounters"]["rejected"].get("badHMAC", 0))')
  [ "$bad" -ge 5 ] || { echo "badHMAC counter $bad, expected >= 5"; return 1; }
  [ "$(state_of 1 143)" = MASTER ] || { echo "fw1 143 is $(state_of 1 143)"; return 1; }
  echo "badHMAC $bad, fw1 still MASTER"
}

t_maintenance() {
  "$BIN" carp maintenance on --root "/tmp/$P/fw1" >/dev/null || return 1
  until_ok 3 all_in 2 MASTER || { echo "fw2 not MASTER: $(states 2 | tr '\n' ' ')"; return 1; }
  all_in 1 BACKUP || { echo "fw1 not BACKUP"; return 1; }
  grep -q "virtualip_carp_maintenancemode" "/tmp/$P/fw1/etc/tandem/config.xml" || { echo "flag not persisted"; return 1; }
  "$BIN" carp maintenance off --root "/tmp/$P/fw1" >/dev/null || return 1
  until_ok 3 all_in 1 MASTER || { echo "fw1 did not take back: $(states 1 | tr '\n' ' ')"; return 1; }
  ! grep -q "virtualip_carp_maintenancemode" "/tmp/$P/fw1/etc/tandem/config.xml" || { echo "flag not cleared"; return 1; }
  echo "moved to fw2 and back"
}

t_sigterm() {
  local ms; ms=$(takeover_ms 1 TERM 2 3) || { echo "no takeover within 3 s"; return 1; }
  rm -f "/tmp/$P/fw1/daemon.pid"
  [ "$ms" -le 100 ] || { echo "takeover after $ms ms, expected <= 100"; return 1; }
  echo "WAN VIP on fw2 $ms ms after SIGTERM"
}

t_preempt() {
  bash "$LAB" start 1 "$BIN" >/dev/null || return 1
  until_ok 4 all_in 1 MASTER || { echo "fw1: $(states 1 | tr '\n' ' ')"; return 1; }
  until_ok 2 all_in 2 BACKUP || { echo "fw2: $(states 2 | tr '\n' ' ')"; return 1; }
  ! has_vip 2 wan0 198.51.100.1/24 || { echo "fw2 kept the WAN VIP"; return 1; }
}

t_kill9() {
  # master-down of the secondary = 3 x 1 + 100/256 s = 3.39 s; plus one advertisement interval.
  local ms; ms=$(takeover_ms 1 KILL 2 6) || { echo "no takeover within 6 s"; return 1; }
  rm -f "/tmp/$P/fw1/daemon.pid"
  [ "$ms" -le 4391 ] || { echo "takeover after $ms ms, expected <= 4391"; return 1; }
  echo "WAN VIP on fw2 $ms ms after kill -9"
}

t_stale() {
  has_vip 1 wan0 198.51.100.1/24 || { echo "kill -9 left no VIP behind to clean up"; return 1; }
  bash "$LAB" start 1 "$BIN" >/dev/null || return 1
  until_ok 4 all_in 1 MASTER || { echo "fw1: $(states 1 | tr '\n' ' ')"; return 1; }
  grep -q "removed stale VIP 198.51.100.1/24" "/tmp/$P/fw1/daemon.log" || { echo "no stale-VIP removal logged"; return 1; }
  until_ok 2 all_in 2 BACKUP || return 1
  ! has_vip 2 wan0 198.51.100.1/24 && has_vip 1 wan0 198.51.100.1/24 || { echo "VIP not exactly on fw1"; return 1; }
}

t_tcp_survives() {
  # A connection through the NAT opened before the failover (state sync mirrored its entry).
  ip netns exec "$P-server" python3 "$HERE/lab-tcp.py" server 7000 10 &
  local server=$!
  sleep 0.3
  ip netns exec "$P-client" python3 "$HERE/lab-tcp.py" client 198.51.100.254 7000 4 >"/tmp/$P-tcp.txt" 2>&1 &
  local client=$!
  sleep 1.5
  bash "$LAB" stop 1 TERM >/dev/null
  local rc=0
  wait "$client" || rc=1
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
  cat "/tmp/$P-tcp.txt"; rm -f "/tmp/$P-tcp.txt"
  [ "$(state_of 2 143)" = MASTER ] || { echo "fw2 not MASTER"; return 1; }
  bash "$LAB" start 1 "$BIN" >/dev/null && until_ok 6 all_in 1 MASTER || { echo "fw1 did not come back"; return 1; }
  return $rc
}

t_reload() {
  # SIGHUP re-reads the config: the primary with advskew 200 yields to the secondary (100),
  # and takes the VIPs back once the file says 0 again.
  # VIP sync is off for the edit: otherwise the reload's push would give the secondary
  # advskew 200 + 100 = 254 (pfSense's transform) and it would never take over.
  local cfg="/tmp/$P/fw1/etc/tandem/config.xml" pid
  pid=$(cat "/tmp/$P/fw1/daemon.pid")
  cp "$cfg" "/tmp/$P-reload-orig.xml"
  sed -i -e 's|<advskew>0</advskew>|<advskew>200</advskew>|' -e 's|<synchronizevirtualip>on</synchronizevirtualip>||' "$cfg"
  kill -HUP "$pid"
  until_ok 3 all_in 2 MASTER || { echo "fw2 did not take over after the reload: $(states 2 | tr '\n' ' ')"; return 1; }
  [ "$(states 1 | awk '{print $2}' | sort -u)" = BACKUP ] || { echo "fw1: $(states 1 | tr '\n' ' ')"; return 1; }
  "$BIN" status --json --root "/tmp/$P/fw1" | grep -q '"advskew" : 200' || { echo "fw1 does not show advskew 200"; return 1; }
  cp "/tmp/$P-reload-orig.xml" "$cfg"
  rm -f "/tmp/$P-reload-orig.xml"
  kill -HUP "$pid"
  until_ok 4 all_in 1 MASTER || { echo "fw1 did not take back: $(states 1 | tr '\n' ' ')"; return 1; }
  echo "advskew 0 -> 200 -> 0 by SIGHUP, mastership followed"
}

t_apply_reload() {
  # `tandem apply` commits the ruleset and asks the running daemon to reload: the new
  # advskew moves mastership, and the daemon's reload commits nothing more.
  local cfg="/tmp/$P-apply.xml" out log="/tmp/$P/fw1/daemon.log" lines
  local orig="/tmp/$P-apply-orig.xml"
  cp "/tmp/$P/fw1/etc/tandem/config.xml" "$orig"
  # VIP sync off for the edit (see t_reload).
  sed -e 's|<advskew>0</advskew>|<advskew>200</advskew>|' -e 's|<synchronizevirtualip>on</synchronizevirtualip>||' "$orig" >"$cfg"
  lines=$(wc -l <"$log")
  out=$(ip netns exec "$P-fw1" "$BIN" apply --root "/tmp/$P/fw1" "$cfg" 2>&1) || { echo "apply failed: $out"; return 1; }
  echo "$out" | grep -q '^daemon reloaded' || { echo "apply did not reach the daemon: $out"; return 1; }
  until_ok 3 all_in 2 MASTER || { echo "fw2 did not take over after the apply: $(states 2 | tr '\n' ' ')"; return 1; }
  tail -n +$((lines + 1)) "$log" | grep 'ruleset:' | grep -q 'unchanged commit, 0 messages' \
    || { echo "the daemon's reload committed again: $(grep 'ruleset:' "$log" | tail -1)"; return 1; }
  out=$(ip netns exec "$P-fw1" "$BIN" apply --root "/tmp/$P/fw1" "$orig" 2>&1) || { echo "apply failed: $out"; return 1; }
  rm -f "$cfg" "$orig"
  until_ok 4 all_in 1 MASTER || { echo "fw1 did not take back: $(states 1 | tr '\n' ' ')"; return 1; }
  echo "advskew 0 -> 200 -> 0 by tandem apply; the daemon reloaded without a second commit"
}

t_handover() {
  # A package upgrade's restart (packaging/postinst): handover-request, SIGTERM, a new
  # daemon. fw1 must stay MASTER (fw2 never takes over) and client-to-server pings through
  # the VIPs keep flowing; the gap is the longest pause between replies (sent 10 ms apart).
  # The new daemon runs under a fake service manager: READY=1 only after its first apply.
  local root="/tmp/$P/fw1" log2="/tmp/$P/fw2/daemon.log" out="/tmp/$P-handover" lines2 ping manager
  lines2=$(wc -l <"$log2")
  ip netns exec "$P-client" ping -D -n -i 0.01 -c 400 -W 1 198.51.100.254 >"$out.ping" 2>&1 &
  ping=$!
  # Abstract sockets belong to a network namespace: the manager runs in fw1's.
  ip netns exec "$P-fw1" timeout 20 python3 "$HERE/fake-notify.py" "@$P-notify" "$root/daemon.log" 15 >"$out.notify" 2>&1 &
  manager=$!
  sleep 1
  : >"$root/run/tandem/handover-request"
  # SIGTERM, then wait (bounded, 5 s) until the daemon has exited: a zombie counts, since
  # systemd reaps at once where this machine's PID 1 may take a second or two.
  local pid; pid=$(cat "$root/daemon.pid")
  kill -s TERM "$pid"
  for _ in $(seq 500); do
    [ -r "/proc/$pid/stat" ] && [ "$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1)" != Z ] || break
    sleep 0.01
  done
  rm -f "$root/daemon.pid"
  NOTIFY_SOCKET="@$P-notify" WATCHDOG_USEC=1000000 bash "$LAB" start 1 "$BIN" >/dev/null || { echo "fw1 did not restart"; return 1; }
  wait "$ping"
  wait "$manager" || { echo "notify: $(cat "$out.notify")"; return 1; }
  local gap received
  received=$(grep -c 'bytes from' "$out.ping")
  gap=$(awk -F'[][]' '/bytes from/ { t = $2 * 1000; if (last && t - last > max) max = t - last; last = t } END { printf "%d", max }' "$out.ping")
  local notify; notify=$(cat "$out.notify")
  rm -f "$out.ping" "$out.notify"
  grep -q 'handover: resuming' "$root/daemon.log" || { echo "the new daemon did not resume"; return 1; }
  ! tail -n +$((lines2 + 1)) "$log2" | grep -q -- '-> MASTER' || { echo "fw2 took over during the handover"; return 1; }
  all_in 1 MASTER || { echo "fw1 after the handover: $(states 1 | tr '\n' ' ')"; return 1; }
  [ "$received" -ge 390 ] || { echo "only $received of 400 pings answered, longest gap $gap ms"; return 1; }
  echo "fw1 stayed MASTER, fw2 never took over; $received/400 pings answered, longest gap $gap ms; $notify"
}

# A config for the commit-confirm tests: fw1's with advskew 200 (fw2 takes the VIPs) and a
# block rule for TCP 7399 (tracker 1799999999) in its ruleset.
confirm_config() {
  sed -e 's|<advskew>0</advskew>|<advskew>200</advskew>|' -e 's|<synchronizevirtualip>on</synchronizevirtualip>||' \
      -e 's|<filter>|<filter><rule><tracker>1799999999</tracker><type>block</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol><source><any></any></source><destination><any></any><port>7399</port></destination><descr>commit-confirm test</descr></rule>|' \
      "$1" >"$2"
}
# Outputs are captured before they are searched: `cmd | grep -q` fails under pipefail when
# grep exits at the first match while cmd still writes (SIGPIPE).
# matches PATTERN COMMAND...: COMMAND's output (both streams) has a line matching PATTERN.
matches() { local pattern=$1 out; shift; out=$("$@" 2>&1); grep -q -- "$pattern" <<<"$out"; }
fw1_ruleset() { ip netns exec "$P-fw1" nft -s list ruleset; }
ruleset_has_7399() { matches 'dport 7399' fw1_ruleset; }
no_7399() { ! ruleset_has_7399; }
expired() { matches '"lastExpiry"' "$BIN" status --json --root "/tmp/$P/fw1"; }
fw1_history() { "$BIN" history --root "/tmp/$P/fw1" --limit 1 | tail -n 1; }

# After a commit-confirm test, whatever happened: nothing pending, fw1 on ORIG again.
confirm_cleanup() {
  local orig=$1
  "$BIN" confirm --root "/tmp/$P/fw1" >/dev/null 2>&1
  if ! cmp -s <(grep -v -e '<time>' -e '<description>' -e '<username>' "/tmp/$P/fw1/etc/tandem/config.xml") \
              <(grep -v -e '<time>' -e '<description>' -e '<username>' "$orig"); then
    ip netns exec "$P-fw1" "$BIN" apply --root "/tmp/$P/fw1" "$orig" >/dev/null 2>&1
  fi
  until_ok 4 all_in 1 MASTER
  rm -f "$orig" "/tmp/$P-confirm.xml"
}

t_confirm_expires() {
  # `apply --confirm` that nobody confirms: the daemon restores the previous revision, its
  # ruleset (the 7399 rule goes) and its VIPs (fw1 takes them back).
  local orig="/tmp/$P-confirm-orig.xml" rc=0
  cp "/tmp/$P/fw1/etc/tandem/config.xml" "$orig"
  confirm_expires_body "$orig" || rc=1
  confirm_cleanup "$orig"
  return $rc
}

confirm_expires_body() {
  local cfg="/tmp/$P-confirm.xml" out before after
  confirm_config "$1" "$cfg"
  before=$(fw1_ruleset)
  out=$(ip netns exec "$P-fw1" "$BIN" apply --confirm 4s --root "/tmp/$P/fw1" "$cfg" 2>&1) || { echo "apply failed: $out"; return 1; }
  grep -q '^commit-confirm: revision [0-9]* applied; revision [0-9]* is restored 4 s from now' <<<"$out" || { echo "not armed: $out"; return 1; }
  ruleset_has_7399 || { echo "the new rule is not in fw1's ruleset; apply said: $out"; return 1; }
  until_ok 3 all_in 2 MASTER || { echo "fw2 did not take over after the apply: $(states 2 | tr '\n' ' ')"; return 1; }
  matches '^commit-confirm PENDING: ' "$BIN" status --root "/tmp/$P/fw1" || { echo "status shows no pending confirm"; return 1; }
  until_ok 8 expired || { echo "no expiry 8 s after the apply"; return 1; }
  until_ok 2 no_7399 || { echo "the 7399 rule is still in fw1's ruleset"; return 1; }
  until_ok 4 all_in 1 MASTER || { echo "fw1 did not take the VIPs back: $(states 1 | tr '\n' ' ')"; return 1; }
  after=$(fw1_ruleset)
  [ "$before" = "$after" ] || { echo "fw1's ruleset differs from before the apply: $(diff <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ')"; return 1; }
  out=$(fw1_history)
  grep -q 'Commit-confirm expired: restored revision [0-9]*  *.*filter: -rule (tracker 1799999999)' <<<"$out" || { echo "history: $out"; return 1; }
  matches '^last commit-confirm expiry: .* restored revision' "$BIN" status --root "/tmp/$P/fw1" || { echo "status shows no expiry"; return 1; }
  grep -q 'commit-confirm expired: restored revision' "/tmp/$P/fw1/daemon.log" || { echo "no log line"; return 1; }
  echo "restored after 4 s: ruleset as before, fw1 MASTER again, $(awk '{sub(/[*]$/, "", $1); print "revision", $1}' <<<"$out")"
}

t_confirm_kept() {
  # The same apply, confirmed in time: it stays past the deadline (then the cleanup puts
  # fw1 back on its original config by a plain apply).
  local orig="/tmp/$P-confirm-orig.xml" rc=0
  cp "/tmp/$P/fw1/etc/tandem/config.xml" "$orig"
  confirm_kept_body "$orig" || rc=1
  confirm_cleanup "$orig"
  return $rc
}

confirm_kept_body() {
  local cfg="/tmp/$P-confirm.xml" out
  confirm_config "$1" "$cfg"
  out=$(ip netns exec "$P-fw1" "$BIN" apply --confirm 3s --root "/tmp/$P/fw1" "$cfg" 2>&1) || { echo "apply failed: $out"; return 1; }
  out=$("$BIN" confirm --root "/tmp/$P/fw1" 2>&1) || { echo "confirm failed: $out"; return 1; }
  grep -q '^revision [0-9]* confirmed' <<<"$out" || { echo "confirm said: $out"; return 1; }
  sleep 3.5
  ruleset_has_7399 || { echo "the confirmed rule is gone"; return 1; }
  out=$(fw1_history)
  grep -q 'tandem apply tandem-labtest-.*-confirm.xml' <<<"$out" || { echo "history: $out"; return 1; }
  out=$("$BIN" confirm --root "/tmp/$P/fw1" 2>&1) && { echo "a second confirm succeeded: $out"; return 1; }
  grep -q 'nothing to confirm' <<<"$out" || { echo "a second confirm said: $out"; return 1; }
  echo "kept past its 3 s deadline after tandem confirm"
}

# --- Many flows across a hard failover, a failback, a bulk resync and a lossy sync link ---
# One client (20 TCP connections, 10 UDP flows with fixed source ports) driven through a
# FIFO; every wait is bounded. The flows stay open across the tests below, in order.
FLOWS_IN=/tmp/$P-flows.in
FLOWS_OUT=/tmp/$P-flows.out
flows_server=
flows_client=

flows_start() {
  ip netns exec "$P-server" python3 "$HERE/lab-flows.py" server 7100 240 &
  flows_server=$!
  sleep 0.3
  rm -f "$FLOWS_IN"; mkfifo "$FLOWS_IN"; : >"$FLOWS_OUT"
  ip netns exec "$P-client" python3 "$HERE/lab-flows.py" client 198.51.100.254 7100 20 10 41000 \
    <"$FLOWS_IN" >"$FLOWS_OUT" 2>&1 &
  flows_client=$!
  exec 7>"$FLOWS_IN"
  until_ok 10 grep -q '^ready' "$FLOWS_OUT"
}

flows_stop() {
  [ -n "$flows_client" ] || return 0
  echo quit >&7 2>/dev/null; exec 7>&-
  for _ in $(seq 50); do kill -0 "$flows_client" 2>/dev/null || break; sleep 0.1; done
  kill "$flows_client" "$flows_server" 2>/dev/null
  wait "$flows_client" "$flows_server" 2>/dev/null
  flows_client=; rm -f "$FLOWS_IN" "$FLOWS_OUT"
}

# flows_check: one round of data on every flow; prints the round's two summary lines
# (bounded: 90 s, the worst case of every flow timing out).
flows_check() {
  local before; before=$(grep -c ' working' "$FLOWS_OUT")
  echo check >&7
  for _ in $(seq 900); do
    [ "$(grep -c ' working' "$FLOWS_OUT")" -ge $((before + 2)) ] && break
    sleep 0.1
  done
  grep ' working' "$FLOWS_OUT" | tail -n +$((before + 1))
}

# nat_flows N PROTO: "proto client:port nat:port" of fwN's conntrack entries from the client
# to the upstream server that are NAT'd to the WAN VIP, sorted.
nat_flows() {
  ip netns exec "$P-fw$1" conntrack -L -p "$2" -d 198.51.100.254 2>/dev/null | awk '
    { n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^(src|dst|sport|dport)=/) { split($i, kv, "="); v[++n] = kv[2] }
      if (n >= 8 && v[1] == "192.0.2.100" && v[6] == "198.51.100.1" && v[4] == 7100) print $1, v[1] ":" v[3], v[6] ":" v[8] }' | sort
}

count_is() { [ "$(nat_flows "$1" "$2" | wc -l)" -ge "$3" ]; }

# udp_to N PORT: how many of fwN's conntrack entries are UDP from the client to the upstream
# server's PORT ("mark" = only those with the nopfsync bit of the conntrack mark).
udp_to() {
  ip netns exec "$P-fw$1" conntrack -L -p udp -s 192.0.2.100 --dport "$2" 2>/dev/null \
    | { if [ "${3:-}" = mark ]; then grep -c 'mark=2147483648'; else grep -c 'dport='; fi; }
}

udp_seen() { [ "$(udp_to "$1" "$2")" -ge 1 ]; }

# A flow accepted by the `nopfsync` rule (UDP 7300, etc/examples) stays on the master; a flow
# accepted by the default LAN rule (UDP 7301), sent after it, reaches the backup.
t_nopfsync() {
  local m=1 b=2
  has_vip 1 lan0 192.0.2.1/24 || { m=2; b=1; }
  ip netns exec "$P-client" python3 -c '
import socket
for port in (7300, 7301):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 40000 + port))
    s.sendto(b"nopfsync test", ("198.51.100.254", port))
    s.close()' || return 1
  until_ok 5 udp_seen "$b" 7301 || { echo "the normal flow (UDP 7301) did not reach fw$b"; return 1; }
  [ "$(udp_to "$m" 7300 mark)" -ge 1 ] || { echo "fw$m has no UDP 7300 flow with the nopfsync mark bit"; return 1; }
  [ "$(udp_to "$b" 7300)" = 0 ] || { echo "the nopfsync flow (UDP 7300) was mirrored to fw$b"; return 1; }
  echo "fw$m holds the UDP 7300 flow with mark 0x80000000, fw$b only the UDP 7301 one"
}

t_loose() {
  local n v
  for n in 1 2; do
    v=$(ip netns exec "$P-fw$n" sysctl -n net.netfilter.nf_conntrack_tcp_loose) || return 1
    [ "$v" = 0 ] || { echo "fw$n nf_conntrack_tcp_loose=$v"; return 1; }
  done
  echo "0 on both (set by the daemon)"
}

t_flows_open() {
  [ -n "$flows_client" ] && grep -q '^ready' "$FLOWS_OUT" || { echo "flow client not ready: $(tr '\n' ' ' <"$FLOWS_OUT")"; return 1; }
  local out; out=$(flows_check)
  echo "$out" | grep -q '^tcp 20/20 working' && echo "$out" | grep -q '^udp 10/10 working' \
    || { echo "$out" | tr '\n' ' '; return 1; }
  until_ok 5 count_is 2 tcp 20 || { echo "fw2 holds $(nat_flows 2 tcp | wc -l)/20 NAT'd TCP flows"; return 1; }
  echo "20 TCP + 10 UDP flows up, fw2 holds $(nat_flows 2 tcp | wc -l) TCP and $(nat_flows 2 udp | wc -l) UDP NAT'd flows"
}

t_crash_tcp() {
  bash "$LAB" crash 1 >/dev/null || return 1
  until_ok 6 all_in 2 MASTER || { echo "fw2 not MASTER: $(states 2 | tr '\n' ' ')"; return 1; }
  flows_check >"/tmp/$P-round"
  grep -q '^tcp 20/20 working' "/tmp/$P-round" || { tr '\n' ' ' <"/tmp/$P-round"; grep -v working "$FLOWS_OUT" | tail -3; return 1; }
  head -1 "/tmp/$P-round"
}

t_crash_udp() {
  grep -q '^udp 10/10 working (bindings unchanged)' "/tmp/$P-round" || { tail -1 "/tmp/$P-round"; return 1; }
  tail -1 "/tmp/$P-round"
}

# fw1 comes back with an empty conntrack table: it must stay BACKUP while its initial bulk is
# pending, then hold fw2's NAT'd flows.
# sync_summary N: fwN's state-sync line of `tandem status --json`, for failure messages.
sync_summary() {
  "$BIN" status --json --root "/tmp/$P/fw$1" 2>/dev/null | python3 -c 'import json,sys; s=json.load(sys.stdin).get("sync") or {}; print(s.get("state"), "local", s.get("localFlows"), "remote", s.get("remoteFlows"), s.get("counters"))'
}

t_bulk() {
  bash "$LAB" links 1 up >/dev/null
  ip netns exec "$P-fw1" conntrack -F >/dev/null 2>&1
  [ "$(nat_flows 1 tcp | wc -l)" = 0 ] || { echo "fw1 table not empty"; return 1; }
  bash "$LAB" start 1 "$BIN" >/dev/null || return 1
  local json sync masters pending=0 done=
  for _ in $(seq 300); do   # 15 s at 50 ms
    json=$("$BIN" status --json --root "/tmp/$P/fw1" 2>/dev/null) || { sleep 0.05; continue; }
    read -r sync masters < <(echo "$json" | python3 -c 'import json,sys; j=json.load(sys.stdin); print((j.get("sync") or {}).get("state", "starting").replace(" ", "_"), sum(v["state"]=="MASTER" for v in j["carp"]))')
    if [ "$sync" = initial_bulk_pending ] || [ "$sync" = starting ]; then
      pending=$((pending + 1))
      [ "$masters" = 0 ] || { echo "fw1 MASTER while its initial bulk is pending"; return 1; }
    else
      done=1; break
    fi
    sleep 0.05
  done
  [ -n "$done" ] || { echo "initial bulk still pending after 15 s"; return 1; }
  until_ok 5 count_is 1 tcp 20 || { echo "fw1 holds $(nat_flows 1 tcp | wc -l)/20 NAT'd TCP flows; fw1 sync: $(sync_summary 1); fw2 sync: $(sync_summary 2)"; return 1; }
  diff <(nat_flows 1 tcp) <(nat_flows 2 tcp) >/dev/null || { echo "fw1 and fw2 TCP flow sets differ"; return 1; }
  echo "BACKUP for $pending status samples while pending; then $(nat_flows 1 tcp | wc -l) TCP + $(nat_flows 1 udp | wc -l) UDP NAT'd flows in fw1's table"
}

t_failback() {
  until_ok 8 all_in 1 MASTER || { echo "fw1 did not preempt: $(states 1 | tr '\n' ' ')"; return 1; }
  until_ok 3 all_in 2 BACKUP || { echo "fw2: $(states 2 | tr '\n' ' ')"; return 1; }
  local out; out=$(flows_check)
  echo "$out" | grep -q '^tcp 20/20 working' && echo "$out" | grep -q '^udp 10/10 working (bindings unchanged)' \
    || { echo "$out" | tr '\n' ' '; return 1; }
  echo "$out" | tr '\n' ' '
}

# sync_json N EXPR: a value from fwN's state-sync section of `tandem status --json`
# (EXPR in Python over `s`, the section).
sync_json() {
  "$BIN" status --json --root "/tmp/$P/fw$1" 2>/dev/null \
    | python3 -c 'import json,sys; s=json.load(sys.stdin).get("sync") or {}; print(eval(sys.argv[1]))' "$2"
}

# fw2's agreement line says the tables agree, from a comparison made after the churn ended
# ($1 = seconds since then), over as many flows as fw1 holds.
agree_after() {
  local line; line=$(sync_json 2 '"%s %s %s" % ((s.get("agreement") or {}).get("state"), (s.get("agreement") or {}).get("checkedSecondsAgo"), (s.get("agreement") or {}).get("peerFlows"))') || return 1
  local state ago peer; read -r state ago peer <<<"$line"
  [ "$state" = agree ] && [ "$ago" != None ] && python3 -c "import sys; sys.exit(0 if float('$ago') < float('$1') else 1)" \
    && [ "$peer" = "$(sync_json 1 's.get("localFlows")')" ]
}

# 5 % loss both ways on fw2's sync interface (no netem in this kernel: an nftables table of
# its own) while 30 more long-lived connections and a churn of 300 short TCP connections (a
# third of them reset, so their entries are destroyed 10 s later) and 100 UDP flows go through
# the master fw1: enough sync traffic for the loss to bite. fw2's table must converge to fw1's
# and fw2's agreement line must say so, from a comparison made after the churn.
t_loss() {
  local before_nacks before_resent
  before_nacks=$(sync_json 2 's["counters"]["nacksSent"]') || return 1
  before_resent=$(sync_json 1 's["counters"]["recordsResent"]') || return 1
  ip netns exec "$P-fw2" nft -f - <<'NFT' || return 1
table inet tandem-loss {
  chain in { type filter hook input priority -300; iifname "sync0" numgen random mod 100 < 5 counter drop; }
  chain out { type filter hook output priority -300; oifname "sync0" numgen random mod 100 < 5 counter drop; }
}
NFT
  echo "open 30" >&7
  until_ok 20 grep -q '^opened' "$FLOWS_OUT" || { echo "connections not opened"; return 1; }
  local churned
  churned=$(ip netns exec "$P-client" timeout 30 python3 "$HERE/lab-flows.py" churn 198.51.100.254 7100 300 100 20) \
    || { echo "churn failed: $churned"; return 1; }
  local churn_end=$SECONDS
  local out; out=$(flows_check)
  echo "$out" | grep -q '^tcp 50/50 working' || { echo "$out" | tr '\n' ' '; return 1; }
  local ok=
  for _ in $(seq 200); do   # 20 s
    if count_is 1 tcp 50 && diff <(nat_flows 1 tcp) <(nat_flows 2 tcp) >/dev/null \
       && diff <(nat_flows 1 udp) <(nat_flows 2 udp) >/dev/null; then ok=1; break; fi
    sleep 0.1
  done
  local agreed=
  if [ -n "$ok" ]; then
    for _ in $(seq 200); do   # 20 s: a digest every 5 s, some skipped while records were voided
      agree_after $((SECONDS - churn_end + 1)) && { agreed=1; break; }
      sleep 0.1
    done
  fi
  local dropped_in dropped_out
  dropped_in=$(ip netns exec "$P-fw2" nft list chain inet tandem-loss in | grep -o 'packets [0-9]*' | awk '{print $2}')
  dropped_out=$(ip netns exec "$P-fw2" nft list chain inet tandem-loss out | grep -o 'packets [0-9]*' | awk '{print $2}')
  ip netns exec "$P-fw2" nft delete table inet tandem-loss
  local nacks resent voids
  nacks=$(( $(sync_json 2 's["counters"]["nacksSent"]') - before_nacks ))
  resent=$(( $(sync_json 1 's["counters"]["recordsResent"]') - before_resent ))
  voids=$(sync_json 1 's["counters"]["voidsSent"]')
  local figures="$churned; sync packets dropped: $dropped_in to fw2, $dropped_out from fw2; fw2 sent $nacks NACK ranges, fw1 resent $resent records (void ranges so far $voids)"
  [ -n "$ok" ] || { echo "tables differ: fw1 $(nat_flows 1 tcp | wc -l) TCP, fw2 $(nat_flows 2 tcp | wc -l) TCP; $(diff <(nat_flows 1 tcp) <(nat_flows 2 tcp) | head -3 | tr '\n' ' '); $figures"; return 1; }
  [ -n "$agreed" ] || { echo "fw2's agreement line does not say agree: $(sync_json 2 's.get("agreement")'), fw1 local $(sync_json 1 's.get("localFlows")'); $figures"; return 1; }
  [ $((dropped_in + dropped_out)) -ge 5 ] || { echo "too little sync traffic for the test to mean anything: $figures"; return 1; }
  echo "fw2 agrees with fw1: $(nat_flows 2 tcp | wc -l) TCP + $(nat_flows 2 udp | wc -l) UDP NAT'd flows, agreement line: $(sync_json 2 '(s.get("agreement") or {}).get("state")') over $(sync_json 2 '(s.get("agreement") or {}).get("peerFlows")') flows; $figures"
}

# carp_json N EXPR: a value from fwN's CARP counters ("c") in `tandem status --json`.
carp_json() {
  "$BIN" status --json --root "/tmp/$P/fw$1" 2>/dev/null \
    | python3 -c 'import json,sys; c=json.load(sys.stdin)["carpCounters"]; r=c.get("rejected", {}); print(eval(sys.argv[1]))' "$2"
}

# Under a flood of forged and replayed CARP advertisements (on the WAN segment) and of forged,
# replayed and reflected state-sync datagrams (on the sync link, from fw1's address and port),
# 1,500 of each kind in 3 s: the election holds, fw2 keeps hearing fw1's real advertisements,
# a flow opened after the flood still reaches fw2, and every rejection is counted.
FLOOD=1500
t_flood() {
  local m=1 b=2
  all_in 1 MASTER && all_in 2 BACKUP || { echo "not the steady state: fw1 $(states 1 | tr '\n' ' '), fw2 $(states 2 | tr '\n' ' ')"; return 1; }
  local cap=/tmp/$P-sync-capture
  ip netns exec "$P-fw2" python3 "$HERE/lab-flood.py" sync-capture "$cap" 5 >/dev/null || { echo "no sync datagrams captured"; return 1; }
  local accepted0 badhmac0 replayed0 auth0 replay0 session0
  accepted0=$(carp_json 2 'c["accepted"]'); badhmac0=$(carp_json 2 'r.get("badHMAC", 0)')
  replayed0=$(carp_json 2 'r.get("replayedCounter", 0)')
  auth0=$(sync_json 2 's["counters"].get("rejected.badAuthentication", 0)')
  replay0=$(sync_json 2 's["counters"].get("rejected.replayed", 0)')
  session0=$(sync_json 2 's["counters"].get("peerRestarts", 0)')
  local start=$SECONDS carp_out sync_out
  ip netns exec "$P-server" timeout 20 python3 "$HERE/lab-flood.py" carp "$FLOOD" 3 >"$cap.carp" 2>&1 &
  local carp_pid=$!
  ip netns exec "$P-fw1" timeout 20 python3 "$HERE/lab-flood.py" sync "$cap" "$FLOOD" 3 >"$cap.sync" 2>&1 &
  local sync_pid=$!
  wait "$carp_pid"; local carp_rc=$?
  wait "$sync_pid"; local sync_rc=$?
  carp_out=$(cat "$cap.carp"); sync_out=$(cat "$cap.sync"); rm -f "$cap" "$cap.carp" "$cap.sync"
  [ "$carp_rc" = 0 ] && [ "$sync_rc" = 0 ] || { echo "flood tools failed: carp: $carp_out; sync: $sync_out"; return 1; }
  local took=$((SECONDS - start))
  # A new flow after the flood is mirrored: state sync carries on.
  ip netns exec "$P-client" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 47302))
s.sendto(b"after the flood", ("198.51.100.254", 7302))
s.close()' || return 1
  until_ok 5 udp_seen 2 7302 || { echo "a flow opened after the flood did not reach fw2"; return 1; }
  all_in 1 MASTER && all_in 2 BACKUP || { echo "election changed: fw1 $(states 1 | tr '\n' ' '), fw2 $(states 2 | tr '\n' ' ')"; return 1; }
  local accepted badhmac replayed auth replay restarts
  accepted=$(( $(carp_json 2 'c["accepted"]') - accepted0 ))
  badhmac=$(( $(carp_json 2 'r.get("badHMAC", 0)') - badhmac0 ))
  replayed=$(( $(carp_json 2 'r.get("replayedCounter", 0)') - replayed0 ))
  auth=$(( $(sync_json 2 's["counters"].get("rejected.badAuthentication", 0)') - auth0 ))
  replay=$(( $(sync_json 2 's["counters"].get("rejected.replayed", 0)') - replay0 ))
  restarts=$(( $(sync_json 2 's["counters"].get("peerRestarts", 0)') - session0 ))
  local figures="flood of ${took}s: CARP $carp_out; sync $sync_out; fw2 counted badHMAC $badhmac, replayedCounter $replayed, sync badAuthentication $auth, replayed $replay; fw2 accepted $accepted real advertisements meanwhile"
  [ "$badhmac" -ge "$FLOOD" ] && [ "$replayed" -ge "$FLOOD" ] || { echo "CARP rejections not counted: $figures"; return 1; }
  [ "$auth" -ge $((2 * FLOOD)) ] && [ "$replay" -ge "$FLOOD" ] || { echo "sync rejections not counted: $figures"; return 1; }
  [ "$accepted" -ge 2 ] || { echo "fw2 stopped hearing fw1: $figures"; return 1; }
  [ "$restarts" = 0 ] && [ "$(sync_json 2 's["state"]')" = "peer up" ] || { echo "sync session disturbed (peer restarts $restarts, state $(sync_json 2 's["state"]')): $figures"; return 1; }
  echo "$figures"
}

# The dashboard and /metrics in headless Chromium from the LAN client (scripts/lab-dashboard.py
# prints its own ok/FAIL lines and "N passed, N failed"): login, MASTER/BACKUP, CSRF refusals,
# cookie flags, maintenance, a failover (fw1 stopped) seen without a reload, metrics moving.
# Screenshots go to .build/dashboard/. fw1 is started again afterwards.
dashboard_tests() {
  local why=""
  command -v chromium >/dev/null 2>&1 || why="chromium is not installed (scripts/install-deps.sh)"
  [ -n "$why" ] || /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null \
    || why="python3-prometheus-client is not installed (scripts/install-deps.sh)"
  if [ -n "$why" ]; then echo "skip dashboard and /metrics in Chromium: $why"; return; fi
  local out p f
  out=$(timeout 120 ip netns exec "$P-client" /usr/bin/python3 "$HERE/lab-dashboard.py" "$HERE/../.build/dashboard" \
        bash "$LAB" stop 1 2>&1)
  echo "$out" | grep -E '^(ok|FAIL) |took'
  p=$(echo "$out" | awk '/^[0-9]+ passed, [0-9]+ failed$/{print $1}')
  f=$(echo "$out" | awk '/^[0-9]+ passed, [0-9]+ failed$/{print $3}')
  if [ -z "$p" ]; then
    failed=$((failed + 1)); echo "FAIL dashboard run did not finish:"; echo "$out" | tail -n 15 | sed 's/^/     /'
  else
    passed=$((passed + p)); failed=$((failed + f))
    [ "$f" -eq 0 ] || show_logs
  fi
  bash "$LAB" start 1 "$BIN" >/dev/null 2>&1
  until_ok 6 all_in 1 MASTER || echo "note: fw1 not MASTER again after the dashboard tests: $(states 1 | tr '\n' ' ')"
}

if ! bash "$LAB" up "$BIN" >/dev/null 2>&1; then
  echo "FAIL lab up"; failed=$((failed + 1))
else
  check "two daemons elect one MASTER per vhid (primaryfw)" t_election
  check "forged advertisements (wrong password) change nothing" t_forged
  check "maintenance mode moves mastership and persists" t_maintenance
  check "SIGHUP reloads the config" t_reload
  check "tandem apply reaches the running daemon" t_apply_reload
  check "apply --confirm that expires: the daemon restores the previous ruleset and VIPs" t_confirm_expires
  check "apply --confirm that is confirmed keeps the new config" t_confirm_kept
  check "an upgrade's restart hands over: fw1 stays MASTER, traffic flows, READY after the apply" t_handover
  dashboard_tests
  check "SIGTERM of the master: takeover within 100 ms" t_sigterm
  check "the old master returns and preempts" t_preempt
  check "kill -9 of the master: takeover within master-down + one interval" t_kill9
  check "a node restarted after kill -9 removes its stale VIPs" t_stale
  check "a TCP connection through the NAT survives the failover (state sync)" t_tcp_survives
  check "nf_conntrack_tcp_loose is 0 on both firewalls" t_loose
  check "a nopfsync rule's flow stays on the master, a normal one is mirrored" t_nopfsync
  flows_start >/dev/null 2>&1   # here, not in a check: its FIFO and PIDs must outlive the subshell
  check "20 TCP and 10 UDP flows NAT'd to the WAN VIP, mirrored to fw2" t_flows_open
  check "20 TCP connections survive kill -9 + links down of the master" t_crash_tcp
  check "10 UDP flows survive it with their NAT bindings" t_crash_udp
  check "fw1 restarted empty: BACKUP until its bulk resync, then holds fw2's flows" t_bulk
  check "failback to fw1: the same flows keep working" t_failback
  check "5% loss on the sync link under churn: fw2's table converges to fw1's and the agreement line agrees" t_loss
  flows_stop
  check "a flood of forged and replayed CARP and sync packets changes nothing and is counted" t_flood
fi
echo "lab tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
