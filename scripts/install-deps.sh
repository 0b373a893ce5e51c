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
  # the management endpoint's tests: a TLS client (curl, openssl) and the Python primary (xmlrpc.client)
  curl openssl python3
  # reference implementations measured beside Tandem (interop tests, benchmarks)
  ucarp keepalived conntrackd
)

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
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The reference daemons must not run on the host: the benchmarks start their own copies
# inside namespaces. Debian starts them on install where systemd runs.
for svc in keepalived conntrackd; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
    systemctl disable "$svc" >/dev/null 2>&1 || true
  fi
done
