#!/usr/bin/env bash
# DHCPv4 through the lab: leases per second that the primary's Kea (run by `tandem daemon`)
# grants to `perfdhcp` (Kea's own load generator, in Debian 12's kea-admin) on the LAN
# client, with HA hot-standby on (every DHCPACK waits for the lease update to the standby)
# and off (the same nodes restarted with the DHCP failover removed from their config.xml:
# no failover_peerip, DHCP disabled on the secondary). Bounded: each run is RATE offered
# exchanges per second for SECONDS, over CLIENTS simulated clients (the pool has 100).
set -euo pipefail
dir=${1:?usage: bench-dhcp.sh RELEASE_BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
command -v perfdhcp >/dev/null || [ -x /usr/sbin/perfdhcp ] || { echo "skipped: perfdhcp not installed (kea-admin, scripts/install-deps.sh)"; exit 0; }
export TANDEM_LAB=tandem-benchdhcp-$(printf '%04x' "$RANDOM")
LAB="$here/../scripts/lab.sh"
P=$TANDEM_LAB
SECONDS_PER_RUN=${DHCP_BENCH_SECONDS:-10}
CLIENTS=90
trap 'bash "$LAB" down >/dev/null 2>&1' EXIT
bash "$LAB" up "$dir/tandem" >/dev/null

kea_state() {  # kea_state N: the node's HA state, or "no-ha"
  python3 - "/tmp/$P/fw$1/run/tandem/kea/kea4-ctrl-socket" <<'PY' 2>/dev/null || echo down
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1])
s.sendall(b'{"command":"status-get"}'); data = b""
while True:
    b = s.recv(65536)
    if not b: break
    data += b
ha = json.loads(data).get("arguments", {}).get("high-availability")
print(ha[0]["ha-servers"]["local"]["state"] if ha else "no-ha")
PY
}
wait_states() {  # wait_states S1 S2: bounded (60 s)
  for _ in $(seq 300); do
    [ "$(kea_state 1)" = "$1" ] && [ "$(kea_state 2)" = "$2" ] && return 0
    sleep 0.2
  done
  echo "Kea states fw1/fw2: $(kea_state 1)/$(kea_state 2), wanted $1/$2" >&2; return 1
}

# One perfdhcp run: DORA exchanges at RATE/s; prints the ACKs received per second.
run() {
  local rate=$1 out
  out=$(ip netns exec "$P-client" perfdhcp -4 -l eth0 -r "$rate" -R "$CLIENTS" -p "$SECONDS_PER_RUN" 2>&1) || true
  python3 - "$SECONDS_PER_RUN" "$rate" "$out" <<'PY'
import re, sys
seconds, rate, out = float(sys.argv[1]), sys.argv[2], sys.argv[3]
# perfdhcp prints one block per exchange: "***Statistics for: DISCOVER-OFFER***" then
# "RA" (REQUEST-ACK), each with "sent packets" and "received packets".
blocks = re.split(r"\*\*\*Statistics for: ", out)
def received(name):
    for b in blocks:
        if b.startswith(name):
            m = re.search(r"received packets: (\d+)", b)
            return int(m.group(1)) if m else 0
    return 0
acks, offers = received("REQUEST-ACK"), received("DISCOVER-OFFER")
if offers == 0:
    print("no answer: " + " | ".join(out.strip().splitlines()[-3:])); sys.exit(1)
print(f"offered {rate}/s: {offers / seconds:.0f} offers/s, {acks / seconds:.0f} leases/s")
PY
}

wait_states hot-standby hot-standby
for rate in 200 1000; do echo "HA on,  $(run $rate)"; done

# HA off: the same nodes with the failover taken out of their config.
bash "$LAB" stop 1 TERM >/dev/null
bash "$LAB" stop 2 TERM >/dev/null
sed -i '/<failover_peerip>/d' "/tmp/$P/fw1/etc/tandem/config.xml" "/tmp/$P/fw2/etc/tandem/config.xml"
sed -i '/<dhcpd>/,/<\/dhcpd>/{/<enable><\/enable>/d}' "/tmp/$P/fw2/etc/tandem/config.xml"
bash "$LAB" start 1 "$dir/tandem" >/dev/null
bash "$LAB" start 2 "$dir/tandem" >/dev/null
for _ in $(seq 100); do [ "$(kea_state 1)" = no-ha ] && break; sleep 0.2; done
[ "$(kea_state 1)" = no-ha ] || { echo "fw1's Kea did not come back without HA: $(kea_state 1)"; exit 1; }
for rate in 200 1000; do echo "HA off, $(run $rate)"; done
