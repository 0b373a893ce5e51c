#!/usr/bin/env bash
# `tandem setup` (issue #22), run by `make test`: the console dialogue through a
# pseudo-terminal (scripts/setup-pty.py) in a namespace with veth NICs wan0, lan0, sync0,
# producing a config `tandem check` accepts as revision 1; the same from an answers file;
# and a bad answers file refused with file:line. Prints "N passed, N failed".
set -uo pipefail
BIN=${1:?usage: setup-tests.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
NS=tandem-setup-$(printf '%04x' "$RANDOM")
passed=0
failed=0

if [ "$(id -u)" -ne 0 ]; then echo "skipped setup tests: not running as root"; exit 0; fi
if ! ip netns add "$NS" 2>/dev/null; then echo "skipped setup tests: cannot create network namespaces"; exit 0; fi
work=$(mktemp -d /tmp/tandem-setup-XXXXXX)
ip netns add "$NS-peer" || { ip netns delete "$NS"; echo "FAIL namespace $NS-peer"; exit 1; }
trap 'ip netns delete "$NS" 2>/dev/null; ip netns delete "$NS-peer" 2>/dev/null; rm -rf "$work"' EXIT
# Three NICs, their other ends in a second namespace: setup sees exactly wan0, lan0, sync0.
for nic in wan0 lan0 sync0; do ip -n "$NS" link add "$nic" type veth peer name "$nic" netns "$NS-peer"; done

check() {
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then passed=$((passed + 1)); echo "ok   $name${out:+ ($out)}"
  else failed=$((failed + 1)); echo "FAIL $name${out:+: $out}"; fi
}

t_pty() {
  local root="$work/pty" out
  out=$(timeout 90 python3 "$HERE/setup-pty.py" "$NS" "$BIN" "$root") || { echo "$out"; return 1; }
  "$BIN" check "$root/etc/tandem/config.xml" >/dev/null 2>&1 || { "$BIN" check "$root/etc/tandem/config.xml"; return 1; }
  "$BIN" history --root "$root" | grep -q '^1\* .*setup  *Initial configuration by tandem setup' || { "$BIN" history --root "$root"; return 1; }
  grep -q '<bcrypt-hash>\$2b\$' "$root/etc/tandem/config.xml" || { echo "no bcrypt hash for admin"; return 1; }
  echo "$out; tandem check accepts it; revision 1 by setup"
}

t_answers_file() {
  local root="$work/file"
  cat >"$work/answers" <<'A'
# preseed for an image
wan.if = wan0
wan.address = 198.51.100.3/24
lan.if = lan0
lan.address = 192.0.2.3/24
lan.vip = 192.0.2.1
carp.advskew = 100
carp.password = carp-secret
hostname = fw-2
admin.password = admin-pass-1
A
  ip netns exec "$NS" "$BIN" setup --root "$root" --answers "$work/answers" >/dev/null || return 1
  "$BIN" check "$root/etc/tandem/config.xml" >/dev/null 2>&1 || { "$BIN" check "$root/etc/tandem/config.xml"; return 1; }
  grep -q '<advskew>100</advskew>' "$root/etc/tandem/config.xml" || { echo "advskew not written"; return 1; }
  # A second run does not replace a configured node without --force.
  ip netns exec "$NS" "$BIN" setup --root "$root" --answers "$work/answers" >/dev/null 2>&1 && { echo "replaced without --force"; return 1; }
  echo "config from an answers file passes tandem check; a second run needs --force"
}

t_bad_file() {
  printf 'wan.if=wan0\nwan.address=198.51.100.3/24\nlan.if=lan0\nlan.address=192.0.2.3/24\nlan.vip=203.0.113.9\n' >"$work/bad"
  local out
  out=$(ip netns exec "$NS" "$BIN" setup --root "$work/bad-root" --answers "$work/bad" 2>&1) && { echo "accepted: $out"; return 1; }
  echo "$out" | grep -q "$work/bad:5: lan.vip=203.0.113.9: 203.0.113.9 is outside lan0's subnet 192.0.2.0/24" || { echo "$out"; return 1; }
  [ ! -e "$work/bad-root/etc/tandem/config.xml" ] || { echo "a config was written"; return 1; }
  echo "refused at $work/bad:5 with the reason"
}

check "tandem setup at a terminal (pty): bad answers asked again, config accepted by tandem check" t_pty
check "tandem setup --answers FILE (preseed)" t_answers_file
check "a bad answers file is refused naming file:line and the reason" t_bad_file
echo "setup tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
