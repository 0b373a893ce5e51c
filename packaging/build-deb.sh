#!/usr/bin/env bash
# Builds tandem_VERSION_amd64.deb with dpkg-deb(1) from a built binary and the files in
# this directory, then runs lintian on it.
#
#   packaging/build-deb.sh [--debug-binary] BINARY OUTDIR [VERSION]
#
# Depends: is what dpkg-shlibdeps(1) finds for the binary (Policy §8.6.1), checked against
# ldd(1): the packages owning the libraries the binary loads must be exactly the ones
# named. --debug-binary packages a debug build (`make test` does, to avoid a second, slow
# release build): its Swift runtime comes from the toolchain, which no Debian package
# owns, so those libraries are listed and left out of the check instead of failing it.
set -euo pipefail

debug=0
if [ "${1:-}" = --debug-binary ]; then debug=1; shift; fi
if [ $# -lt 2 ]; then
    echo "usage: $0 [--debug-binary] BINARY OUTDIR [VERSION]" >&2
    exit 2
fi
bin=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$bin" ] || { echo "build-deb: $bin: not an executable (build it first: make release)" >&2; exit 1; }
version=${3:-$("$bin" --version)}
arch=$(dpkg --print-architecture)
mkdir -p "$out"
out=$(cd "$out" && pwd)
deb="$out/tandem_${version}_${arch}.deb"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/pkg"
mkdir -p "$root/DEBIAN" "$root/usr/sbin" "$root/lib/systemd/system" "$root/etc/tandem" \
         "$root/usr/share/doc/tandem" "$root/usr/share/man/man8" "$root/var/lib/tandem"
chmod 0750 "$root/var/lib/tandem"

install -m 0755 "$bin" "$root/usr/sbin/tandem"
# Symbols and the toolchain's notes are not needed to run (lintian: binary-has-unneeded-section).
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/sbin/tandem"
install -m 0644 "$here/tandem.service" "$root/lib/systemd/system/tandem.service"
install -m 0644 "$here/config.xml" "$root/etc/tandem/config.xml"
install -m 0644 "$here/copyright" "$root/usr/share/doc/tandem/copyright"
# A native version (no -N revision) has changelog.gz, not changelog.Debian.gz (Policy §12.7).
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -R -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")/" \
    "$here/changelog.in" | gzip -9n > "$root/usr/share/doc/tandem/changelog.gz"
gzip -9n < "$here/tandem.8" > "$root/usr/share/man/man8/tandem.8.gz"
chmod 0644 "$root/usr/share/doc/tandem/changelog.gz" "$root/usr/share/man/man8/tandem.8.gz"
mkdir -p "$root/usr/share/lintian/overrides"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/tandem"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"
echo /etc/tandem/config.xml > "$root/DEBIAN/conffiles"

# --- Depends -------------------------------------------------------------------------
# dpkg-shlibdeps wants a debian/control beside the tree it reads.
mkdir -p "$work/debian"
printf 'Source: tandem\n\nPackage: tandem\nArchitecture: any\n' > "$work/debian/control"
shlibdeps_opts=()
[ "$debug" = 1 ] && shlibdeps_opts+=(--ignore-missing-info)
depends=$(cd "$work" && dpkg-shlibdeps "${shlibdeps_opts[@]}" -O pkg/usr/sbin/tandem 2>"$work/shlibdeps.err" \
          | sed -n 's/^shlibs:Depends=//p') || { cat "$work/shlibdeps.err" >&2; exit 1; }
if [ "$debug" = 1 ]; then
    grep -v -e 'no dependency information found' -e "can't extract name and version" "$work/shlibdeps.err" >&2 || true
else
    cat "$work/shlibdeps.err" >&2
fi

# The check: packages owning what ldd resolves == packages named in Depends.
named=$(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | sort -u)
# One dpkg -S for all of them (each call reads the whole file database, ~1 s).
mapfile -t libs < <(ldd "$root/usr/sbin/tandem" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
reals=()
for lib in "${libs[@]}"; do reals+=("$(readlink -f "$lib")"); done
owners=$(dpkg -S "${libs[@]}" "${reals[@]}" 2>/dev/null || true)
owned=""
unowned=""
for i in "${!libs[@]}"; do
    pkg=$(awk -v a="${libs[$i]}" -v b="${reals[$i]}" '{p = $NF} p == a || p == b {sub(/:.*/, "", $1); print $1; exit}' <<<"$owners")
    if [ -z "$pkg" ]; then unowned+="${libs[$i]}"$'\n'; else owned+="$pkg"$'\n'; fi
done
owned=$(sort -u <<<"${owned%$'\n'}" | sed '/^$/d')
if [ -n "$unowned" ]; then
    if [ "$debug" = 1 ]; then
        echo "build-deb: debug binary: left out of Depends (the Swift toolchain's, owned by no package):" \
             $(xargs -n1 basename <<<"$unowned") >&2
    else
        echo "build-deb: libraries no Debian package owns: ${unowned//$'\n'/ } (link the Swift runtime statically: make release)" >&2
        exit 1
    fi
fi
if [ "$named" != "$owned" ]; then
    echo "build-deb: Depends ($depends) names other packages than those owning ldd's libraries:" >&2
    diff <(echo "$named") <(echo "$owned") >&2 || true
    exit 1
fi

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: tandem
Version: $version
Architecture: $arch
Maintainer: Tandem authors <tandem@example.org>
Installed-Size: $installed_size
Depends: $depends
Recommends: nftables, kea-dhcp4-server, unbound, chrony, dns-root-data
Section: net
Priority: optional
Description: high-availability firewall node: nftables, CARP and state sync
 Tandem compiles a pfSense config.xml into an nftables ruleset, runs CARP for
 the virtual addresses of a two-node cluster, keeps the connection table in
 step with the peer, pushes config changes to it over XML-RPC, and supervises
 the node's DHCP (Kea), DNS (Unbound) and NTP (chrony) daemons.
CONTROL
(cd "$root" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\n' | LC_ALL=C sort \
    | xargs md5sum > DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums" "$root/DEBIAN/conffiles"

# DEB_COMPRESS: dpkg-deb compressor options (default xz, as the archive uses).
dpkg-deb --root-owner-group ${DEB_COMPRESS:--Zxz} --build "$root" "$deb" >/dev/null
echo "build-deb: $deb ($(du -k "$deb" | cut -f1) kB; installed ${installed_size} kB)"
echo "build-deb: Depends: $depends"

if [ "${NO_LINTIAN:-0}" = 1 ]; then exit 0; fi
# Tags that cannot apply to this build are suppressed with the reason:
#   initial-upload-closes-no-bugs: not an archive upload;
#   hardening-no-fortify-functions, spelling-error-in-binary: text and calls of the
#     statically linked Swift runtime, not Tandem's;
#   custom-library-search-path (--debug-binary only): a debug build's RUNPATH points into
#     the toolchain; the release binary has none.
suppress=initial-upload-closes-no-bugs,hardening-no-fortify-functions,spelling-error-in-binary
[ "$debug" = 1 ] && suppress+=,custom-library-search-path
lintian --fail-on error --suppress-tags "$suppress" --allow-root "$deb" >"$work/lintian.log" 2>&1 || {
    cat "$work/lintian.log" >&2
    echo "build-deb: lintian found errors" >&2
    exit 1
}
sed 's/^/lintian: /' "$work/lintian.log"
echo "build-deb: lintian: no errors"
