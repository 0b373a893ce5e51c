#!/usr/bin/env bash
# `make demo`: the reference scenario's HA test, end to end, in namespaces (scripts/lab.sh).
# Brings the two-node lab up (secondaryfw starts with its node-local settings only and gets
# the rest from primaryfw's XML-RPC push over HTTPS), shows both management endpoints, the
# pushed VIPs on secondaryfw with advskew 100, a user added on the primary appearing on the
# secondary and a rule applied on the primary reaching the secondary's ruleset; then shows CARP on both nodes, traceroutes from the client through
# the primary, keeps a TCP connection open through the NAT, stops the primary and measures
# the failover gap with a 10 ms ping, shows the connection survived and the traceroute now
# going through the secondary, brings the primary back (it preempts), then does the same
# with a power loss (kill -9 and links down) while 20 more TCP connections are open, each
# checked with data after the failover and after the failback. Always tears the lab down.
set -euo pipefail
BIN=${1:?usage: demo.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
export TANDEM_LAB=${TANDEM_LAB:-tandem-lab}
LAB="$HERE/lab.sh"
CLIENT="$TANDEM_LAB-client"
UPSTREAM=198.51.100.254

trap 'echo; echo "== tearing the lab down"; rm -rf "${DHCP_DIR:-/nonexistent}"; [ -z "${FLOWS_CLIENT:-}" ] || { kill "$FLOWS_CLIENT" "$FLOWS_SERVER" 2>/dev/null || true; }; rm -f "${FLOWS_IN:-}" "${FLOWS_OUT:-}"; bash "$LAB" down' EXIT

step() { printf '\n== %s\n' "$*"; }

# Who is the first hop: each firewall answers with its own LAN address, and the resolver on
# the LAN VIP names it (each node's Unbound answers for its own addresses).
node_of() {
  local name
  name=$(ip netns exec "$CLIENT" dig +short +time=1 +tries=2 -x "$1" @192.0.2.1 2>/dev/null | head -n 1)
  echo "${name:-unknown ($1)} (reverse DNS through the VIP)"
}

# The client's DHCP client (isc-dhcp-client), once: a hook applies the lease inside the
# client's namespace only (address and default route; never /etc/resolv.conf).
DHCP_DIR=/tmp/$TANDEM_LAB-dhcp
dhcp_lease() {
  mkdir -p "$DHCP_DIR"
  cat >"$DHCP_DIR/hook.sh" <<'HOOK'
#!/bin/sh
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT)
    ip address replace "$new_ip_address/$new_subnet_mask" dev "$interface"
    ip route replace default via "$new_routers"
    echo "$reason: $new_ip_address from server $new_dhcp_server_identifier, router $new_routers, DNS $new_domain_name_servers, domain $new_domain_name, lease ${new_dhcp_lease_time}s" ;;
esac
HOOK
  chmod +x "$DHCP_DIR/hook.sh"; : >"$DHCP_DIR/out"
  # In the foreground (-d), so $! is dhclient itself; stopped by that PID once bound (60 s).
  ip netns exec "$CLIENT" dhclient -4 -d -sf "$DHCP_DIR/hook.sh" -lf "$DHCP_DIR/leases" -pf "$DHCP_DIR/pid" eth0 >"$DHCP_DIR/out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 600); do [ -s "$DHCP_DIR/out" ] && break; sleep 0.1; done
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  if [ -s "$DHCP_DIR/out" ]; then sed 's/^/-> /' "$DHCP_DIR/out"; else echo "!! no lease within 60 s"; fi
}
resolve() {
  echo "-> www.example.com through 192.0.2.1: $(ip netns exec "$CLIENT" dig +short +time=2 +tries=2 www.example.com @192.0.2.1 | tr '\n' ' ')"
}

trace() {
  local out hop
  out=$(ip netns exec "$CLIENT" traceroute -n -q 1 -w 1 -m 4 "$UPSTREAM" 2>&1 || true)
  echo "$out"
  hop=$(echo "$out" | awk '$1=="1"{print $2; exit}')
  echo "-> first hop $hop is $(node_of "$hop")"
}

# Runs a 10 ms ping (bounded: COUNT packets) while CMD runs, then reports the longest gap
# between consecutive replies (the failover gap) and the loss.
measure() {
  local count=$1; shift
  local out; out=$(mktemp /tmp/tandem-demo-ping.XXXXXX)
  ip netns exec "$CLIENT" ping -D -n -i 0.01 -W 1 -c "$count" "$UPSTREAM" >"$out" 2>&1 &
  local ping_pid=$!
  sleep 1
  "$@"
  wait "$ping_pid" || true
  python3 - "$out" <<'PY'
import re, sys
times = [float(m.group(1)) for m in re.finditer(r'^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=', open(sys.argv[1]).read(), re.M)]
text = open(sys.argv[1]).read()
summary = re.search(r'(\d+) packets transmitted, (\d+) received', text)
gaps = [b - a for a, b in zip(times, times[1:])]
gap = max(gaps) if gaps else float('nan')
sent, got = (int(summary.group(1)), int(summary.group(2))) if summary else (0, 0)
print(f"-> 10 ms ping: {sent} sent, {got} answered, {sent - got} lost; longest gap between replies {gap*1000:.0f} ms")
PY
  rm -f "$out"
}

# Record when the failure happened: a signal takes effect when it is sent (before), a crash
# once the links are down (after: until then the dead node's kernel still forwards).
fail_before() { date +%s.%N >"/tmp/$TANDEM_LAB-failed-at"; "$@"; }
fail_after() { "$@"; date +%s.%N >"/tmp/$TANDEM_LAB-failed-at"; }

# How long after the recorded failure the secondary became MASTER (from its status).
report_takeover() {
  "$BIN" status --json --root "/tmp/$TANDEM_LAB/fw2" | python3 -c '
import json, sys
failed = float(open(sys.argv[1]).read())
wan = [v for v in json.load(sys.stdin)["carp"] if v["vhid"] == 143][0]
ms = (wan["lastTransition"] - failed) * 1000
print("-> secondaryfw became MASTER %.0f ms after the failure (%s)" % (ms, wan["lastReason"]))
' "/tmp/$TANDEM_LAB-failed-at"
  rm -f "/tmp/$TANDEM_LAB-failed-at"
}

wait_state() {  # wait_state N STATE SECONDS: until every vhid of fwN is in STATE
  local n=$1 want=$2 seconds=$3
  for _ in $(seq $((seconds * 20))); do
    local states; states=$(bash "$LAB" states "$n" "$BIN" | awk '{print $2}' | sort -u)
    [ "$states" = "$want" ] && return 0
    sleep 0.05
  done
  echo "!! fw$n did not reach $want within ${seconds}s"
  return 1
}

# Each node's dashboard as the LAN client sees it, in headless Chromium: the URLs, and a
# screenshot of each node that answers, saved under .build/demo/ (skipped without chromium).
dashboards() {  # dashboards SUFFIX
  echo "-> dashboards (from the LAN, user admin, password tandem-lab): primaryfw https://192.0.2.2/, secondaryfw https://192.0.2.3/"
  if ! command -v chromium >/dev/null 2>&1; then echo "-> no screenshots: chromium is not installed"; return 0; fi
  timeout 60 ip netns exec "$CLIENT" /usr/bin/python3 "$HERE/lab-dashboard.py" --screenshots-only \
    "$HERE/../.build/demo" "$1" || echo "!! dashboard screenshots failed"
}

step "bringing the lab up: client, primaryfw, secondaryfw, upstream 198.51.100.254, bridges in $TANDEM_LAB-sw"
bash "$LAB" up "$BIN"
wait_state 1 MASTER 10

step "config sync: both nodes' management endpoints (HTTPS, /xmlrpc.php)"
for n in 1 2; do
  echo "fw$n: $("$BIN" status --root "/tmp/$TANDEM_LAB/fw$n" | grep '^management:')"
done
echo "secondaryfw.xml held only node-local settings; lab.sh up had primaryfw push the rest:"
"$BIN" status --root "/tmp/$TANDEM_LAB/fw2" | grep 'last received push' | sed 's/^ */  /'

step "the VIPs arrived on secondaryfw with advskew 100 (primaryfw's 0 + 100)"
for n in 1 2; do
  echo "fw$n: $("$BIN" status --json --root "/tmp/$TANDEM_LAB/fw$n" | python3 -c '
import json, sys
print("; ".join("vhid %d %s advskew %d %s" % (v["vhid"], v["vip"], v["advskew"], v["state"]) for v in json.load(sys.stdin)["carp"]))')"
done

step "tandem user add john on primaryfw: one committed revision, pushed; john appears on secondaryfw"
echo "john-demo-password" | "$BIN" user add john --group admins --password-stdin --root "/tmp/$TANDEM_LAB/fw1"
for _ in $(seq 100); do "$BIN" user list --root "/tmp/$TANDEM_LAB/fw2" | grep -q '^john ' && break; sleep 0.1; done
echo "secondaryfw's users:"
"$BIN" user list --root "/tmp/$TANDEM_LAB/fw2" | sed 's/^/  /'

step "a rule added on primaryfw with tandem apply reaches secondaryfw's ruleset"
RULE_CFG=/tmp/$TANDEM_LAB-rule.xml
python3 - "/tmp/$TANDEM_LAB/fw1/etc/tandem/config.xml" "$RULE_CFG" <<'PY'
import sys
text = open(sys.argv[1]).read()
rule = """\t\t<rule>
\t\t\t<type>pass</type>
\t\t\t<interface>lan</interface>
\t\t\t<ipprotocol>inet</ipprotocol>
\t\t\t<protocol>tcp</protocol>
\t\t\t<source>
\t\t\t\t<network>lan</network>
\t\t\t</source>
\t\t\t<destination>
\t\t\t\t<address>198.51.100.254</address>
\t\t\t\t<port>8080</port>
\t\t\t</destination>
\t\t\t<descr><![CDATA[Demo: LAN to the upstream host on TCP 8080 (added on primaryfw)]]></descr>
\t\t</rule>
"""
i = text.index("\t<filter>\n") + len("\t<filter>\n")
open(sys.argv[2], "w").write(text[:i] + rule + text[i:])
PY
# apply waits for the daemon's push of the new revision and prints its outcome per section.
ip netns exec "$TANDEM_LAB-fw1" "$BIN" apply --root "/tmp/$TANDEM_LAB/fw1" "$RULE_CFG" 2>&1 \
  | grep -E '^(applied|config pushed|no daemon|  (filter|virtualip): )|push (failed|refused)' | sed 's/^/  /'
rm -f "$RULE_CFG"
for _ in $(seq 100); do ip netns exec "$TANDEM_LAB-fw2" nft list ruleset | grep -q 'added on primaryfw' && break; sleep 0.1; done
for n in 1 2; do
  echo "fw$n: $(ip netns exec "$TANDEM_LAB-fw$n" nft list ruleset | grep 'added on primaryfw' | sed 's/^[[:space:]]*//')"
done
"$BIN" status --root "/tmp/$TANDEM_LAB/fw2" | grep 'last received push' | sed 's/^ */  /'

step "CARP status on both nodes"
bash "$LAB" status "$BIN"
dashboards before-failover

step "the client takes its address by DHCP (Kea HA on both nodes: the primary answers) and resolves through the VIP"
ip -n "$CLIENT" address flush dev eth0
dhcp_lease
resolve

step "traceroute from the client (gateway = LAN VIP 192.0.2.1 from DHCP)"
trace

# A long-lived TCP connection through the NAT (client -> upstream:7000), opened before the
# failover; state sync has mirrored its conntrack entry, NAT binding included, to the peer.
tcp_start() {
  ip netns exec "$TANDEM_LAB-server" python3 "$HERE/lab-tcp.py" server 7000 "$(( $1 + 5 ))" &
  SERVER_PID=$!
  sleep 0.3
  ip netns exec "$CLIENT" python3 "$HERE/lab-tcp.py" client "$UPSTREAM" 7000 "$1" >"/tmp/$TANDEM_LAB-tcp.txt" 2>&1 &
  CLIENT_PID=$!
  sleep 1
}
tcp_result() {
  wait "$CLIENT_PID" || true
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  echo "-> $(cat "/tmp/$TANDEM_LAB-tcp.txt")"
  rm -f "/tmp/$TANDEM_LAB-tcp.txt"
}

# Twenty long-lived TCP connections (client -> upstream:7100) opened before the hard failure
# and driven through a FIFO: each `check` sends three lines on every connection.
FLOWS_IN=/tmp/$TANDEM_LAB-flows.in
FLOWS_OUT=/tmp/$TANDEM_LAB-flows.out
flows_open() {
  ip netns exec "$TANDEM_LAB-server" python3 "$HERE/lab-flows.py" server 7100 90 &
  FLOWS_SERVER=$!
  sleep 0.3
  rm -f "$FLOWS_IN"; mkfifo "$FLOWS_IN"; : >"$FLOWS_OUT"
  ip netns exec "$CLIENT" python3 "$HERE/lab-flows.py" client "$UPSTREAM" 7100 "$1" 0 41000 <"$FLOWS_IN" >"$FLOWS_OUT" 2>&1 &
  FLOWS_CLIENT=$!
  exec 7>"$FLOWS_IN"
  for _ in $(seq 100); do grep -q '^ready' "$FLOWS_OUT" && break; sleep 0.1; done
}
flows_report() {  # flows_report WHEN: one round of data on every connection (bounded, 60 s)
  local before; before=$(grep -c '^tcp ' "$FLOWS_OUT" || true)
  echo check >&7
  for _ in $(seq 600); do [ "$(grep -c '^tcp ' "$FLOWS_OUT")" -gt "$before" ] && break; sleep 0.1; done
  local line; line=$(grep '^tcp ' "$FLOWS_OUT" | tail -1)
  set -- "$1" $line
  echo "-> ${3%%/*}/${3##*/} connections still working $1"
}
flows_close() {
  echo quit >&7; exec 7>&-
  for _ in $(seq 50); do kill -0 "$FLOWS_CLIENT" 2>/dev/null || break; sleep 0.1; done
  kill "$FLOWS_CLIENT" "$FLOWS_SERVER" 2>/dev/null || true
  wait "$FLOWS_CLIENT" "$FLOWS_SERVER" 2>/dev/null || true
  rm -f "$FLOWS_IN" "$FLOWS_OUT"
}

step "a long-lived TCP connection from the client to the upstream host, mirrored by state sync"
tcp_start 8
bash "$LAB" status "$BIN" | grep "state sync"

step "stopping the primary (kill, i.e. SIGTERM: it bows out with advskew 255) while pinging every 10 ms"
measure 400 fail_before bash "$LAB" stop 1 TERM
wait_state 2 MASTER 5
report_takeover
tcp_result
wait_state 2 MASTER 5

step "CARP status after the failover"
bash "$LAB" status "$BIN"
dashboards after-failover

step "traceroute again"
trace

step "the client renews its lease (now from the secondary) and still resolves through the VIP"
dhcp_lease
resolve

step "bringing the primary back: it preempts"
bash "$LAB" start 1 "$BIN"
wait_state 1 MASTER 6
wait_state 2 BACKUP 2
bash "$LAB" status "$BIN"
dashboards after-failback
trace


step "hard failure of the primary: the daemon is killed with kill -9 and its links go down"
echo "   (no bow-out: the secondary waits for master-down, 3 x advbase + 100/256 s = 3.39 s)"
tcp_start 10
flows_open 20
echo "-> 20 more long-lived TCP connections open through the NAT"
measure 700 fail_after bash "$LAB" crash 1
wait_state 2 MASTER 5
report_takeover
tcp_result
flows_report "after the failover"
trace

step "the primary comes back after kill -9: it removes the VIPs it left behind, then preempts"
bash "$LAB" links 1 up
bash "$LAB" start 1 "$BIN"
wait_state 1 MASTER 6
grep -h "stale VIP" "/tmp/$TANDEM_LAB/fw1/daemon.log" || true
flows_report "after failback"
flows_close
bash "$LAB" status "$BIN"
trace
