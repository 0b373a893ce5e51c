# Sourced by bench/bench-carp.sh: keepalived (VRRPv3) on the lab's two firewall namespaces,
# with the same VIPs as the Tandem configs (LAN 192.0.2.1 vrid 1, WAN 198.51.100.1 vrid 143),
# one sync group so both move together as Tandem's demotion makes them. fw1 has priority
# 150, fw2 100, so fw2's master-down time is 3 × advert_int + (256 − 100)/256 × advert_int
# (RFC 5798 §6.1). Expects P (lab prefix) and KA_DIR (a temp dir) to be set.

# ka_config N ADVERT_INT: writes fwN's keepalived.conf and prints its path.
ka_config() {
  local n=$1 interval=$2 prio
  prio=$([ "$n" = 1 ] && echo 150 || echo 100)
  local file="$KA_DIR/fw$n.conf"
  cat >"$file" <<CONF
global_defs {
    router_id bench-fw$n
    vrrp_version 3
    script_user root
    enable_script_security
}
vrrp_sync_group G {
    group {
        LAN
        WAN
    }
}
vrrp_instance LAN {
    state BACKUP
    interface lan0
    virtual_router_id 1
    priority $prio
    advert_int $interval
    virtual_ipaddress {
        192.0.2.1/24 dev lan0
    }
}
vrrp_instance WAN {
    state BACKUP
    interface wan0
    virtual_router_id 143
    priority $prio
    advert_int $interval
    virtual_ipaddress {
        198.51.100.1/24 dev wan0
    }
}
CONF
  echo "$file"
}

# ka_prepare: after the Tandem daemons are stopped, leaves each firewall a plain router:
# no VIPs, forwarding on, and only a source NAT of the LAN to the WAN VIP (what Tandem's
# outbound NAT does), so the upstream host's replies come back through the VIP.
ka_prepare() {
  local n
  for n in 1 2; do
    ip -n "$P-fw$n" address del 192.0.2.1/24 dev lan0 2>/dev/null || true
    ip -n "$P-fw$n" address del 198.51.100.1/24 dev wan0 2>/dev/null || true
    ip netns exec "$P-fw$n" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$P-fw$n" nft -f - <<'NFT'
flush ruleset
table ip bench {
    chain post {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "wan0" ip saddr 192.0.2.0/24 snat to 198.51.100.1
    }
}
NFT
  done
}

# ka_start N ADVERT_INT: starts keepalived (VRRP only, in the foreground) in fwN's namespace
# and records the PIDs of the parent and, once written, of its VRRP child.
ka_start() {
  local n=$1 interval=$2 conf
  conf=$(ka_config "$n" "$interval")
  rm -f "$KA_DIR/fw$n.pid" "$KA_DIR/fw$n.vrrp.pid"
  ip netns exec "$P-fw$n" keepalived -n -l -D -P -f "$conf" -p "$KA_DIR/fw$n.pid" \
    -r "$KA_DIR/fw$n.vrrp.pid" >>"$KA_DIR/fw$n.log" 2>&1 &
  echo $! >"$KA_DIR/fw$n.parent"
  disown $!  # polled by PID below, not waited for as a job
  local _
  for _ in $(seq 50); do  # bounded: 5 s for the VRRP child to start
    [ -s "$KA_DIR/fw$n.vrrp.pid" ] && return 0
    kill -0 "$(cat "$KA_DIR/fw$n.parent")" 2>/dev/null || break
    sleep 0.1
  done
  echo "keepalived on fw$n did not start; its log:" >&2
  tail -n 5 "$KA_DIR/fw$n.log" >&2
  return 1
}

# ka_stop N [SIGNAL]: SIGTERM goes to the parent, which stops its VRRP child (that sends
# priority 0 and removes the VIPs). KILL is a crash: the parent is frozen first (SIGSTOP), so
# it can neither respawn the child nor make it exit cleanly through its parent-death signal
# (which would send priority 0), then the child and the parent are killed. Bounded wait
# (5 s) for both.
ka_stop() {
  local n=$1 signal=${2:-TERM} parent child=""
  [ -f "$KA_DIR/fw$n.parent" ] || return 0
  parent=$(cat "$KA_DIR/fw$n.parent")
  [ -s "$KA_DIR/fw$n.vrrp.pid" ] && child=$(cat "$KA_DIR/fw$n.vrrp.pid")
  if [ "$signal" = KILL ]; then
    kill -s STOP "$parent" 2>/dev/null || true
    [ -z "$child" ] || kill -s KILL "$child" 2>/dev/null || true
  fi
  kill -s "$signal" "$parent" 2>/dev/null || true
  local _ pid
  for pid in $parent $child; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -s KILL "$pid" 2>/dev/null
  done
  rm -f "$KA_DIR/fw$n.parent" "$KA_DIR/fw$n.pid" "$KA_DIR/fw$n.vrrp.pid"
}

# ka_holds N: whether fwN holds both VIPs.
ka_holds() {
  ip -n "$P-fw$1" -o -4 address show dev lan0 | grep -q ' 192.0.2.1/24 ' &&
    ip -n "$P-fw$1" -o -4 address show dev wan0 | grep -q ' 198.51.100.1/24 '
}

# ka_transitions N: state changes keepalived has logged on fwN so far.
ka_transitions() { grep -c 'Entering .* STATE' "$KA_DIR/fw$1.log" 2>/dev/null || true; }
