#!/usr/bin/env bash
# The reference scenario (DESIGN.md) in network namespaces, never touching the host's own:
#
#   tandem-lab-client (192.0.2.100, gw 192.0.2.1) ─┐
#                                    LAN br-lan ───┼── fw1 lan0 .2 / fw2 lan0 .3   VIP 192.0.2.1 vhid 1
#   tandem-lab-server (198.51.100.254)          ───┼── fw1 wan0 .2 / fw2 wan0 .3   VIP 198.51.100.1 vhid 143
#                                    WAN br-wan    │
#                                   SYNC br-sync ──┴── fw1 sync0 203.0.113.1 / fw2 sync0 .2
#
# The three segments are bridges inside tandem-lab-sw. Each firewall runs
# `tandem daemon --root $LAB_DIR/fwN` with etc/examples/{primaryfw,secondaryfw}.xml, started
# in its namespace; its PID is recorded and it is stopped by that PID only.
#
# usage: lab.sh up BIN | down | status BIN | failover BIN | start N BIN | stop N [SIGNAL]
#        | states N BIN | links N up|down | crash N
set -euo pipefail

# TANDEM_LAB names the lab (namespaces "$TANDEM_LAB-*", files in /tmp/$TANDEM_LAB), so the
# lab tests can run beside a demo. It must start with "tandem-".
P=${TANDEM_LAB:-tandem-lab}
case "$P" in tandem-*) ;; *) echo "lab: TANDEM_LAB must start with tandem-" >&2; exit 2 ;; esac
LAB_DIR=/tmp/$P
REPO=$(cd "$(dirname "$0")/.." && pwd)
NAMESPACES=("$P-sw" "$P-fw1" "$P-fw2" "$P-client" "$P-server")

log() { printf '[lab] %s\n' "$*"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Brings one namespace's end of a segment up: veth NAME in NS, its peer on bridge BR in sw.
plug() {
  local ns=$1 name=$2 bridge=$3 peer=$4
  ip -n "$P-sw" link add "$peer" type veth peer name "$name" netns "$ns"
  ip -n "$P-sw" link set "$peer" master "$bridge" up
}

up() {
  local bin=$1
  [ -x "$bin" ] || { echo "lab: $bin is not an executable" >&2; exit 2; }
  down >/dev/null 2>&1 || true
  mkdir -p "$LAB_DIR"
  for ns in "${NAMESPACES[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  for br in br-wan br-lan br-sync; do
    ip -n "$P-sw" link add "$br" type bridge
    # CARP advertisements are multicast (224.0.0.18): flood them, no snooping, no STP delay.
    ip -n "$P-sw" link set "$br" type bridge mcast_snooping 0 stp_state 0 forward_delay 0
    ip -n "$P-sw" link set "$br" up
  done
  local n
  for n in 1 2; do
    plug "$P-fw$n" wan0 br-wan "fw$n-wan"
    plug "$P-fw$n" lan0 br-lan "fw$n-lan"
    plug "$P-fw$n" sync0 br-sync "fw$n-sync"
  done
  plug "$P-client" eth0 br-lan client-lan
  plug "$P-server" eth0 br-wan server-wan
  in_ns "$P-client" ip address add 192.0.2.100/24 dev eth0
  in_ns "$P-client" ip link set eth0 up
  in_ns "$P-client" ip route add default via 192.0.2.1
  # The upstream host has no route to the LAN: replies reach the LAN only through the
  # outbound NAT to the WAN VIP.
  in_ns "$P-server" ip address add 198.51.100.254/24 dev eth0
  in_ns "$P-server" ip link set eth0 up
  upstream_services

  install -d -m 0700 "$LAB_DIR/fw1/etc/tandem" "$LAB_DIR/fw2/etc/tandem"
  install -m 0600 "$REPO/etc/examples/primaryfw.xml" "$LAB_DIR/fw1/etc/tandem/config.xml"
  install -m 0600 "$REPO/etc/examples/secondaryfw.xml" "$LAB_DIR/fw2/etc/tandem/config.xml"
  start 1 "$bin"
  start 2 "$bin"
  # secondaryfw.xml holds only what is node-local (interfaces, the sync link, pfsync, the
  # admin user, the web GUI); the VIPs, rules, NAT, aliases and DHCP come from primaryfw's
  # XML-RPC push, as on a pfSense pair. Bounded: 10 s for the endpoint, 10 s for the VIPs.
  push_config "$bin"
  wait_masters "$bin" 8
}

# The upstream host stands in for the internet's services: an authoritative server for the
# documentation zone example.com (www.example.com = 203.0.113.80), which the firewalls'
# resolvers forward to, and an NTP server (chronyd -x: it never sets this machine's clock).
# Own files under $LAB_DIR/upstream, stopped by PID in `down`.
upstream_services() {
  local dir="$LAB_DIR/upstream"
  mkdir -p "$dir"
  cat >"$dir/unbound.conf" <<CONF
server:
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  use-syslog: no
  interface: 198.51.100.254
  access-control: 198.51.100.0/24 allow
  local-zone: "example.com." static
  local-data: "www.example.com. 300 IN A 203.0.113.80"
remote-control:
  control-enable: no
CONF
  cat >"$dir/chrony.conf" <<CONF
local stratum 8
allow 198.51.100.0/24
bindaddress 198.51.100.254
pidfile $dir/chronyd.pid
driftfile $dir/chrony.drift
cmdport 0
bindcmdaddress $dir/chronyd.sock
CONF
  # `ip netns exec` directly (not the in_ns function, which `&` would run in a subshell):
  # it execs the server, so $! is the server's own PID.
  if [ -x /usr/sbin/unbound ]; then
    ip netns exec "$P-server" /usr/sbin/unbound -d -c "$dir/unbound.conf" >"$dir/unbound.log" 2>&1 &
    echo $! >"$dir/unbound.run"
  fi
  if [ -x /usr/sbin/chronyd ]; then
    ip netns exec "$P-server" /usr/sbin/chronyd -x -d -u root -f "$dir/chrony.conf" >"$dir/chronyd.log" 2>&1 &
    echo $! >"$dir/chronyd.run"
  fi
}

# primaryfw pushes its config to secondaryfw now (`tandem sync now` in fw1's namespace), then
# waits until secondaryfw runs both vhids.
push_config() {
  local bin=$1 out
  for _ in $(seq 100); do
    ip netns exec "$P-fw1" curl -sk -o /dev/null --max-time 1 https://203.0.113.2/xmlrpc.php && break
    sleep 0.1
  done
  log "primaryfw pushes its config to secondaryfw (XML-RPC over HTTPS)"
  if ! out=$(ip netns exec "$P-fw1" "$bin" sync now --root "$LAB_DIR/fw1" 2>&1); then
    echo "$out" | sed 's/^/[lab]   /'
    echo "lab: the config push to secondaryfw failed" >&2
    return 1
  fi
  echo "$out" | sed 's/^/[lab]   /'
  for _ in $(seq 100); do
    [ "$(states 2 "$bin" | wc -l)" -ge 2 ] && return 0
    sleep 0.1
  done
  echo "lab: secondaryfw does not run the pushed VIPs" >&2
  return 1
}

# Starts fwN's daemon in its namespace and records its PID.
start() {
  local n=$1 bin=$2
  local root="$LAB_DIR/fw$n"
  if [ -f "$root/daemon.pid" ] && kill -0 "$(cat "$root/daemon.pid")" 2>/dev/null; then
    log "fw$n already running (pid $(cat "$root/daemon.pid"))"; return 0
  fi
  # `ip netns exec` and `unshare` exec the command, so $! is the daemon itself. Its own UTS
  # namespace lets it apply its host name (primaryfw, secondaryfw) without renaming this machine.
  ip netns exec "$P-fw$n" unshare --uts "$bin" daemon --root "$root" >>"$root/daemon.log" 2>&1 &
  echo $! >"$root/daemon.pid"
  # Bounded wait for the control socket (5 s).
  # Bounded wait (5 s) until this daemon, not an earlier one, answers on the control socket.
  local pid; pid=$(cat "$root/daemon.pid")
  for _ in $(seq 50); do
    if [ -S "$root/run/tandem/control.sock" ] \
       && "$bin" status --json --root "$root" 2>/dev/null | grep -q "\"pid\" : $pid\b"; then
      log "fw$n daemon started (pid $pid)"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "lab: fw$n daemon did not come up; its log:" >&2
  tail -n 20 "$root/daemon.log" >&2
  return 1
}

# Stops fwN's daemon by its recorded PID (SIGTERM by default) and waits for it (5 s).
stop() {
  local n=$1 signal=${2:-TERM}
  local root="$LAB_DIR/fw$n"
  [ -f "$root/daemon.pid" ] || return 0
  local pid; pid=$(cat "$root/daemon.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -s "$signal" "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -s KILL "$pid" || true; fi
    wait "$pid" 2>/dev/null || true
    log "fw$n daemon (pid $pid) stopped with SIG$signal"
  fi
  rm -f "$root/daemon.pid"
}

# Prints `vhid state` lines of fwN from `tandem status --json`.
states() {
  local n=$1 bin=$2
  "$bin" status --json --root "$LAB_DIR/fw$n" 2>/dev/null \
    | python3 -c 'import json,sys; [print(v["vhid"], v["state"]) for v in json.load(sys.stdin)["carp"]]' 2>/dev/null || true
}

# Waits (bounded) until every vhid has a MASTER on one of the firewalls.
wait_masters() {
  local bin=$1 seconds=$2
  for _ in $(seq $((seconds * 10))); do
    local masters; masters=$( { states 1 "$bin"; states 2 "$bin"; } | awk '$2=="MASTER"{print $1}' | sort -u | wc -l)
    [ "$masters" -ge 2 ] && return 0
    sleep 0.1
  done
  log "not every vhid has a MASTER after ${seconds}s"
  return 1
}

# Sets fwN's three interfaces up or down (a power loss is `stop N KILL` plus `links N down`).
links() {
  local n=$1 state=$2 dev
  for dev in wan0 lan0 sync0; do ip -n "$P-fw$n" link set "$dev" "$state"; done
  log "fw$n links $state"
}

# A power loss of fwN: its daemon is killed (SIGKILL, no bow-out) and its links go down at
# once; whatever the daemon had configured (VIPs included) stays behind, as after a crash.
crash() {
  local n=$1
  local root="$LAB_DIR/fw$n"
  local pid; pid=$(cat "$root/daemon.pid")
  kill -s KILL "$pid"
  links "$n" down
  rm -f "$root/daemon.pid"
  log "fw$n crashed (pid $pid killed with SIGKILL)"
}

status() {
  local bin=$1
  for n in 1 2; do
    echo "== fw$n ($( [ $n = 1 ] && echo primaryfw || echo secondaryfw )) =="
    if [ -S "$LAB_DIR/fw$n/run/tandem/control.sock" ]; then
      "$bin" status --root "$LAB_DIR/fw$n" || true
    else
      echo "(daemon not running)"
    fi
  done
}

failover() {
  local bin=$1
  stop 1 TERM
  wait_masters "$bin" 6 || true
  status "$bin"
}

# Removes everything `up` made, whatever state a partial `up` left.
down() {
  for n in 1 2; do stop "$n" TERM || true; done
  local f pid
  for f in "$LAB_DIR"/upstream/*.run; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  for ns in "${NAMESPACES[@]}"; do
    ip netns delete "$ns" 2>/dev/null || true
  done
  rm -rf "$LAB_DIR"
  log "lab removed"
}

cmd=${1:-}
case "$cmd" in
  up) up "${2:?usage: lab.sh up BIN}" ;;
  down) down ;;
  status) status "${2:?usage: lab.sh status BIN}" ;;
  failover) failover "${2:?usage: lab.sh failover BIN}" ;;
  start) start "${2:?N}" "${3:?BIN}" ;;
  stop) stop "${2:?N}" "${3:-TERM}" ;;
  states) states "${2:?N}" "${3:?BIN}" ;;
  links) links "${2:?N}" "${3:?up|down}" ;;
  crash) crash "${2:?N}" ;;
  *) echo "usage: lab.sh up BIN | down | status BIN | failover BIN | start N BIN | stop N [SIGNAL] | states N BIN | links N up|down | crash N" >&2; exit 2 ;;
esac
