#!/usr/bin/env bash
# Two-node cluster tests on the namespace lab (scripts/lab.sh), run by `make test` with the
# built binary: election, forged advertisements, maintenance mode, graceful and hard
# failover timing, preemption, stale VIP removal. Prints "N passed, N failed".
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

trap 'bash "$LAB" down >/dev/null 2>&1' EXIT

check() {  # check NAME COMMAND...: runs the command, counts and prints the result
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok   $name${out:+ ($out)}"
  else
    failed=$((failed + 1)); echo "FAIL $name${out:+: $out}"
  fi
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
  local cfg="/tmp/$P/fw1/etc/tandem/config.xml" pid
  pid=$(cat "/tmp/$P/fw1/daemon.pid")
  sed -i 's|<advskew>0</advskew>|<advskew>200</advskew>|' "$cfg"
  kill -HUP "$pid"
  until_ok 3 all_in 2 MASTER || { echo "fw2 did not take over after the reload: $(states 2 | tr '\n' ' ')"; return 1; }
  [ "$(states 1 | awk '{print $2}' | sort -u)" = BACKUP ] || { echo "fw1: $(states 1 | tr '\n' ' ')"; return 1; }
  "$BIN" status --json --root "/tmp/$P/fw1" | grep -q '"advskew" : 200' || { echo "fw1 does not show advskew 200"; return 1; }
  sed -i 's|<advskew>200</advskew>|<advskew>0</advskew>|' "$cfg"
  kill -HUP "$pid"
  until_ok 4 all_in 1 MASTER || { echo "fw1 did not take back: $(states 1 | tr '\n' ' ')"; return 1; }
  echo "advskew 0 -> 200 -> 0 by SIGHUP, mastership followed"
}

if ! bash "$LAB" up "$BIN" >/dev/null 2>&1; then
  echo "FAIL lab up"; failed=$((failed + 1))
else
  check "two daemons elect one MASTER per vhid (primaryfw)" t_election
  check "forged advertisements (wrong password) change nothing" t_forged
  check "maintenance mode moves mastership and persists" t_maintenance
  check "SIGHUP reloads the config" t_reload
  check "SIGTERM of the master: takeover within 100 ms" t_sigterm
  check "the old master returns and preempts" t_preempt
  check "kill -9 of the master: takeover within master-down + one interval" t_kill9
  check "a node restarted after kill -9 removes its stale VIPs" t_stale
  check "a TCP connection through the NAT survives the failover (state sync)" t_tcp_survives
fi
echo "lab tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
