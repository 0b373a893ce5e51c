#!/usr/bin/env bash
# Installs every Debian package Tandem needs to build, test, run the lab and benchmark.
# Idempotent: installs only what is missing, runs `apt-get update` at most once.
set -euo pipefail

packages=(
  # build: C libraries behind the system-library modules (libxml2 is linked statically, with
  # the ICU, lzma and zlib archives it needs: see Package.swift)
  pkg-config libxml2-dev libicu-dev liblzma-dev zlib1g-dev libmnl-dev libnftnl-dev libnetfilter-conntrack-dev libcrypt-dev
  # kernel-facing tools used by tests, the lab and for cross-checking
  nftables iproute2 conntrack tcpdump iputils-ping traceroute netcat-openbsd socat procps
  # the management endpoint's and config sync's tests: a TLS client (curl, openssl), the
  # Python pfSense stand-ins (xmlrpc.client, xmlrpc.server) and their certificates
  curl openssl python3
  # reference implementations measured beside Tandem (interop tests, benchmarks)
  ucarp keepalived conntrackd
  # node services run and supervised by `tandem daemon`, and the clients the tests use
  # against them (DHCP client, DNS lookups)
  kea-dhcp4-server unbound chrony isc-dhcp-client bind9-dnsutils
  # perfdhcp (Kea's DHCP load generator, `make bench`) is in kea-admin
  kea-admin
  # the DNSSEC root trust anchor (RFC 7958) Unbound starts from when validation is on
  dns-root-data
  # the Debian package (make deb, make test): dpkg-shlibdeps, strip, lintian
  dpkg-dev binutils lintian
  # the dashboard's tests and `make demo`'s screenshots: headless Chromium (large, ~100 MB;
  # installed once) with a font, and the Prometheus text parser that reads /metrics
  chromium fonts-dejavu-core python3-prometheus-client
)
# `install-deps.sh image`: also what `make image` and `make image-test` need (a root file
# system from the archive, a boot loader, a disk image, an emulator).
if [ "${1:-}" = image ]; then
  packages+=(debootstrap grub-pc-bin fdisk e2fsprogs qemu-system-x86 qemu-utils)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo $0)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian starts a package's daemon on install (invoke-rc.d). A DHCP or DNS server started
# that way would answer on the host's own links: forbid every start during the install
# through policy-rc.d (invoke-rc.d(8): exit 101 = action forbidden), unless the machine
# already has one (a container's, which forbids the same), and remove ours afterwards.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# installed by tandem install-deps.sh for the duration of one apt-get run\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=1
fi
trap 'if [ "$own_policy" -eq 1 ]; then rm -f "$policy"; fi' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The reference daemons must not run on the host: the benchmarks start their own copies
# inside namespaces. Debian starts them on install where systemd runs.
# kea-dhcp4, unbound and chronyd are run by `tandem daemon` (and the tests) with their own
# files inside namespaces; the host's copies stay off even on a machine where systemd
# started them regardless (no policy-rc.d honoured), and stay disabled across reboots.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for svc in keepalived conntrackd kea-dhcp4-server unbound chrony; do
    systemctl stop "$svc" >/dev/null 2>&1 || true
    systemctl disable "$svc" >/dev/null 2>&1 || true
  done
fi
