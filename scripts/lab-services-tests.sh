#!/usr/bin/env bash
# Node services on the namespace lab (scripts/lab.sh), run by `make test`: Kea DHCPv4 in HA
# hot-standby, Unbound and chrony run by both daemons. Checks a DHCP lease with
# router and DNS = the LAN VIP, DNS through the VIP (forward, reverse, forwarded), chrony
# synchronised to the upstream server without touching the clock (-x), and after kill -9 of
# the primary: the standby's Kea answers (timed) and renews the lease, DNS still answers.
# The upstream services are the lab's (scripts/lab.sh `upstream_services`). Prints "N passed, N failed".
set -uo pipefail
BIN=${1:?usage: lab-services-tests.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
export TANDEM_LAB=tandem-svctest-$(printf '%04x' "$RANDOM")
LAB="$HERE/lab.sh"
P=$TANDEM_LAB
UP=/tmp/$P-upstream
passed=0
failed=0

if [ "$(id -u)" -ne 0 ]; then echo "skipped lab services tests: not running as root"; exit 0; fi
if ! ip netns add "$P-probe" 2>/dev/null; then echo "skipped lab services tests: cannot create network namespaces"; exit 0; fi
ip netns delete "$P-probe"
for prog in kea-dhcp4 unbound chronyd dhclient dig; do
  command -v "$prog" >/dev/null || [ -x "/usr/sbin/$prog" ] || { echo "skipped lab services tests: $prog not installed (scripts/install-deps.sh)"; exit 0; }
done

cleanup() {
  [ -f "$UP/dhclient.run" ] && kill "$(cat "$UP/dhclient.run")" 2>/dev/null
  rm -rf "$UP"
  bash "$LAB" down >/dev/null 2>&1
}
trap cleanup EXIT

check() {  # check NAME COMMAND...: runs the command, counts and prints the result
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok   $name${out:+ ($out)}"
  else
    failed=$((failed + 1)); echo "FAIL $name${out:+: $out}"
    local n
    for n in 1 2; do
      [ -f "/tmp/$P/fw$n/daemon.log" ] && tail -n 8 "/tmp/$P/fw$n/daemon.log" | sed "s/^/     fw$n| /"
      [ -f "/tmp/$P/fw$n/var/log/tandem/kea-dhcp4.log" ] && grep -v COMMAND_RECEIVED "/tmp/$P/fw$n/var/log/tandem/kea-dhcp4.log" | tail -n 4 | sed "s/^/     fw$n kea| /"
    done
  fi
}

in_client() { ip netns exec "$P-client" "$@"; }

kea_state() {  # kea_state N: this node's HA state
  python3 - "/tmp/$P/fw$1/run/tandem/kea/kea4-ctrl-socket" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1])
s.sendall(b'{"command":"status-get"}'); data = b""
while True:
    b = s.recv(65536)
    if not b: break
    data += b
print(json.loads(data)["arguments"]["high-availability"][0]["ha-servers"]["local"]["state"])
PY
}

both_hot_standby() {
  for _ in $(seq 120); do
    [ "$(kea_state 1 2>/dev/null)" = hot-standby ] && [ "$(kea_state 2 2>/dev/null)" = hot-standby ] && { echo "both hot-standby"; return 0; }
    sleep 0.5
  done
  echo "fw1 $(kea_state 1 2>&1), fw2 $(kea_state 2 2>&1)"; return 1
}

probe_from() {  # probe_from SERVER SECONDS: a DISCOVER answered by SERVER with router and DNS = VIP
  local out; out=$(in_client python3 "$HERE/lab-dhcp.py" eth0 "$2") || { echo "$out"; return 1; }
  echo "$out"
  case "$out" in *"server $1 router 192.0.2.1 dns 192.0.2.1") return 0 ;; *) return 1 ;; esac
}

# A real DHCP client (isc-dhcp-client) with a hook that only records what it was given.
dhclient_lease() {  # dhclient_lease SERVER: one BOUND from SERVER within 40 s
  cat >"$UP/hook.sh" <<HOOK
#!/bin/sh
echo "\$reason ip=\$new_ip_address routers=\$new_routers dns=\$new_domain_name_servers server=\$new_dhcp_server_identifier" >>"$UP/events"
HOOK
  chmod +x "$UP/hook.sh"; : >"$UP/events"
  # In the foreground (-d), so $! is dhclient itself; stopped by that PID once bound (40 s).
  ip netns exec "$P-client" dhclient -4 -d -sf "$UP/hook.sh" -lf "$UP/dhclient.leases" -pf "$UP/dhclient.pid" eth0 >/dev/null 2>&1 &
  local pid=$!
  echo "$pid" >"$UP/dhclient.run"
  for _ in $(seq 400); do grep -qE '^(BOUND|REBOOT|RENEW)' "$UP/events" && break; sleep 0.1; done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$UP/dhclient.run"
  local line; line=$(grep -E '^(BOUND|REBOOT|RENEW)' "$UP/events" | tail -1)
  echo "${line:-no lease: $(tr '\n' ';' <"$UP/events")}"
  case "$line" in *"routers=192.0.2.1 dns=192.0.2.1 server=$1") return 0 ;; *) return 1 ;; esac
}

dns_is() {  # dns_is NAME|-x ADDR EXPECTED: the answer through the LAN VIP
  local out; out=$(in_client dig +short +time=2 +tries=2 @192.0.2.1 "${@:1:$#-1}" 2>&1)
  echo "$*: $(echo "$out" | tr '\n' ' ')"
  echo "$out" | grep -qx "${!#}"
}

chrony_synced() {  # chrony_synced N: fwN's chronyd selected the upstream server, clock untouched
  local sock="/tmp/$P/fw$1/run/tandem/chrony/chronyd.sock"
  for _ in $(seq 60); do
    if chronyc -n -h "$sock" sources 2>/dev/null | grep -q '^\^\* 198.51.100.254'; then
      local pid; pid=$("$BIN" status --json --root "/tmp/$P/fw$1" | python3 -c 'import json,sys; print([s["pid"] for s in json.load(sys.stdin)["services"] if s["name"]=="chronyd"][0])')
      tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- ' -x ' || { echo "chronyd runs without -x"; return 1; }
      echo "^* 198.51.100.254, chronyd -x"; return 0
    fi
    sleep 0.5
  done
  chronyc -n -h "$sock" sources 2>&1 | tail -2; return 1
}

services_running() {
  local out; out=$("$BIN" status --root "/tmp/$P/fw$1" | sed -n '/^services:/,/^$/p')
  echo "$out" | tr '\n' ' '
  [ "$(echo "$out" | grep -c ': running (pid')" -eq 3 ]
}

bash "$LAB" up "$BIN" >/dev/null || { echo "lab services tests: the lab did not come up"; exit 1; }
mkdir -p "$UP"

services_both() { services_running 1 && services_running 2; }
check "both nodes run unbound, kea-dhcp4 and chronyd" services_both
check "the two Keas reach HA hot-standby" both_hot_standby
check "a DHCP DISCOVER is answered by the primary with router and DNS = the LAN VIP" probe_from 192.0.2.2 10
check "dhclient gets a lease from the primary with router and DNS = 192.0.2.1" dhclient_lease 192.0.2.2
check "DNS through the VIP: the node's own name" dns_is primaryfw.vmlab.corp 192.0.2.2
check "DNS through the VIP: reverse of the primary's LAN address" dns_is -x 192.0.2.2 primaryfw.vmlab.corp.
check "DNS through the VIP: example.com forwarded to the upstream host" dns_is www.example.com 203.0.113.80
check "chrony on fw1 synchronised to the upstream NTP server, without touching the clock" chrony_synced 1

# CARP maintenance mode on the primary moves the VIPs to the secondary: its daemon tells its
# Kea to serve at once (ha-maintenance-start: fw1 in-maintenance, fw2 partner-in-maintenance),
# and hands DHCP back when the primary takes the VIPs back (ha-maintenance-cancel).
dhcp_follows_carp() {
  local s1 s2
  "$BIN" carp maintenance on --root "/tmp/$P/fw1" >/dev/null || return 1
  for _ in $(seq 100); do
    s1=$(kea_state 1 2>&1); s2=$(kea_state 2 2>&1)
    [ "$s1" = in-maintenance ] && [ "$s2" = partner-in-maintenance ] && break
    sleep 0.1
  done
  local moved="$s1/$s2"
  "$BIN" carp maintenance off --root "/tmp/$P/fw1" >/dev/null || return 1
  [ "$moved" = in-maintenance/partner-in-maintenance ] || { echo "after maintenance on: fw1/fw2 $moved"; return 1; }
  for _ in $(seq 100); do
    s1=$(kea_state 1 2>&1); s2=$(kea_state 2 2>&1)
    [ "$s1" = hot-standby ] && [ "$s2" = hot-standby ] && { echo "maintenance on: $moved; off: hot-standby/hot-standby"; return 0; }
    sleep 0.1
  done
  echo "after maintenance off: fw1/fw2 $s1/$s2"; return 1
}
check "DHCP follows CARP: served by the secondary in maintenance mode, handed back after" dhcp_follows_carp
check "a DISCOVER is answered by the primary again" probe_from 192.0.2.2 10

# The daemon's takeover (ha-maintenance-start, the silent partner refused by a short-lived
# unreachable route) must serve DHCP within a second of CARP MASTER; failing above 2 s leaves
# room for a loaded machine (the DISCOVER is repeated every 200 ms). Kea 2.2 on its own
# waits 10 s for the vanished partner (its HTTP timeout).
crash_and_probe() {
  local t0 out; t0=$(date +%s.%N)
  echo "$t0" >"$UP/crash.t0"
  bash "$LAB" crash 1 >/dev/null
  out=$(in_client python3 "$HERE/lab-dhcp.py" eth0 40 "$t0") || { echo "$out"; return 1; }
  python3 - "$t0" "$out" "$("$BIN" status --json --root "/tmp/$P/fw2")" <<'PY'
import json, sys, time
t0, out, status = float(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
ms = int(out.split()[0])
lan = [v for v in status["carp"] if v["vhid"] == 1][0]
takeover = (lan["lastTransition"] - t0) * 1000
print(f"standby answered {ms:.0f} ms after kill -9, {ms - takeover:.0f} ms after CARP MASTER at {takeover:.0f} ms: {' '.join(out.split()[1:])}")
sys.exit(0 if ms - takeover <= 2000 else 1)
PY
  [ $? -eq 0 ] || return 1
  case "$out" in *"server 192.0.2.3 router 192.0.2.1 dns 192.0.2.1") return 0 ;; *) return 1 ;; esac
}
# Kea's own detection in the same run: the first heartbeat to the vanished partner that
# fails (HA_HEARTBEAT_COMMUNICATIONS_FAILED), which comes after the takeover.
kea_own_detection() {
  local log="/tmp/$P/fw2/var/log/tandem/kea-dhcp4.log"
  for _ in $(seq 150); do
    grep -q HA_HEARTBEAT_COMMUNICATIONS_FAILED "$log" 2>/dev/null && break
    sleep 0.1
  done
  python3 - "$(cat "$UP/crash.t0")" "$log" <<'PY'
import sys, time, datetime
t0, path = float(sys.argv[1]), sys.argv[2]
def when(tag):
    for line in open(path, errors="replace"):
        if tag in line:
            t = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").timestamp()
            if t >= t0 - 0.5:
                return (t - t0) * 1000
    return None
down, failed = when("HA_STATE_TRANSITION") , when("HA_HEARTBEAT_COMMUNICATIONS_FAILED")
if failed is None:
    print("Kea logged no failed heartbeat within 15 s of kill -9"); sys.exit(1)
print(f"Kea's own first failed heartbeat {failed:.0f} ms after kill -9; partner-down by the takeover at {down:.0f} ms" if down is not None
      else f"Kea's own first failed heartbeat {failed:.0f} ms after kill -9")
sys.exit(0 if down is not None and down < failed else 1)
PY
}
check "after kill -9 of the primary, the standby's Kea answers DHCP" crash_and_probe
standby_partner_down() { local s; s=$(kea_state 2 2>&1); echo "$s"; [ "$s" = partner-down ]; }
check "the standby's Kea is in partner-down" standby_partner_down
check "dhclient renews the lease from the secondary" dhclient_lease 192.0.2.3
check "DNS through the VIP after the failover: the secondary's name" dns_is secondaryfw.vmlab.corp 192.0.2.3
check "DNS through the VIP after the failover: example.com" dns_is www.example.com 203.0.113.80
check "the takeover came before Kea's own detection of the vanished partner" kea_own_detection

# Leases survive a restart of the node: the lease file under the node's root is read back.
lease_survives_restart() {
  local ip; ip=$(grep -E '^(BOUND|REBOOT)' "$UP/events" | tail -1 | sed 's/.* ip=\([^ ]*\).*/\1/')
  [ -n "$ip" ] || { echo "no leased address recorded"; return 1; }
  bash "$LAB" stop 2 TERM >/dev/null
  bash "$LAB" start 2 "$BIN" >/dev/null || return 1
  local out
  for _ in $(seq 40); do
    out=$(python3 - "/tmp/$P/fw2/run/tandem/kea/kea4-ctrl-socket" "$ip" <<'PY' 2>&1
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1])
s.sendall(json.dumps({"command": "lease4-get", "arguments": {"ip-address": sys.argv[2]}}).encode()); data = b""
while True:
    b = s.recv(65536)
    if not b: break
    data += b
r = json.loads(data)
print(r["result"], r.get("arguments", {}).get("hw-address", r.get("text")))
PY
) && [ "${out%% *}" = 0 ] && { echo "lease4-get $ip after the restart: ${out#* }"; return 0; }
    sleep 0.5
  done
  echo "lease4-get $ip: $out"; return 1
}
check "the secondary's leases survive a restart of its daemon (lease file under its root)" lease_survives_restart
# Restarted while the primary is still dead, its Kea starts in `waiting` and would serve
# nothing until it declared the partner down itself (max-response-delay, 60 s): its daemon,
# CARP MASTER, finds the partner silent and moves it to partner-down at once.
restarted_standby_serves() {
  local out; out=$(probe_from 192.0.2.3 10) || { echo "$out"; return 1; }
  local s; s=$(kea_state 2 2>&1)
  echo "$out; $s"
  [ "$s" = partner-down ]
}
check "the secondary restarted while the primary is dead serves at once" restarted_standby_serves

# Failback after the crash: the primary comes back (links up, daemon started), Kea's own
# protocol syncs its leases from the standby (waiting, syncing, ready) and both return to
# hot-standby with the primary serving; no unreachable route to the partner is left behind.
failback() {
  bash "$LAB" links 1 up >/dev/null && bash "$LAB" start 1 "$BIN" >/dev/null || return 1
  local s1 s2 t0=$SECONDS
  while [ $((SECONDS - t0)) -lt 60 ]; do
    s1=$(kea_state 1 2>&1); s2=$(kea_state 2 2>&1)
    [ "$s1" = hot-standby ] && [ "$s2" = hot-standby ] && break
    sleep 0.2
  done
  [ "$s1/$s2" = hot-standby/hot-standby ] || { echo "fw1/fw2 $s1/$s2 after 60 s"; return 1; }
  local left; left=$(ip -n "$P-fw2" route show type unreachable)
  [ -z "$left" ] || { echo "left behind on fw2: $left"; return 1; }
  local out; out=$(probe_from 192.0.2.2 10) || { echo "$out"; return 1; }
  echo "hot-standby/hot-standby after $((SECONDS - t0)) s; $out"
}
check "failback: the primary returns, both Keas back in hot-standby, the primary answers" failback

echo "lab services tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
