#!/usr/bin/env bash
# The management endpoint and XML-RPC config sync on the namespace lab (scripts/lab.sh), run
# by `make test` with the built binary: a pfSense-2.7-style primary written with Python's
# xmlrpc.client pushes into the secondary over real TLS; Tandem's own primary pushes what is
# applied on it; refusals (wrong password, missing
# privilege, no credentials, a config that does not validate, the sync loop, a login flood,
# an oversized body, a slow request). Prints "N passed, N failed".
set -uo pipefail
BIN=${1:?usage: sync-tests.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
export TANDEM_LAB=tandem-synctest-$(printf '%04x' "$RANDOM")
LAB="$HERE/lab.sh"
P=$TANDEM_LAB
PRIMARY="$HERE/xmlrpc-primary.py"
passed=0
failed=0

if [ "$(id -u)" -ne 0 ]; then echo "skipped sync tests: not running as root"; exit 0; fi
if ! ip netns add "$P-probe" 2>/dev/null; then echo "skipped sync tests: cannot create network namespaces"; exit 0; fi
ip netns delete "$P-probe"
CORPUS=${TANDEM_CORPUS:-$REPO/../shared/corpus}

trap 'bash "$LAB" down >/dev/null 2>&1' EXIT

check() {  # check NAME COMMAND...
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok   $name${out:+ ($out)}"
  else
    failed=$((failed + 1)); echo "FAIL $name${out:+: $out}"
    for n in 1 2; do [ -f "/tmp/$P/fw$n/daemon.log" ] && tail -n 12 "/tmp/$P/fw$n/daemon.log" | sed "s/^/     fw$n| /"; done
  fi
}
skip() { echo "skip $1: $2"; }

FW2=/tmp/$P/fw2
FW1=/tmp/$P/fw1
# The secondary's endpoint as the LAN client (192.0.2.100) reaches it: the anti-lockout rule
# lets the LAN reach the web GUI port.
URL2=https://192.0.2.3
in_client() { ip netns exec "$P-client" "$@"; }
in_fw() { local n=$1; shift; ip netns exec "$P-fw$n" "$@"; }
revisions() { ls "$1/var/lib/tandem/history" 2>/dev/null | wc -l; }
mgmt_json() { "$BIN" status --json --root "$1" | python3 -c "import json,sys; m=json.load(sys.stdin)['management']; print($2)"; }
# POSTs a body with curl from the client namespace; prints HTTP status and the body.
post() { in_client curl -sk --max-time 20 -o - -w '\nHTTP %{http_code}\n' "$@"; }
ver='<?xml version="1.0"?><methodCall><methodName>pfsense.host_firmware_version</methodName><params></params></methodCall>'

t_tls_up() {
  local cert; cert=$(in_client sh -c "echo | openssl s_client -connect 192.0.2.3:443 2>/dev/null" | grep -c "BEGIN CERTIFICATE")
  [ "$cert" -ge 1 ] || { echo "no certificate served on 192.0.2.3:443"; return 1; }
  local mode; mode=$(stat -c %a "$FW2/var/lib/tandem/tls/node.key")
  [ "$mode" = 600 ] || { echo "key mode $mode"; return 1; }
  echo "self-signed certificate served, key mode $mode"
}

t_no_credentials() {
  local out; out=$(post -H 'Content-Type: text/xml' --data "$ver" "$URL2/xmlrpc.php")
  # Here-strings, not `echo | grep -q`: grep -q exits at the first match, and under
  # pipefail the echo's SIGPIPE would fail the check.
  grep -q "<int>-1</int>" <<<"$out" && grep -q "Invalid username or password" <<<"$out" || { echo "$out"; return 1; }
  echo "fault -1"
}

t_wrong_password() {
  local out; out=$(in_client python3 "$PRIMARY" "$URL2" admin wrong "$REPO/etc/examples/primaryfw.xml" filter)
  [ $? -eq 2 ] && grep -q "fault -1: Authentication failed: Invalid username or password" <<<"$out" || { echo "$out"; return 1; }
  echo "fault -1"
}

t_no_privilege() {
  echo "bobpass" | "$BIN" user add bob --password-stdin --root "$FW2" >/dev/null || { echo "user add failed"; return 1; }
  "$BIN" user list --root "$FW2" | grep -q "^bob .*sync not allowed" || { "$BIN" user list --root "$FW2"; return 1; }
  local out; out=$(in_client python3 "$PRIMARY" "$URL2" bob bobpass "$REPO/etc/examples/primaryfw.xml" filter)
  [ $? -eq 2 ] && grep -q "fault -2: Authentication failed: not enough privileges" <<<"$out" || { echo "$out"; return 1; }
  echo "fault -2"
}

t_interop_restore() {
  local before; before=$(revisions "$FW2")
  local out; out=$(in_client python3 "$PRIMARY" "$URL2" admin tandem-lab "$CORPUS/opnsense-carp-master.xml" filter --config-version 23.3)
  [ $? -eq 0 ] || { echo "$out"; return 1; }
  [ "$(revisions "$FW2")" -eq $((before + 1)) ] || { echo "no new revision"; return 1; }
  grep -q "Merged in config (filter sections) from XMLRPC client." "$FW2/etc/tandem/config.xml" || { echo "revision text missing"; return 1; }
  # filter is replaced whole: the secondary's own "Allow ping" rule is gone from its ruleset.
  until_ok 5 sh -c "! ip netns exec $P-fw2 nft list ruleset | grep -q 'Allow ping to the WAN CARP VIP'" \
    || { echo "fw2's ruleset still has its own rule"; return 1; }
  echo "$out"
}

t_version_refused() {
  local out; out=$(in_client python3 "$PRIMARY" "$URL2" admin tandem-lab "$CORPUS/opnsense-carp-master.xml" filter)
  [ $? -eq 3 ] && grep -q "different configuration version" <<<"$out" || { echo "$out"; return 1; }
  echo "config_version 23.3 against 11.2: not sent"
}

t_invalid_refused() {
  local before; before=$(revisions "$FW2")
  local sum; sum=$(md5sum < "$FW2/etc/tandem/config.xml")
  local bad=/tmp/$P/bad.xml
  sed 's|<interface>lan</interface>|<interface>opt9</interface>|' "$REPO/etc/examples/primaryfw.xml" > "$bad"
  local out; out=$(in_client python3 "$PRIMARY" "$URL2" admin tandem-lab "$bad" filter)
  [ $? -eq 2 ] && grep -q "opt9" <<<"$out" || { echo "$out"; return 1; }
  [ "$(revisions "$FW2")" -eq "$before" ] && [ "$(md5sum < "$FW2/etc/tandem/config.xml")" = "$sum" ] || { echo "config changed"; return 1; }
  echo "$(echo "$out" | head -c 160)"
}

t_loop_guard() {
  # fw1 syncs to 203.0.113.2; a restore from that address is the loop pfSense refuses.
  local before; before=$(revisions "$FW1")
  local out; out=$(in_fw 2 python3 "$PRIMARY" https://203.0.113.1 admin tandem-lab "$REPO/etc/examples/secondaryfw.xml" filter)
  [ $? -eq 0 ] || { echo "$out"; return 1; }
  [ "$(revisions "$FW1")" -eq "$before" ] || { echo "fw1 committed a revision"; return 1; }
  grep -q "Disallowing CARP sync loop" "$FW1/daemon.log" || { echo "not logged"; return 1; }
  echo "answered true, nothing committed, logged"
}

vip_line() {  # vip_line N VHID: "state advskew lastTransition" of fwN's vhid
  "$BIN" status --json --root "/tmp/$P/fw$1" | python3 -c "
import json,sys
for v in json.load(sys.stdin)['carp']:
    if v['vhid'] == $2: print(v['state'], v['advskew'], v.get('lastTransition'))"
}

t_vips() {
  # fw2 holds both VIPs as BACKUP. A push without the LAN VIP stops vhid 1 only; a push
  # with it starts it again; the WAN vhid's last transition never changes (not reconfigured).
  local lan; lan=$(vip_line 2 143)
  [ -n "$lan" ] || { echo "fw2 has no vhid 143"; return 1; }
  local out; out=$(in_fw 1 python3 "$PRIMARY" https://203.0.113.2 admin tandem-lab "$REPO/etc/examples/primaryfw.xml" virtualip --vip-transform --without-vhid 1)
  [ $? -eq 0 ] || { echo "$out"; return 1; }
  until_ok 5 sh -c "[ -z \"\$(\"$BIN\" status --json --root $FW2 | grep '\"vhid\" : 1,')\" ]" || { echo "vhid 1 still on fw2"; return 1; }
  grep -q "stopped 1@lan0" "$FW2/daemon.log" || { echo "no partial reconfiguration logged"; return 1; }
  [ "$(vip_line 2 143)" = "$lan" ] || { echo "vhid 143 was touched: $lan -> $(vip_line 2 143)"; return 1; }
  out=$(in_fw 1 python3 "$PRIMARY" https://203.0.113.2 admin tandem-lab "$REPO/etc/examples/primaryfw.xml" virtualip --vip-transform)
  [ $? -eq 0 ] || { echo "$out"; return 1; }
  until_ok 8 sh -c "\"$BIN\" status --json --root $FW2 | grep -q '\"vhid\" : 1,'" || { echo "vhid 1 not back"; return 1; }
  until_ok 8 sh -c "[ \"\$(bash $LAB states 2 $BIN | awk '\$1==1{print \$2}')\" = BACKUP ]" || { echo "1 on fw2: $(vip_line 2 1)"; return 1; }
  [ "$(vip_line 2 1 | cut -d' ' -f2)" = 100 ] || { echo "advskew $(vip_line 2 1)"; return 1; }
  [ "$(vip_line 2 143)" = "$lan" ] || { echo "vhid 143 was touched: $lan -> $(vip_line 2 143)"; return 1; }
  echo "vhid 1 removed and back (advskew 100, BACKUP), vhid 143 untouched"
}

add_rule() {  # add_rule CONFIG OUT DESCR PORT: CONFIG with one more LAN pass rule first
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import sys
text = open(sys.argv[1]).read()
rule = ("\t\t<rule>\n\t\t\t<type>pass</type>\n\t\t\t<interface>lan</interface>\n\t\t\t<ipprotocol>inet</ipprotocol>\n"
        "\t\t\t<protocol>tcp</protocol>\n\t\t\t<source>\n\t\t\t\t<network>lan</network>\n\t\t\t</source>\n"
        "\t\t\t<destination>\n\t\t\t\t<address>198.51.100.254</address>\n\t\t\t\t<port>%s</port>\n\t\t\t</destination>\n"
        "\t\t\t<descr><![CDATA[%s]]></descr>\n\t\t</rule>\n") % (sys.argv[4], sys.argv[3])
i = text.index("\t<filter>\n") + len("\t<filter>\n")
open(sys.argv[2], "w").write(text[:i] + rule + text[i:])
PY
}

add_vip() {  # add_vip CONFIG OUT VHID ADDRESS: CONFIG with one more LAN CARP VIP (advskew 0)
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import sys
text = open(sys.argv[1]).read()
vip = ("\t\t<vip>\n\t\t\t<mode>carp</mode>\n\t\t\t<interface>lan</interface>\n\t\t\t<vhid>%s</vhid>\n"
       "\t\t\t<advskew>0</advskew>\n\t\t\t<advbase>1</advbase>\n\t\t\t<password><![CDATA[tandem-carp-lab]]></password>\n"
       "\t\t\t<uniqid>synctest%s</uniqid>\n\t\t\t<descr><![CDATA[added on the primary]]></descr>\n\t\t\t<type>single</type>\n"
       "\t\t\t<subnet_bits>24</subnet_bits>\n\t\t\t<subnet>%s</subnet>\n\t\t</vip>\n") % (sys.argv[3], sys.argv[3], sys.argv[4])
i = text.index("\t</virtualip>\n")
open(sys.argv[2], "w").write(text[:i] + vip + text[i:])
PY
}

now() { date +%s.%N; }

t_push_follows() {
  # An edit on the primary with `tandem apply` (a rule and a VIP) reaches the secondary's
  # ruleset and CARP (advskew 0 + 100); apply prints the push's outcome per section; the
  # secondary's own edit is overwritten by the primary's push, as on pfSense; a user added
  # on the primary appears on the secondary. The follow time is from the start of the
  # apply on fw1 to both changes running on fw2.
  local cfg=/tmp/$P-push.xml orig=/tmp/$P-fw1-orig.xml
  add_rule "$FW2/etc/tandem/config.xml" "$cfg" "edited on the secondary" 8081
  in_fw 2 "$BIN" apply --root "$FW2" "$cfg" >/dev/null 2>&1 || { echo "apply on fw2 failed"; return 1; }
  in_fw 2 nft list ruleset | grep -q "edited on the secondary" || { echo "fw2's own edit not applied"; return 1; }
  cp "$FW1/etc/tandem/config.xml" "$orig"
  add_rule "$orig" "$cfg.rule" "added on the primary" 8080
  add_vip "$cfg.rule" "$cfg" 7 192.0.2.250
  rm -f "$cfg.rule"
  local t0 t1 out
  t0=$(now)
  out=$(in_fw 1 "$BIN" apply --root "$FW1" "$cfg" 2>&1) || { echo "apply on fw1 failed: $out"; return 1; }
  until_ok 10 sh -c "ip netns exec $P-fw2 nft list ruleset | grep -q 'added on the primary' && [ \"\$(bash $LAB states 2 $BIN | awk '\$1==7{print \$2}')\" = BACKUP ]" \
    || { echo "fw1's rule and vhid 7 not both on fw2 after 10 s"; return 1; }
  t1=$(now)
  rm -f "$cfg"
  grep -q "^config pushed to https://203.0.113.2" <<<"$out" && grep -q "^  filter: pushed" <<<"$out" \
    && grep -q "^  virtualip: pushed" <<<"$out" || { echo "apply did not report the push: $out"; return 1; }
  [ "$(vip_line 2 7 | cut -d' ' -f2)" = 100 ] || { echo "vhid 7 on fw2: $(vip_line 2 7)"; return 1; }
  ! in_fw 2 nft list ruleset | grep -q "edited on the secondary" || { echo "fw2's own edit survived the push"; return 1; }
  # The original config back: the push takes vhid 7 off fw2 again.
  out=$(in_fw 1 "$BIN" apply --root "$FW1" "$orig" 2>&1) || { echo "apply of the original on fw1 failed: $out"; return 1; }
  rm -f "$orig"
  until_ok 5 sh -c "[ -z \"\$(bash $LAB states 2 $BIN | awk '\$1==7')\" ]" || { echo "vhid 7 still on fw2"; return 1; }
  echo "johnpw" | "$BIN" user add john --group admins --password-stdin --root "$FW1" >/dev/null || { echo "user add failed"; return 1; }
  until_ok 5 sh -c "'$BIN' user list --root $FW2 | grep -q '^john '" || { echo "john not on fw2 after 5 s"; return 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "rule and VIP on fw2 %.2f s after the apply on fw1 began; fw2 own rule overwritten; john followed\n", b - a }'
}

t_push_failure_reported() {
  # fw2's daemon stopped: fw1's apply still succeeds and reports the failed push (4 attempts
  # 1 s apart); with fw1's daemon stopped too, apply says nothing was pushed.
  bash "$LAB" stop 2 >/dev/null 2>&1
  local cfg=/tmp/$P-fail.xml out
  add_rule "$FW1/etc/tandem/config.xml" "$cfg" "pushed while fw2 is down" 8082
  out=$(in_fw 1 "$BIN" apply --root "$FW1" "$cfg" 2>&1) || { echo "apply on fw1 failed: $out"; return 1; }
  grep -q "warning: push failed: " <<<"$out" || { echo "no failed push reported: $out"; return 1; }
  local failed_line; failed_line=$(echo "$out" | grep "push failed" | head -c 120)
  bash "$LAB" stop 1 >/dev/null 2>&1
  add_rule "$FW1/etc/tandem/config.xml" "$cfg" "applied without a daemon" 8083
  out=$(in_fw 1 "$BIN" apply --root "$FW1" "$cfg" 2>&1) || { echo "apply on fw1 without a daemon failed: $out"; return 1; }
  rm -f "$cfg"
  grep -q "^no daemon: not pushed to https://203.0.113.2" <<<"$out" || { echo "no 'not pushed' line: $out"; return 1; }
  echo "$failed_line"
}

t_flood() {
  # 1,000 wrong logins from the LAN client, each on its own TLS connection (bounded: 120 s).
  in_client timeout 120 python3 - <<'PY' || return 1
import ssl, xmlrpc.client
ctx = ssl._create_unverified_context()
faults = 0
for i in range(1000):
    try:
        xmlrpc.client.ServerProxy("https://mallory:guess%d@192.0.2.3/xmlrpc.php" % i, context=ctx).pfsense.host_firmware_version()
    except xmlrpc.client.Fault:
        faults += 1
assert faults == 1000, faults
PY
  local failedn refused
  failedn=$(mgmt_json "$FW2" "m['logins']['failed']")
  refused=$(mgmt_json "$FW2" "m['logins']['refusedWhileLocked']")
  [ "$refused" -ge 900 ] || { echo "only $refused refused while locked ($failedn checked)"; return 1; }
  "$BIN" status --root "$FW2" | grep -q "locked out: 192.0.2.100" || { echo "lockout not in status"; return 1; }
  # CARP kept running on both nodes, and the peer's own address still logs in at once.
  [ "$(bash "$LAB" states 1 "$BIN" | awk '$2=="MASTER"' | wc -l)" -ge 2 ] || { echo "fw1 lost mastership"; return 1; }
  local out; out=$(in_fw 1 python3 "$PRIMARY" https://203.0.113.2 admin tandem-lab "$REPO/etc/examples/primaryfw.xml" filter)
  [ $? -eq 0 ] || { echo "peer refused after the flood: $out"; return 1; }
  echo "$failedn passwords checked, $refused refused unchecked; fw1 still MASTER; the peer still syncs"
}

t_oversized() {
  local big=/tmp/$P/big.xml
  python3 -c "import sys; sys.stdout.write('<?xml version=\"1.0\"?><methodCall><methodName>x</methodName><params><param><value><string>' + 'a'*(20<<20) + '</string></value></param></params></methodCall>')" > "$big"
  local out; out=$(in_fw 1 curl -sk --max-time 30 -o /dev/null -w 'HTTP %{http_code}' -u admin:tandem-lab \
    -H 'Content-Type: text/xml' --data-binary "@$big" https://203.0.113.2/xmlrpc.php)
  [ "$out" = "HTTP 413" ] || { echo "$out"; return 1; }
  echo "20 MiB body: $out"
}

t_slow() {
  # One byte a second of a request head: the server closes the connection (head deadline
  # 10 s) well before the client is done.
  in_client timeout 40 python3 - <<'PY' || return 1
import socket, ssl, time
ctx = ssl._create_unverified_context()
s = ctx.wrap_socket(socket.create_connection(("192.0.2.3", 443), timeout=30))
start = time.monotonic()
request = b"POST /xmlrpc.php HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 60
closed = None
for b in request:
    try:
        s.send(bytes([b]))
    except OSError:
        closed = time.monotonic() - start
        break
    s.settimeout(1)
    try:
        if s.recv(1) == b"":
            closed = time.monotonic() - start
            break
    except socket.timeout:
        pass
assert closed is not None and closed < 15, closed
print("closed after %.1f s" % closed)
PY
}

until_ok() {
  local seconds=$1; shift
  for _ in $(seq $((seconds * 20))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}

bash "$LAB" up "$BIN" >/dev/null || { echo "FAIL lab did not come up"; echo "0 passed, 1 failed"; exit 1; }
# Both endpoints listen once the daemons run (bounded wait, 10 s).
until_ok 10 in_client curl -sk -o /dev/null "$URL2/xmlrpc.php" || echo "note: fw2's endpoint did not answer within 10 s"

check "endpoint serves TLS with a self-signed certificate" t_tls_up
check "no Authorization header: fault -1" t_no_credentials
check "wrong password: fault -1" t_wrong_password
check "user without the sync privilege: fault -2" t_no_privilege
if [ -f "$CORPUS/opnsense-carp-master.xml" ]; then
  check "pfSense 2.7 primary (Python xmlrpc.client) restores a corpus filter section" t_interop_restore
  check "different config version: the primary does not send" t_version_refused
else
  skip "pfSense 2.7 primary restoring a corpus section" "no corpus at $CORPUS"
  skip "different config version" "no corpus at $CORPUS"
fi
check "a config that does not validate: fault with the validator's message, nothing changes" t_invalid_refused
check "sync loop: ignored and logged" t_loop_guard
check "VIP push: a removed VIP stops alone, unchanged ones are not reconfigured" t_vips
check "Tandem primary: an applied rule and VIP and a new user reach the secondary; its own edit is overwritten" t_push_follows
check "1,000 failed logins: rate-limited, CARP and the peer unaffected" t_flood
check "20 MiB body: 413" t_oversized
check "one byte a second: connection closed" t_slow
# Last: it stops both daemons.
check "tandem apply on the primary reports a failed push, and no push without a daemon" t_push_failure_reported

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
