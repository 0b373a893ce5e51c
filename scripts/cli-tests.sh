#!/usr/bin/env bash
# CLI tests for `tandem check`: the examples and every corpus file must be valid (exit 0),
# every reject fixture must fail (exit 1) with exactly its expected messages, and usage
# errors exit 2. Usage: scripts/cli-tests.sh BIN   (BIN = path to the tandem binary)
set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 BIN" >&2
    exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PKG=$(cd "$(dirname "$0")/.." && pwd)
PASS=0
FAIL=0
TMP=$(mktemp -d /tmp/tandem-cli-tests.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ok()   { PASS=$((PASS + 1)); }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# expect_exit CODE DESCRIPTION -- COMMAND...
expect_exit() {
    local want=$1 what=$2; shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; sed 's/^/    /' "$TMP/out" "$TMP/err" | head -20; fi
}

for f in "$PKG"/etc/examples/*.xml; do
    expect_exit 0 "example $(basename "$f")" -- "$BIN" check "$f"
    if [ "$(basename "$f")" = secondaryfw.xml ]; then
        # Node-local until the primary's first push brings its CARP VIPs: that one warning.
        if [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q "warning: hasync/pfsyncenabled: state sync is enabled but there are no CARP VIPs$" "$TMP/out"; then
            ok
        else
            bad "example secondaryfw.xml: expected only the no-CARP-VIPs warning:"; sed 's/^/    /' "$TMP/out"
        fi
    elif [ -s "$TMP/out" ]; then bad "example $(basename "$f") is not clean:"; sed 's/^/    /' "$TMP/out"; else ok; fi
done

# The corpus of real exports (Tests/Corpus): exactly the messages of <name>.expected, and
# exit 1 only for the files whose expected messages hold an error.
CORPUS="$PKG/Tests/Corpus"
for f in "$CORPUS"/*.xml; do
    name=$(basename "$f")
    (cd "$CORPUS" && "$BIN" check "$name") >"$TMP/out" 2>"$TMP/err"
    got=$?
    want=0
    if grep -qv ': warning: ' "${f%.xml}.expected"; then want=1; fi
    if [ "$got" -ne "$want" ]; then bad "corpus $name: exit $got, expected $want"; continue; fi
    if diff -u "${f%.xml}.expected" "$TMP/out" >"$TMP/diff"; then ok; else bad "corpus $name: messages differ"; sed 's/^/    /' "$TMP/diff"; fi
done

REJECT="$PKG/Tests/TandemConfigTests/Fixtures/reject"
for f in "$REJECT"/*.xml; do
    name=$(basename "$f")
    (cd "$REJECT" && "$BIN" check "$name") >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" -ne 1 ]; then bad "reject $name: exit $got, expected 1"; continue; fi
    if diff -u "${f%.xml}.expected" "$TMP/out" >"$TMP/diff"; then ok; else bad "reject $name: messages differ"; sed 's/^/    /' "$TMP/diff"; fi
done

# --json: one object, valid false, the error carried with line and column.
(cd "$REJECT" && "$BIN" check --json alias-unknown.xml) >"$TMP/out"
got=$?
if [ "$got" -eq 1 ] && grep -q '^{"file":"alias-unknown.xml","valid":false,"errors":\[{"line":42,"column":5,"path":"filter/rule\[2\]/source/address","message":"'"'"'lan_netz'"'"' is neither an address nor an alias"}\],"warnings":\[\],"left_out":\[\]}$' "$TMP/out"; then
    ok
else
    bad "--json output (exit $got):"; sed 's/^/    /' "$TMP/out"
fi
expect_exit 0 "--json on a valid file" -- "$BIN" check --json "$PKG/etc/examples/primaryfw.xml"
if grep -q '"valid":true,"errors":\[\],"warnings":\[\],"left_out":\[\]}$' "$TMP/out"; then ok; else bad "--json valid output"; cat "$TMP/out"; fi

# --root: the default file is ROOT/etc/tandem/config.xml.
mkdir -p "$TMP/root/etc/tandem"
cp "$PKG/etc/examples/secondaryfw.xml" "$TMP/root/etc/tandem/config.xml"
expect_exit 0 "check --root with the default file" -- "$BIN" check --root "$TMP/root"
expect_exit 2 "check --root without a config" -- "$BIN" check --root "$TMP/empty"

# Usage errors.
expect_exit 2 "unknown option" -- "$BIN" check --no-such-option
expect_exit 2 "two files" -- "$BIN" check a.xml b.xml
expect_exit 2 "missing --root value" -- "$BIN" check --root

# `apply` reads a plain command line itself and leaves every other one to ArgumentParser:
# both must take the same forms and report the same way.
expect_exit 2 "apply of a missing file" -- "$BIN" apply --root "$TMP/empty" "$TMP/missing.xml"
if grep -q "missing.xml: cannot open" "$TMP/err"; then ok; else bad "apply of a missing file: message"; cat "$TMP/err"; fi
expect_exit 2 "apply with --root=DIR and -v" -- "$BIN" apply "$TMP/missing.xml" -v --root="$TMP/empty"
if grep -q "missing.xml: cannot open" "$TMP/err" && grep -q "whole file is read" "$TMP/out"; then ok; else bad "apply with --root=DIR and -v: output"; cat "$TMP/out" "$TMP/err"; fi
expect_exit 2 "apply with an unknown option" -- "$BIN" apply --no-such-option
expect_exit 2 "apply with two files" -- "$BIN" apply a.xml b.xml
expect_exit 2 "apply with a missing --root value" -- "$BIN" apply a.xml --root
expect_exit 0 "apply --help" -- "$BIN" apply --help
if grep -q "^USAGE: tandem apply" "$TMP/out"; then ok; else bad "apply --help output"; head -5 "$TMP/out"; fi
if [ -e "$TMP/empty" ]; then bad "a refused apply created its --root"; else ok; fi

# Config sync commands on a node that does not push (a secondary): nothing is sent.
mkdir -p "$TMP/secondary/etc/tandem"
cp "$PKG/etc/examples/secondaryfw.xml" "$TMP/secondary/etc/tandem/config.xml"
expect_exit 0 "sync now on a secondary" -- "$BIN" sync now --root "$TMP/secondary"
if grep -q "^nothing to push" "$TMP/out"; then ok; else bad "sync now on a secondary: output"; head -5 "$TMP/out"; fi
expect_exit 1 "sync trust-peer on a secondary" -- "$BIN" sync trust-peer --root "$TMP/secondary"
if grep -q "does not push its config" "$TMP/err"; then ok; else bad "sync trust-peer on a secondary: message"; head -5 "$TMP/err"; fi
expect_exit 1 "sync now without a config" -- "$BIN" sync now --root "$TMP/nothing-here"

# History: every `tandem user` change is a revision; the list says what changed, show and
# diff print the configs, a missing revision is an error.
H="$TMP/hist"
mkdir -p "$H/etc/tandem"
cp "$PKG/etc/examples/primaryfw.xml" "$H/etc/tandem/config.xml"
echo first-pass | "$BIN" user add alice --password-stdin --root "$H" >/dev/null 2>&1
echo second-pass | "$BIN" user passwd alice --password-stdin --root "$H" >/dev/null 2>&1
"$BIN" user del alice --root "$H" >/dev/null 2>&1
expect_exit 0 "history" -- "$BIN" history --root "$H"
if grep -q '^3\* .*User alice deleted  *system: -user alice$' "$TMP/out" && grep -q '^2 .*Password changed for user alice  *system: ~user alice$' "$TMP/out" \
   && grep -q '^1 .*(oldest kept)$' "$TMP/out"; then ok; else bad "history listing"; cat "$TMP/out"; fi
expect_exit 0 "history --json" -- "$BIN" history --json --limit 1 --root "$H"
if python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); assert [x["number"] for x in e]==[3] and e[0]["changes"]["sections"][0]["items"]==["-user alice"]' "$TMP/out"; then ok; else bad "history --json"; cat "$TMP/out"; fi
expect_exit 0 "history diff" -- "$BIN" history diff 1 2 --root "$H"
if head -3 "$TMP/out" | grep -q '^@@ ' && grep -q '^-.*<bcrypt-hash>' "$TMP/out" && grep -q '^+.*<bcrypt-hash>' "$TMP/out"; then ok; else bad "history diff output"; head -20 "$TMP/out"; fi
expect_exit 0 "history diff against the current config" -- "$BIN" history diff 3 --root "$H"
if [ "$(cat "$TMP/out")" = "no difference" ]; then ok; else bad "history diff 3: expected no difference"; head -5 "$TMP/out"; fi
expect_exit 0 "history show" -- "$BIN" history show 1 --root "$H"
if grep -q '<name>alice</name>' "$TMP/out"; then ok; else bad "history show 1 lacks alice"; fi
expect_exit 1 "history show of a missing revision" -- "$BIN" history show 9 --root "$H"
if grep -q "revision 9 is not in the history" "$TMP/err"; then ok; else bad "history show 9: message"; cat "$TMP/err"; fi
expect_exit 1 "rollback to a missing revision" -- "$BIN" rollback 9 --root "$H"
if grep -q "revision 9 is not in the history" "$TMP/err"; then ok; else bad "rollback 9: message"; cat "$TMP/err"; fi
expect_exit 1 "confirm without a daemon" -- "$BIN" confirm --root "$H"
expect_exit 1 "apply --confirm without a daemon" -- "$BIN" apply --confirm 1 --root "$H"
if grep -q "nobody would restore the previous revision, so nothing was applied" "$TMP/err"; then ok; else bad "apply --confirm without a daemon: message"; cat "$TMP/err"; fi
expect_exit 2 "apply --confirm with a bad time" -- "$BIN" apply --confirm 0 --root "$H"
if [ "$("$BIN" history --root "$H" | grep -c '^[0-9]')" = 3 ]; then ok; else bad "a refused command wrote a revision"; fi

# Rollback round trip: the apply path commits to the kernel, so in a namespace of its own.
NS=tandem-clitest-$(printf '%04x' "$RANDOM")
if [ "$(id -u)" -eq 0 ] && ip netns add "$NS" 2>/dev/null; then
    trap 'ip netns delete "$NS" 2>/dev/null; rm -rf "$TMP"' EXIT
    expect_exit 0 "rollback 1" -- ip netns exec "$NS" "$BIN" rollback 1 --root "$H"
    if grep -q '^applied .*000001.xml: full, .*revision 4$' "$TMP/out"; then ok; else bad "rollback 1 output"; cat "$TMP/out" "$TMP/err"; fi
    "$BIN" history --root "$H" >"$TMP/out"
    if grep -q '^4\* .*Rolled back to revision 1  *system: +user alice$' "$TMP/out"; then ok; else bad "history after rollback"; cat "$TMP/out"; fi
    if grep -q '<name>alice</name>' "$H/etc/tandem/config.xml"; then ok; else bad "the rolled-back config lacks alice"; fi
    ip netns delete "$NS"
else
    echo "skip: rollback round trip (needs root and network namespaces)"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
