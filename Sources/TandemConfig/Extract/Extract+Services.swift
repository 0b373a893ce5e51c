import Foundation
import TandemAddress

extension ConfigExtractor {
    mutating func dhcpScopes() -> [DHCPScope] {
        guard let container = root.child("dhcpd") else { return [] }
        return container.elements.map { element in
            let r = ItemReader(element, path: "dhcpd/" + element.name)
            var scope = DHCPScope(interface: element.name, location: r.location)
            scope.enabled = r.flag("enable")
            let from = r.ipv4("range/from", &issues), to = r.ipv4("range/to", &issues)
            if let from, let to { scope.range = DHCPScope.Range(from: from, to: to) }
            scope.gateway = r.ipv4("gateway", &issues)
            let servers = element.children("dnsserver")
            for (i, server) in servers.enumerated() {
                let text = server.text.trimmed
                guard !text.isEmpty else { continue }
                if let a = IPv4Address(text) {
                    scope.dnsServers.append(a)
                } else {
                    issues.append(r.error("'\(text)' is not an IPv4 address", field: servers.count > 1 ? "dnsserver[\(i + 1)]" : "dnsserver"))
                }
            }
            scope.domain = r.nonEmpty("domain")
            scope.domainSearchList = r.nonEmpty("domainsearchlist")
            scope.defaultLeaseTime = r.int("defaultleasetime", &issues)
            scope.maxLeaseTime = r.int("maxleasetime", &issues)
            scope.failoverPeer = r.ipv4("failover_peerip", &issues)
            scope.staticMaps = listItems(element.children("staticmap")).map { i, e in
                let m = ItemReader(e, path: itemPath("dhcpd/" + element.name, "staticmap", i))
                return DHCPScope.StaticMap(mac: m.nonEmpty("mac"), ipAddress: m.ipv4("ipaddr", &issues),
                                           hostname: m.nonEmpty("hostname"), descr: m.raw("descr"), location: m.location)
            }
            scope.denyUnknown = r.flag("denyunknown")
            scope.ntpServers = r.strings("ntpserver").filter { !$0.isEmpty }
            let wins = element.children("winsserver")
            for (i, server) in wins.enumerated() {
                let text = server.text.trimmed
                guard !text.isEmpty else { continue }
                if let a = IPv4Address(text) {
                    scope.winsServers.append(a)
                } else {
                    issues.append(r.error("'\(text)' is not an IPv4 address", field: wins.count > 1 ? "winsserver[\(i + 1)]" : "winsserver"))
                }
            }
            if r.flag("netboot") {
                scope.netboot = DHCPScope.Netboot(nextServer: r.ipv4("nextserver", &issues), filename: r.nonEmpty("filename"),
                                                  rootPath: r.nonEmpty("rootpath"))
            }
            scope.macAllow = r.list("mac_allow")
            scope.macDeny = r.list("mac_deny")
            scope.customOptionCount = listItems(element.child("numberoptions")?.children("item") ?? []).count
            return scope
        }
    }

    mutating func unbound() -> Unbound? {
        guard let element = root.child("unbound") else { return nil }
        let r = ItemReader(element, path: "unbound")
        var u = Unbound(location: r.location)
        u.enabled = r.flag("enable")
        u.dnssec = r.flag("dnssec")
        u.forwarding = r.flag("forwarding")
        u.registerDHCP = r.flag("regdhcp")
        u.registerDHCPStatic = r.flag("regdhcpstatic")
        u.hideIdentity = r.flag("hideidentity")
        u.hideVersion = r.flag("hideversion")
        u.dnssecStripped = r.flag("dnssecstripped")
        u.qnameMinimisation = r.flag("qname-minimisation")
        if let port = r.int("port", &issues) {
            if let p = UInt16(exactly: port), p > 0 {
                u.port = p
            } else {
                issues.append(r.error("'\(port)' is not a port (1-65535)", field: "port"))
            }
        }
        let active = r.list("active_interface")
        u.activeInterfaces = active.contains("all") ? [] : active
        let outgoing = r.list("outgoing_interface")
        u.outgoingInterfaces = outgoing.contains("all") ? [] : outgoing
        u.hosts = unboundHosts(element)
        u.domainOverrides = unboundDomainOverrides(element)
        u.accessLists = unboundAccessLists(element)
        return u
    }
}
