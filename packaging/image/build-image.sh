#!/usr/bin/env bash
# `make image`: a bootable Debian 12 disk image with Tandem (issue #22).
#
#   packaging/image/build-image.sh DEB OUTDIR
#
# debootstrap(8) (minbase: kernel, systemd, udev, iproute2, nftables) from the archive apt
# uses on this machine, cached in OUTDIR/rootfs (delete OUTDIR/base.stamp to refresh); the
# package installed with apt so its Depends come from the same archive; the overlay
# (fstab, seed and self-test units); then an MBR disk with one ext4 partition made from the
# tree by mke2fs -d and GRUB (i386-pc) written by grub-mkimage, serial console on ttyS0.
# No loop devices or mounts. Prints the image's size and the build time.
set -euo pipefail
deb=${1:?usage: build-image.sh DEB OUTDIR}
out=${2:?usage: build-image.sh DEB OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
start=$(date +%s)
[ "$(id -u)" -eq 0 ] || { echo "build-image: debootstrap and chroot need root" >&2; exit 1; }
[ -f "$deb" ] || { echo "build-image: $deb: no such package (make deb)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
rootfs="$out/rootfs"

# The same archive apt uses here (deb822 .sources or one-line .list).
mirror=${MIRROR:-$({ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } \
    | awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit} $1 == "deb" && $3 == "bookworm" {print $2; exit}')}
[ -n "$mirror" ] || { echo "build-image: no Debian bookworm archive in /etc/apt/sources.list*" >&2; exit 1; }

if [ ! -f "$out/base.stamp" ]; then
    rm -rf "$rootfs"
    echo "build-image: debootstrap bookworm from $mirror"
    debootstrap --variant=minbase \
        --include=linux-image-amd64,systemd-sysv,udev,initramfs-tools,kmod,e2fsprogs,iproute2,nftables,procps \
        bookworm "$rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 \
        || { tail -5 "$out/debootstrap.log" >&2; echo "build-image: debootstrap failed (log: $out/debootstrap.log)" >&2; exit 1; }
    touch "$out/base.stamp"
fi

# The package and its Depends from the archive; the service starts at boot, not here
# (policy-rc.d forbids starts in the chroot, invoke-rc.d(8)).
cp "$deb" "$rootfs/tmp/tandem.deb"
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 755 "$rootfs/usr/sbin/policy-rc.d"
mount -t proc proc "$rootfs/proc"
trap 'umount "$rootfs/proc" 2>/dev/null || true' EXIT
chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --reinstall \
    --allow-downgrades -o Dpkg::Options::=--force-confnew /tmp/tandem.deb >"$out/apt.log" 2>&1 \
    || { tail -5 "$out/apt.log" >&2; exit 1; }
chroot "$rootfs" apt-get clean
umount "$rootfs/proc"
trap - EXIT
rm -f "$rootfs/tmp/tandem.deb" "$rootfs/usr/sbin/policy-rc.d"

cp -r "$here/overlay/." "$rootfs/"
# A new machine-id per VM without "first boot" (machine-id(5)); root logs in on the
# serial console without a password until one is set: it is a lab image.
: >"$rootfs/etc/machine-id"
chroot "$rootfs" passwd -d root >/dev/null
systemctl --root="$rootfs" enable tandem.service tandem-seed.service tandem-selftest.service serial-getty@ttyS0.service >/dev/null 2>&1
out_verify=$(systemd-analyze verify --man=no --root="$rootfs" tandem.service 2>&1 || true)
[ -z "$out_verify" ] || { echo "build-image: systemd-analyze verify: $out_verify" >&2; exit 1; }

# GRUB on the MBR, its modules in /boot/grub (grub-mkimage(1)); kernel and initrd through
# Debian's /vmlinuz and /initrd.img links. no_timer_check: under emulation on a busy host the
# kernel's IO-APIC timer check can fail and panic ("IO-APIC + timer doesn't work!"), seen
# under TCG here.
mkdir -p "$rootfs/boot/grub/i386-pc"
cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst "$rootfs/boot/grub/i386-pc/"
cat >"$rootfs/boot/grub/grub.cfg" <<'GRUB'
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
menuentry 'Tandem (Debian 12)' {
  linux /vmlinuz root=LABEL=tandem-root ro console=tty0 console=ttyS0,115200 no_timer_check
  initrd /initrd.img
}
GRUB
img="$out/tandem.img"
rm -f "$img"
truncate -s 1600M "$img"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$img"
mkfs.ext4 -q -F -L tandem-root -E offset=1048576 -d "$rootfs" "$img" 1599M
grub-mkimage -O i386-pc -o "$out/core.img" -p '(hd0,msdos1)/boot/grub' biosdisk part_msdos ext2
dd if=/usr/lib/grub/i386-pc/boot.img of="$img" bs=440 count=1 conv=notrunc status=none
dd if="$out/core.img" of="$img" bs=512 seek=1 conv=notrunc status=none
e2fsck -fn "$img?offset=1048576" >/dev/null 2>&1 || { echo "build-image: e2fsck found errors" >&2; exit 1; }
echo "build-image: $img: $(du -m --apparent-size "$img" | cut -f1) MB disk, $(du -m "$img" | cut -f1) MB allocated; built in $(( $(date +%s) - start )) s"
