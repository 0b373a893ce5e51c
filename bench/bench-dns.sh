#!/usr/bin/env bash
# DNS through the LAN VIP: queries per second from the lab client to the Unbound that
# `tandem daemon` supervises on the primary, against the same Unbound binary run by hand in
# the same namespace with a hand-written config (the same answer from local data), measured
# in the same run. Supervision should add nothing: the daemon only starts the process.
set -euo pipefail
dir=${1:?usage: bench-dns.sh RELEASE_BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
export TANDEM_LAB=tandem-benchdns-$(printf '%04x' "$RANDOM")
LAB="$here/../scripts/lab.sh"
hand=/tmp/$TANDEM_LAB-hand
trap '[ -f "$hand/pid" ] && kill "$(cat "$hand/pid")" 2>/dev/null; rm -rf "$hand"; bash "$LAB" down >/dev/null 2>&1' EXIT
bash "$LAB" up "$dir/tandem" >/dev/null
mkdir -p "$hand"
# The same answer both ways: the node's own name is local data in both resolvers.
cat >"$hand/unbound.conf" <<CONF
server:
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$hand"
  pidfile: ""
  use-syslog: no
  port: 5353
  interface: 192.0.2.2
  access-control: 192.0.2.0/24 allow
  local-zone: "vmlab.corp." transparent
  local-data: "primaryfw.vmlab.corp. A 192.0.2.2"
remote-control:
  control-enable: no
CONF
ip netns exec "$TANDEM_LAB-fw1" /usr/sbin/unbound -d -c "$hand/unbound.conf" >"$hand/log" 2>&1 &
echo $! >"$hand/pid"
sleep 1
for round in 1 2 3; do
  echo "round $round: supervised, through the VIP: $(ip netns exec "$TANDEM_LAB-client" python3 "$here/dns-qps.py" 192.0.2.1 53 primaryfw.vmlab.corp 8 2000)"
  echo "round $round: by hand, same namespace:     $(ip netns exec "$TANDEM_LAB-client" python3 "$here/dns-qps.py" 192.0.2.2 5353 primaryfw.vmlab.corp 8 2000)"
done
