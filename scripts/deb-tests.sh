#!/usr/bin/env bash
# The Debian package, as `make test` checks it (issue #22): built from the debug binary
# `make test` has just built (a release build would add minutes; `make deb` packages the
# release one with the same script), then its contents and modes against a golden list,
# conffiles, Depends against ldd and the Debian 12 archive, lintian, the unit through
# `systemd-analyze verify`, and install / edit / upgrade / remove / purge in a throwaway
# root (`dpkg --root`, maintainer scripts chrootless with DPKG_ROOT). Nothing is installed
# on this machine. Prints "N passed, N failed".
set -uo pipefail
BIN=${1:?usage: deb-tests.sh BIN}
REPO=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0

for tool in dpkg-deb dpkg-shlibdeps lintian systemd-analyze; do
  command -v "$tool" >/dev/null || { echo "skipped package tests: $tool is missing (scripts/install-deps.sh installs it)"; exit 0; }
done
if [ "$(id -u)" -ne 0 ]; then echo "skipped package tests: dpkg --root needs root"; exit 0; fi

work=$(mktemp -d /tmp/tandem-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT

check() {  # check NAME COMMAND...
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok   $name${out:+ ($out)}"
  else
    failed=$((failed + 1)); echo "FAIL $name${out:+: $out}"
  fi
}

v1=0.3.0~test1
v2=0.3.0~test2
deb1="$work/out/tandem_${v1}_amd64.deb"
deb2="$work/out/tandem_${v2}_amd64.deb"

t_build() {
  local start=$SECONDS
  # gzip -1: xz takes minutes on the ~100 MB debug binary (`make deb` uses xz on the
  # release one); lintian refuses an uncompressed package, so only the second is.
  DEB_COMPRESS="-Zgzip -z1" bash "$REPO/packaging/build-deb.sh" --debug-binary "$BIN" "$work/out" "$v1" >"$work/build1.log" 2>&1 \
    || { tail -20 "$work/build1.log"; return 1; }
  grep -q 'lintian: no errors' "$work/build1.log" || { echo "no lintian verdict"; return 1; }
  # The "next version" for the upgrade: the same tree under a higher version.
  dpkg-deb -R "$deb1" "$work/v2"
  sed -i "s/^Version: .*/Version: $v2/" "$work/v2/DEBIAN/control"
  dpkg-deb --root-owner-group -Znone --build "$work/v2" "$deb2" >/dev/null || return 1
  rm -rf "$work/v2"
  echo "2 packages in $((SECONDS - start)) s, lintian without errors"
}

t_contents() {
  # Mode, owner and path of every entry; sizes and dates left out.
  dpkg-deb -c "$deb1" | awk '{print $6, $1, $2}' | LC_ALL=C sort >"$work/contents"
  diff -u "$REPO/packaging/tests/contents.golden" "$work/contents" || return 1
  [ "$(dpkg-deb -I "$deb1" conffiles)" = /etc/tandem/config.xml ] || { echo "conffiles: $(dpkg-deb -I "$deb1" conffiles)"; return 1; }
  echo "$(wc -l <"$work/contents") entries as in packaging/tests/contents.golden, conffile /etc/tandem/config.xml"
}

t_depends() {
  # The packages owning what the binary loads (ldd) are exactly those Depends names; the
  # Swift toolchain's own libraries (a debug build only) are owned by none.
  dpkg-deb -x "$deb1" "$work/x"
  local named owned lib
  named=$(dpkg-deb -f "$deb1" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | LC_ALL=C sort -u)
  local libs=() reals=() owners
  mapfile -t libs < <(ldd "$work/x/usr/sbin/tandem" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
  for lib in "${libs[@]}"; do reals+=("$(readlink -f "$lib")"); done
  owners=$(dpkg -S "${libs[@]}" "${reals[@]}" 2>/dev/null)
  owned=$(for i in "${!libs[@]}"; do
            awk -v a="${libs[$i]}" -v b="${reals[$i]}" '{p = $NF} p == a || p == b {sub(/:.*/, "", $1); print $1; exit}' <<<"$owners"
          done | LC_ALL=C sort -u)
  [ "$named" = "$owned" ] || { echo "Depends names [$(echo $named)], ldd needs [$(echo $owned)]"; return 1; }
  # Resolvable from the archive apt uses here (Debian 12): a simulated install.
  apt-get install -s -q "$deb1" >"$work/apt.log" 2>&1 || { tail -5 "$work/apt.log"; return 1; }
  echo "Depends = owners of ldd's libraries: $(echo $named); apt resolves them"
}

t_unit() {
  local root="$work/unit-root"
  mkdir -p "$root/bin" "$root/lib/systemd/system"
  dpkg-deb -x "$deb1" "$root"
  # The targets it is ordered against and ExecReload's kill, as on a Debian system.
  cp /lib/systemd/system/*.target /lib/systemd/system/*.slice "$root/lib/systemd/system/" 2>/dev/null
  cp /bin/kill "$root/bin/"
  # It exits 0 on unknown keys and bad values, only printing them: any output fails.
  local out; out=$(systemd-analyze verify --man=no --root="$root" tandem.service 2>&1)
  [ -z "$out" ] || { echo "$out"; return 1; }
  local exposure; exposure=$(systemd-analyze security --offline=yes --root="$root" tandem.service 2>&1 | sed -n 's/.*Overall exposure level for tandem.service: //p')
  echo "systemd-analyze verify: clean; security exposure ${exposure:-?}"
}

root="$work/root"
in_root() { dpkg --root="$root" --force-script-chrootless --force-depends "$@"; }
mode() { stat -c '%a %U:%G' "$1"; }

t_install() {
  mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/triggers"
  : >"$root/var/lib/dpkg/status"
  in_root -i "$deb1" >"$work/install.log" 2>&1 || { tail -5 "$work/install.log"; return 1; }
  [ -x "$root/usr/sbin/tandem" ] || { echo "no /usr/sbin/tandem"; return 1; }
  [ "$(mode "$root/var/lib/tandem")" = "750 root:root" ] || { echo "/var/lib/tandem: $(mode "$root/var/lib/tandem")"; return 1; }
  [ "$(mode "$root/etc/tandem/config.xml")" = "644 root:root" ] || { echo "config.xml: $(mode "$root/etc/tandem/config.xml")"; return 1; }
  "$root/usr/sbin/tandem" check "$root/etc/tandem/config.xml" >/dev/null || { echo "the shipped config fails tandem check"; return 1; }
  echo "installed $(dpkg-query --root="$root" -W -f='${Version}' tandem), shipped config passes tandem check"
}

t_upgrade_keeps_config() {
  printf '<!-- edited by the administrator -->\n' >>"$root/etc/tandem/config.xml"
  mkdir -p "$root/var/lib/tandem/history"
  echo revision >"$root/var/lib/tandem/history/000001.xml"
  in_root -i "$deb2" >"$work/upgrade.log" 2>&1 || { tail -5 "$work/upgrade.log"; return 1; }
  [ "$(dpkg-query --root="$root" -W -f='${Version}' tandem)" = "$v2" ] || { echo "not upgraded"; return 1; }
  grep -q 'edited by the administrator' "$root/etc/tandem/config.xml" || { echo "the edited config was replaced"; return 1; }
  [ -f "$root/var/lib/tandem/history/000001.xml" ] || { echo "history lost"; return 1; }
  echo "$v1 -> $v2 kept the edited config.xml and the history"
}

t_remove_then_purge() {
  in_root -r tandem >"$work/remove.log" 2>&1 || { tail -5 "$work/remove.log"; return 1; }
  [ ! -e "$root/usr/sbin/tandem" ] || { echo "binary left after remove"; return 1; }
  [ -f "$root/var/lib/tandem/history/000001.xml" ] || { echo "remove deleted the history"; return 1; }
  grep -q 'edited by the administrator' "$root/etc/tandem/config.xml" || { echo "remove deleted the config"; return 1; }
  in_root -P tandem >"$work/purge.log" 2>&1 || { tail -5 "$work/purge.log"; return 1; }
  [ ! -e "$root/var/lib/tandem" ] || { echo "purge left /var/lib/tandem: $(find "$root/var/lib/tandem" | head -3)"; return 1; }
  [ ! -e "$root/etc/tandem" ] || { echo "purge left /etc/tandem: $(ls -A "$root/etc/tandem")"; return 1; }
  echo "remove kept config and history; purge removed both"
}

check "make the package from the debug binary (build-deb.sh, lintian)" t_build
if [ -f "$deb1" ] && [ -f "$deb2" ]; then
  check "contents, modes and conffiles" t_contents
  check "Depends: exactly what ldd needs, resolvable on Debian 12" t_depends
  check "tandem.service: systemd-analyze verify" t_unit
  check "install into a throwaway root" t_install
  check "an upgrade keeps an edited config.xml" t_upgrade_keeps_config
  check "remove keeps the state, purge removes it" t_remove_then_purge
fi
echo "package tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
