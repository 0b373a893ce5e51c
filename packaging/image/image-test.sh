#!/usr/bin/env bash
# `make image-test`: boots the image under qemu-system-x86_64 (TCG, no KVM assumed) with two
# NICs on isolated user-mode networks, preseeds a cluster node through a second disk
# (TANDEMSEED: tandem setup's answers file plus the self-test marker), and reads the
# self-test's report from the serial console: tandem.service active, the ruleset loaded,
# `tandem status` showing both CARP groups. Prints the boot time.
set -euo pipefail
out=${1:?usage: image-test.sh IMAGE_DIR}
img="$out/tandem.img"
[ -f "$img" ] || { echo "image-test: no $img (make image)" >&2; exit 1; }
work=$(mktemp -d /tmp/tandem-image-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/seed"
# virtio-net NICs in PCI slots 3 and 4 come up as ens3 and ens4.
cat >"$work/seed/answers" <<'A'
wan.if = ens3
wan.address = 198.51.100.2/24
wan.gateway = 198.51.100.254
lan.if = ens4
lan.address = 192.0.2.2/24
lan.vip = 192.0.2.1
wan.vip = 198.51.100.1
carp.password = image-test-carp
hostname = tandem-image
admin.password = image-test-admin
A
: >"$work/seed/selftest"
mkfs.ext4 -q -L TANDEMSEED -d "$work/seed" "$work/seed.img" 4M
log="$out/boot.log"
start=$(date +%s)
# -snapshot keeps the image unchanged; -no-reboot makes a reboot or panic end QEMU.
timeout 900 qemu-system-x86_64 -accel tcg -m 1024 -smp 2 -nographic -no-reboot -snapshot \
    -drive file="$img",if=virtio,format=raw \
    -drive file="$work/seed.img",if=virtio,format=raw,readonly=on \
    -netdev user,id=wan,restrict=on,net=198.51.100.0/24,host=198.51.100.254 -device virtio-net-pci,netdev=wan,addr=3 \
    -netdev user,id=lan,restrict=on,net=192.0.2.0/24,host=192.0.2.254 -device virtio-net-pci,netdev=lan,addr=4 \
    </dev/null >"$log" 2>&1 || true
took=$(( $(date +%s) - start ))
fail() { echo "image-test: FAIL: $*; serial log: $log" >&2; grep -a 'SELFTEST' "$log" >&2 || tail -n 30 "$log" >&2; exit 1; }
grep -a -q 'SELFTEST: DONE' "$log" || fail "no self-test report within the time"
# systemctl show prints the properties in its own order (StatusText and NRestarts first).
unit=$(grep -a 'SELFTEST: unit ' "$log" | tail -n 1)
[[ $unit == *ActiveState=active* && $unit == *SubState=running* ]] || fail "tandem.service is not active/running"
grep -a -q 'SELFTEST: ruleset .*table inet tandem' "$log" || fail "the tandem ruleset is not loaded"
grep -a -q 'SELFTEST: status | .*192\.0\.2\.1' "$log" || fail "tandem status does not show the LAN CARP group"
grep -a -q 'SELFTEST: status | .*198\.51\.100\.1' "$log" || fail "tandem status does not show the WAN CARP group"
! grep -a -q 'SELFTEST: failed-units: [a-z]' "$log" || fail "failed units"
grep -a 'SELFTEST: uptime\|SELFTEST: unit\|SELFTEST: status' "$log" | sed 's/\r$//'
echo "image-test: booted to a running firewall; QEMU ran ${took} s (boot, self-test, power-off)"
