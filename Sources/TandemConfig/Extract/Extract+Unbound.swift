import TandemAddress

/// `<unbound>`'s repeated items: `hosts`, `domainoverrides`, `acls` (pfSense's
/// `unbound.inc`; a single occurrence is a one-element list).
extension ConfigExtractor {
    mutating func unboundHosts(_ element: XMLElement) -> [Unbound.HostOverride] {
        listItems(element.children("hosts")).compactMap { i, e in
            let r = ItemReader(e, path: itemPath("unbound", "hosts", i))
            guard let domain = r.nonEmpty("domain") else {
                issues.append(r.error("a host override needs a domain", field: "domain"))
                return nil
            }
            var addresses: [IPAddress] = []
            for text in r.list("ip") {
                guard let a = IPAddress(text) else {
                    issues.append(r.error("'\(text)' is not an IP address", field: "ip"))
                    continue
                }
                addresses.append(a)
            }
            if addresses.isEmpty, r.nonEmpty("ip") == nil {
                issues.append(r.error("a host override needs an address", field: "ip"))
            }
            let aliases = listItems(e.child("aliases")?.children("item") ?? []).compactMap { j, item -> Unbound.HostOverride.Alias? in
                let a = ItemReader(item, path: itemPath(r.location.path + "/aliases", "item", j))
                // pfSense leaves an empty <item> behind when the last alias is removed.
                guard let aliasDomain = a.nonEmpty("domain") else { return nil }
                return Unbound.HostOverride.Alias(host: a.nonEmpty("host") ?? "", domain: aliasDomain)
            }
            return Unbound.HostOverride(host: r.nonEmpty("host") ?? "", domain: domain, addresses: addresses,
                                        aliases: aliases, location: r.location)
        }
    }

    mutating func unboundDomainOverrides(_ element: XMLElement) -> [Unbound.DomainOverride] {
        listItems(element.children("domainoverrides")).compactMap { i, e in
            let r = ItemReader(e, path: itemPath("unbound", "domainoverrides", i))
            guard let domain = r.nonEmpty("domain") else {
                issues.append(r.error("a domain override needs a domain", field: "domain"))
                return nil
            }
            guard let text = r.nonEmpty("ip") else {
                issues.append(r.error("a domain override needs a server address", field: "ip"))
                return nil
            }
            // `addr@port` (unbound.conf(5) forward-addr syntax, which pfSense passes through).
            let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
            guard let server = IPAddress(parts[0]) else {
                issues.append(r.error("'\(text)' is not an IP address (optionally @port)", field: "ip"))
                return nil
            }
            var port: UInt16?
            if parts.count == 2 {
                guard let p = UInt16(parts[1]), p > 0 else {
                    issues.append(r.error("'\(parts[1])' in '\(text)' is not a port (1-65535)", field: "ip"))
                    return nil
                }
                port = p
            }
            return Unbound.DomainOverride(domain: domain, server: server, port: port,
                                          tls: r.flag("forward_tls_upstream"), location: r.location)
        }
    }

    mutating func unboundAccessLists(_ element: XMLElement) -> [Unbound.AccessList] {
        listItems(element.children("acls")).compactMap { i, e in
            let r = ItemReader(e, path: itemPath("unbound", "acls", i))
            guard let action = r.word("aclaction", as: Unbound.AccessList.Action.self, &issues) else {
                if r.nonEmpty("aclaction") == nil { issues.append(r.error("an access list needs an action", field: "aclaction")) }
                return nil
            }
            var networks: [IPNetwork] = []
            for (j, row) in e.children("row").enumerated() {
                let field = "row[\(j + 1)]"
                guard let address = ItemReader.nonEmpty(row.child("acl_network")) else { continue }
                let mask = ItemReader.nonEmpty(row.child("mask"))
                guard let network = IPNetwork(mask.map { "\(address)/\($0)" } ?? address) else {
                    issues.append(r.error("'\(address)/\(mask ?? "")' is not a network", field: field + "/acl_network"))
                    continue
                }
                networks.append(network)
            }
            return Unbound.AccessList(name: r.nonEmpty("aclname") ?? "", action: action, networks: networks, location: r.location)
        }
    }
}
