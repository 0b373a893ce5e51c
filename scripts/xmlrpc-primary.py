#!/usr/bin/env python3
"""A pfSense 2.7 primary's config push, call for call, with Python's xmlrpc.client.

pfSense's `rc.filter_synchronize` and `xmlrpc_client.inc` (pfsense/pfsense, src/etc): the URL
carries the credentials (`https://user:pass@host:port/xmlrpc.php`), TLS is not verified,
`pfsense.host_firmware_version` is called first and its `config_version` compared with the
local `<version>`, then `pfsense.restore_config_section(sections, 900)`. Sections travel as
PHP arrays do: an element with children is a struct, an element in pfSense's list tags (or
repeated) is an array of them, a leaf is a string.

usage: xmlrpc-primary.py URL USER PASSWORD CONFIG.xml SECTION[,SECTION...] [options]
  --config-version V   the primary's own <version> (default: CONFIG.xml's)
  --vip-transform      advskew + 100 (cap 254), ipalias/proxyarp VIPs not on a CARP VIP dropped
  --call METHOD        call METHOD (with the sections struct) instead of the restore
  --without-vhid N     leave vhid N's VIP out of virtualip
exit: 0 synced, 2 fault (printed), 3 version refused, 4 transport error
"""
import argparse
import ssl
import sys
import urllib.parse
import xml.etree.ElementTree as ET
import xmlrpc.client

# pfSense's listtags() (src/etc/inc/xmlparse.inc): always arrays, even with one element.
LIST_TAGS = {
    "acls", "alias", "aliasurl", "allowedip", "allowedhostname", "authserver", "bridged", "build_port_path",
    "ca", "cacert", "cert", "crl", "clone", "config", "container", "columnitem", "depends_on_package",
    "disk", "dnsserver", "dnsupdate", "domainoverrides", "dyndns", "earlyshellcmd", "element", "encryption-algorithm-option",
    "field", "fieldname", "hash-algorithm-option", "gateway_item", "gateway_group", "gif", "gre", "group", "hosts",
    "member", "ifgroupentry", "igmpentry", "interface_array", "item", "key", "lagg", "lbaction", "lbpool",
    "l7rules", "lbprotocol", "member", "menu", "tab", "mobilekey", "monitor_type", "mount", "npt", "ntpd_gps",
    "onetoone", "option", "package", "passthrumac", "phase1", "phase2", "ppp", "pppoe", "priv", "proxyarpnet",
    "queue", "pages", "pipe", "radnsserver", "roll", "route", "row", "rrddatafile", "rule", "schedule",
    "service", "servernat", "servers", "serversdisabled", "shellcmd", "staticmap", "subqueue", "switch",
    "timerange", "tunnel", "user", "vip", "virtual_server", "vlan", "winsserver", "wolentry", "widget",
    "xmldatafile",
}


def php_value(element):
    children = list(element)
    if not children:
        text = element.text or ""
        return "" if text.strip() == "" else text
    out = {}
    repeated = set()
    for child in children:
        value = php_value(child)
        tag = child.tag
        if tag in LIST_TAGS:
            out.setdefault(tag, []).append(value)
        elif tag in out:
            if tag not in repeated:
                out[tag] = [out[tag]]
                repeated.add(tag)
            out[tag].append(value)
        else:
            out[tag] = value
    return out


def vip_transform(virtualip):
    """backup_vip_config_section() in rc.filter_synchronize."""
    vips = virtualip.get("vip", []) if isinstance(virtualip, dict) else []
    kept = []
    for vip in vips:
        mode = vip.get("mode", "")
        iface = vip.get("interface", "")
        if mode in ("ipalias", "proxyarp") and not (iface.startswith("_vip") or iface == "lo0"):
            continue
        if vip.get("advskew", "") != "":
            vip["advskew"] = str(min(int(vip["advskew"]) + 100, 254))
        if vip.get("advbase", "") != "":
            vip["advbase"] = str(min(int(vip["advbase"]), 254))
        kept.append(vip)
    return {"vip": kept}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("user")
    p.add_argument("password")
    p.add_argument("config")
    p.add_argument("sections")
    p.add_argument("--config-version")
    p.add_argument("--vip-transform", action="store_true")
    p.add_argument("--call", default="pfsense.restore_config_section")
    p.add_argument("--without-vhid", help="leave this vhid's VIP out (as if deleted on the primary)")
    a = p.parse_args()

    root = ET.parse(a.config).getroot()
    own_version = a.config_version or (root.findtext("version") or "")
    sections = {}
    for name in a.sections.split(","):
        element = root.find(name)
        if element is None:
            continue
        value = php_value(element)
        if name == "virtualip" and a.vip_transform:
            value = vip_transform(value)
        if name == "virtualip" and a.without_vhid:
            value = {"vip": [v for v in value.get("vip", []) if v.get("vhid") != a.without_vhid]}
        sections[name] = value

    parts = urllib.parse.urlsplit(a.url)
    netloc = "%s:%s@%s" % (urllib.parse.quote(a.user, safe=""), urllib.parse.quote(a.password, safe=""), parts.netloc)
    url = urllib.parse.urlunsplit((parts.scheme, netloc, "/xmlrpc.php", "", ""))
    context = ssl._create_unverified_context()
    proxy = xmlrpc.client.ServerProxy(url, context=context, allow_none=False)
    try:
        version = proxy.pfsense.host_firmware_version("", 240)
        remote = version.get("config_version", "") if isinstance(version, dict) else ""
        if remote == "":
            print("The other member's configuration version could not be determined. Skipping synchronization.")
            return 3
        if remote != own_version:
            print("The other member is on a different configuration version of pfSense (%s, here %s). Sync will not be done to prevent problems!" % (remote, own_version))
            return 3
        method = getattr(proxy, a.call)
        result = method(sections, 900)
    except xmlrpc.client.Fault as fault:
        print("fault %d: %s" % (fault.faultCode, fault.faultString))
        return 2
    except (OSError, xmlrpc.client.ProtocolError) as error:
        print("transport error: %s" % error)
        return 4
    print("XMLRPC sync successfully completed with %s (%s: %r)." % (parts.netloc, a.call, result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
