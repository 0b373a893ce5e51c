#!/usr/bin/env bash
# Generates a config.xml with N filter rules (compact XML: the parser takes at most 16 MiB)
# for the nftables benchmark. Usage: gen-nft-config.sh RULES ALIAS_ENTRIES [VARIANT [STYLE]]
#   RULES          pass rules on LAN, each with its own source, destination and port
#   ALIAS_ENTRIES  entries in the host alias "bigset" (IPv6 hosts in 2001:db8::/32),
#                  matched by one extra rule; 0 for none
#   VARIANT        "base" (default), "onerule" (rule 1 has another port),
#                  "onealias" (the alias "admins" has one more address) or "ontop" (one
#                  more rule before all the others, which renumbers them)
#   STYLE          "rules" (default): every rule a kernel rule; "groups": rule groups on
#                  (<system><tandem><rulegroups/>), so the rules, which differ only in
#                  addresses and port, are one rule and a set per 500 rule numbers
# Only documentation addresses are used.
set -euo pipefail
rules=$1 alias=$2 variant=${3:-base} style=${4:-rules}
admins="192.0.2.200 192.0.2.201"
groups=""
[ "$style" = groups ] && groups="<tandem><rulegroups></rulegroups></tandem>"
[ "$variant" = onealias ] && admins="$admins 192.0.2.202"
cat <<HEAD
<?xml version="1.0"?>
<pfsense>
<version>23.3</version>
<system><hostname>benchfw</hostname><domain>vmlab.corp</domain><webgui><protocol>https</protocol></webgui>$groups</system>
<interfaces>
<wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet></wan>
<lan><enable></enable><if>lan0</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan>
</interfaces>
<aliases>
<alias><name>admins</name><type>host</type><address>$admins</address></alias>
HEAD
if [ "$alias" -gt 0 ]; then
    printf '<alias><name>bigset</name><type>host</type><address>'
    awk -v n="$alias" 'BEGIN { for (i = 0; i < n; i++) printf "%s2001:db8:%x:%x::1", (i ? " " : ""), int(i / 65536) + 1, i % 65536 }'
    printf '</address></alias>\n'
fi
echo '</aliases>'
echo '<filter>'
if [ "$variant" = ontop ]; then
    echo '<rule><type>block</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol><source><any></any></source><destination><any></any><port>23</port></destination><descr>no telnet</descr></rule>'
fi
echo '<rule><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol><source><address>admins</address></source><destination><any></any><port>22</port></destination><descr>admins ssh</descr></rule>'
if [ "$alias" -gt 0 ]; then
    echo '<rule><type>block</type><interface>wan</interface><ipprotocol>inet6</ipprotocol><source><address>bigset</address></source><destination><any></any></destination><descr>bigset</descr></rule>'
fi
awk -v n="$rules" -v variant="$variant" -v style="$style" 'BEGIN {
    for (i = 0; i < n; i++) {
        port = 1024 + i % 60000
        if (i == 1 && variant == "onerule") port = 65001
        printf "<rule><type>pass</type><interface>lan</interface><ipprotocol>inet</ipprotocol><protocol>tcp</protocol>"
        printf "<source><address>192.0.2.%d</address></source>", i % 250 + 1
        printf "<destination><address>198.51.100.%d</address><port>%d</port></destination></rule>\n", int(i / 250) % 250 + 1, port
    }
}'
echo '</filter>'
echo '</pfsense>'
