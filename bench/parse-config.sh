#!/usr/bin/env bash
# Prints a valid pfSense config.xml with N filter rules and M aliases (documentation
# addresses only), for the parse benchmark. Usage: bench/parse-config.sh N M
set -eu
RULES=${1:-10000}
ALIASES=${2:-1000}
awk -v rules="$RULES" -v aliases="$ALIASES" 'BEGIN {
    print "<?xml version=\"1.0\"?>"
    print "<pfsense>"
    print "\t<version>23.3</version>"
    print "\t<system>\n\t\t<hostname>benchfw</hostname>\n\t\t<domain>vmlab.corp</domain>\n\t</system>"
    print "\t<interfaces>"
    print "\t\t<wan>\n\t\t\t<enable></enable>\n\t\t\t<if>wan0</if>\n\t\t\t<ipaddr>198.51.100.2</ipaddr>\n\t\t\t<subnet>24</subnet>\n\t\t</wan>"
    print "\t\t<lan>\n\t\t\t<enable></enable>\n\t\t\t<if>lan0</if>\n\t\t\t<ipaddr>192.0.2.2</ipaddr>\n\t\t\t<subnet>24</subnet>\n\t\t</lan>"
    print "\t</interfaces>"
    print "\t<aliases>"
    for (a = 1; a <= aliases; a++) {
        print "\t\t<alias>"
        printf "\t\t\t<name>net_%d</name>\n", a
        print "\t\t\t<type>network</type>"
        # Every tenth alias nests the previous one.
        nested = (a % 10 == 0) ? sprintf(" net_%d", a - 1) : ""
        printf "\t\t\t<address>203.0.113.%d/32 198.51.100.%d/32 2001:db8:%x::/48%s</address>\n", a % 256, (a * 7) % 256, a, nested
        printf "\t\t\t<descr><![CDATA[alias %d]]></descr>\n", a
        print "\t\t</alias>"
    }
    print "\t</aliases>"
    print "\t<filter>"
    for (r = 1; r <= rules; r++) {
        iface = (r % 2) ? "lan" : "wan"
        print "\t\t<rule>"
        printf "\t\t\t<tracker>%d</tracker>\n", 1764000000 + r
        print (r % 5 == 0) ? "\t\t\t<type>block</type>" : "\t\t\t<type>pass</type>"
        printf "\t\t\t<interface>%s</interface>\n", iface
        print "\t\t\t<ipprotocol>inet</ipprotocol>"
        print "\t\t\t<protocol>tcp</protocol>"
        print "\t\t\t<statetype><![CDATA[keep state]]></statetype>"
        printf "\t\t\t<source>\n\t\t\t\t<address>net_%d</address>\n\t\t\t</source>\n", (r % aliases) + 1
        printf "\t\t\t<destination>\n\t\t\t\t<address>192.0.2.%d</address>\n\t\t\t\t<port>%d</port>\n\t\t\t</destination>\n", r % 254 + 1, 1024 + r % 60000
        printf "\t\t\t<descr><![CDATA[rule %d]]></descr>\n", r
        printf "\t\t\t<created>\n\t\t\t\t<time>%d</time>\n\t\t\t\t<username><![CDATA[admin@192.0.2.100 (Local Database)]]></username>\n\t\t\t</created>\n", 1764000000 + r
        print "\t\t</rule>"
    }
    print "\t</filter>"
    print "</pfsense>"
}'
