#!/usr/bin/env bash
# CARP advertisement timing on the master while its management endpoint is busy (make bench).
# Lab as scripts/lab.sh builds it; the master's WAN advertisements (vhid 143, advbase 1,
# advskew 0: one a second) are captured on the upstream host for 20 s idle, then for 20 s
# while the endpoint serves 100 config pushes (pfSense-style restore_config_section of the
# filter, nat and aliases sections, each a committed revision and a reload) and a flood of
# failed logins. Prints the interval statistics of both phases and the worst lateness
# against advbase (target: under 10 % of advbase, 100 ms).
set -euo pipefail
dir=${1:?usage: bench-mgmt.sh RELEASE_BIN_DIR}
BIN=$dir/tandem
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
export TANDEM_LAB=tandem-benchmgmt-$(printf '%04x' "$RANDOM")
P=$TANDEM_LAB
LAB="$REPO/scripts/lab.sh"
if [ "$(id -u)" -ne 0 ] || ! ip netns add "$P-probe" 2>/dev/null; then
  echo "skipped: needs root and network namespaces"; exit 0
fi
ip netns delete "$P-probe"
trap 'bash "$LAB" down >/dev/null 2>&1' EXIT
bash "$LAB" up "$BIN" >/dev/null

capture() {  # capture SECONDS OUT: tcpdump lines of fw1's WAN advertisements (the timestamp first)
  timeout "$1" ip netns exec "$P-server" tcpdump -i eth0 -n -tt -l 'ip proto 112 and src 198.51.100.2' > "$2" 2>/dev/null || true
}

load() {
  # 100 pushes, one after the other, from the LAN client (bounded: 300 s)...
  ip netns exec "$P-client" timeout 300 bash -c '
    for i in $(seq 100); do
      python3 "'"$REPO"'/scripts/xmlrpc-primary.py" https://192.0.2.2 admin tandem-lab "'"$REPO"'/etc/examples/primaryfw.xml" filter,nat,aliases >/dev/null || echo "push $i failed"
    done' &
  local pushes=$!
  # ...and 1,000 failed logins from a second LAN address (its lockout must not stop the
  # pushes), one TLS connection each (bounded: 120 s).
  ip netns exec "$P-client" ip address add 192.0.2.101/24 dev eth0 2>/dev/null || true
  ip netns exec "$P-client" timeout 120 bash -c '
    for i in $(seq 1000); do
      curl -sk --max-time 5 --interface 192.0.2.101 -u "mallory:guess$i" -o /dev/null \
        --data "<?xml version=\"1.0\"?><methodCall><methodName>pfsense.host_firmware_version</methodName></methodCall>" \
        https://192.0.2.2/xmlrpc.php || true
    done' &
  local flood=$!
  wait "$pushes" "$flood" || true
}

stats() {  # stats FILE LABEL
  python3 - "$1" "$2" <<'PY'
import sys
t = [float(x.split()[0]) for x in open(sys.argv[1]) if x.strip()]
d = sorted(b - a for a, b in zip(t, t[1:]))
if not d:
    print("%s: no advertisements captured" % sys.argv[2]); sys.exit(0)
p99 = d[min(len(d) - 1, int(len(d) * 0.99))]
print("%-34s %3d intervals  mean %.1f ms  p99 %.1f ms  max %.1f ms  worst lateness %+.1f ms"
      % (sys.argv[2], len(d), 1000 * sum(d) / len(d), 1000 * p99, 1000 * d[-1], 1000 * (d[-1] - 1.0)))
PY
}

capture 20 "/tmp/$P-idle"
# The load capture lasts as long as the load (bounded: 400 s).
timeout 400 ip netns exec "$P-server" tcpdump -i eth0 -n -tt -l 'ip proto 112 and src 198.51.100.2' > "/tmp/$P-load" 2>/dev/null &
cap=$!
sleep 2
start=$(date +%s.%N)
load
end=$(date +%s.%N)
sleep 1
kill "$cap" 2>/dev/null || true
wait "$cap" 2>/dev/null || true
revs=$("$BIN" status --root "/tmp/$P/fw1" | grep -o 'committed revision [0-9]*' | awk '{print $3}')
stats "/tmp/$P-idle" "idle"
stats "/tmp/$P-load" "100 pushes + 1,000 failed logins"
echo "load took $(python3 -c "print('%.1f' % ($end - $start))") s; fw1's last pushed revision: ${revs:-none}"
"$BIN" status --root "/tmp/$P/fw1" | sed -n '/^management/,$p'
rm -f "/tmp/$P-idle" "/tmp/$P-load"
