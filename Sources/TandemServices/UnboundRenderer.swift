import TandemAddress
import TandemConfig

/// `<unbound>` → an unbound.conf(5) for a private instance, after pfSense's
/// `unbound_generate_config()` (`pfsense/pfsense:src/etc/inc/unbound.inc`).
public struct UnboundRenderer: Sendable {
    public var paths: ServicePaths

    public init(paths: ServicePaths) { self.paths = paths }

    /// nil when `<unbound>` is absent or not enabled.
    public func render(_ config: Config) -> ServiceSpec? {
        guard let u = config.unbound, u.enabled else { return nil }
        let facts = NodeFacts(config)
        var lines = ["# Rendered by tandem from config.xml <unbound>; edits are overwritten.", "server:"]
        func set(_ key: String, _ value: String) { lines.append("  \(key): \(value)") }
        set("do-daemonize", "no")
        set("chroot", "\"\"")
        // On an appliance drop to Debian's `unbound` user; under a private root the files
        // belong to root and the instance stays root (it never leaves its namespace).
        set("username", paths.isAppliance ? "\"unbound\"" : "\"\"")
        set("directory", quoted(paths.unboundDirectory))
        set("pidfile", quoted(paths.unboundPidFile))
        set("use-syslog", "no")
        set("port", "\(u.effectivePort)")

        let active = u.activeInterfaces.compactMap { facts.interface($0) }
        if u.listensOnAllInterfaces {
            // Wildcard socket that replies from the queried address, the VIP included.
            set("interface", "0.0.0.0")
            set("interface", "::0")
            set("interface-automatic", "yes")
        } else {
            // Each active interface's own address and its CARP VIPs. A backup node holds
            // the VIP's socket before the address arrives (unbound.conf(5) `ip-freebind`).
            set("ip-freebind", "yes")
            var seen: Set<String> = []
            for i in active {
                for a in [i.ipv4?.address, i.ipv6?.address].compactMap({ $0 }) + i.carp.compactMap(\.address)
                where seen.insert(a.description).inserted {
                    set("interface", a.description)
                }
            }
            if u.activeInterfaces.contains("lo0") {
                set("interface", "127.0.0.1")
                set("interface", "::1")
            }
        }
        for name in u.outgoingInterfaces {
            guard let i = facts.interface(name) else { continue }
            for a in [i.ipv4?.address, i.ipv6?.address].compactMap({ $0 }) { set("outgoing-interface", a.description) }
        }

        // pfSense: loopback may snoop the cache; the networks it serves are allowed; the
        // rest is refused (unbound's own default also refuses them).
        set("access-control", "127.0.0.0/8 allow_snoop")
        set("access-control", "::1/128 allow_snoop")
        let served = (u.listensOnAllInterfaces ? facts.interfaces.filter { !$0.hasGateway } : active)
        var nets: Set<String> = []
        for i in served {
            for n in [i.ipv4, i.ipv6].compactMap({ $0 }) where nets.insert(n.masked.description).inserted {
                set("access-control", "\(n.masked) allow")
            }
        }
        // The configured access lists after the automatic ones (`unbound_acls_config()`);
        // for the same network unbound keeps the last line.
        for acl in u.accessLists {
            for n in acl.networks { set("access-control", "\(n.masked) \(acl.action.unboundAction)") }
        }

        set("hide-identity", u.hideIdentity ? "yes" : "no")
        set("hide-version", u.hideVersion ? "yes" : "no")
        set("harden-dnssec-stripped", u.dnssecStripped ? "yes" : "no")
        set("qname-minimisation", u.qnameMinimisation ? "yes" : "no")
        if u.dnssec {
            set("module-config", "\"validator iterator\"")
            // Kept in the instance's directory: unbound rewrites it on RFC 5011 rollovers.
            // It starts from Debian's copy of IANA's root anchor (`dns-root-data`).
            set("auto-trust-anchor-file", quoted(trustAnchor))
        } else {
            set("module-config", "\"iterator\"")
        }
        localData(config, facts: facts, registerStatic: u.registerDHCPStatic, set: set)
        hostOverrides(u, set: set)
        // A domain override's zone is private (rebinding protection allows private answers)
        // and not DNSSEC-validated, as pfSense writes them (`unbound_add_domain_overrides()`).
        let overridden = Self.overridesByDomain(u)
        for (domain, _) in overridden {
            set("private-domain", "\"\(domain)\"")
            set("domain-insecure", "\"\(domain)\"")
            // Unbound answers the private and documentation reverse zones itself (its
            // default local zones, unbound.conf(5) `local-zone`); a forwarded one must
            // pass through.
            if domain.hasSuffix(".in-addr.arpa") || domain.hasSuffix(".ip6.arpa") {
                set("local-zone", "\"\(domain)\" typetransparent")
            }
        }

        for (domain, servers) in overridden {
            lines.append("forward-zone:")
            set("name", "\"\(domain)\"")
            for o in servers { set("forward-addr", o.port.map { "\(o.server)@\($0)" } ?? o.server.description) }
        }
        if u.forwarding {
            let servers = config.system.dnsServers.filter { IPAddress($0) != nil }
            // Without servers it resolves from the root servers (the validator warns).
            if !servers.isEmpty {
                lines.append("forward-zone:")
                set("name", "\".\"")
                for s in servers { set("forward-addr", s) }
            }
        }
        lines += ["remote-control:", "  control-enable: yes", "  control-interface: " + quoted(paths.unboundControlSocket),
                  "  control-use-cert: no"]
        let text = lines.joined(separator: "\n") + "\n"
        var directories = [ServiceDirectory(parent(paths.unboundConfig)), ServiceDirectory(paths.unboundDirectory),
                           ServiceDirectory(parent(paths.unboundPidFile))]
        if u.dnssec { directories[1].owner = paths.isAppliance ? "unbound" : nil }
        return ServiceSpec(kind: .dns, configPath: paths.unboundConfig, contents: text,
                           command: ["/usr/sbin/unbound", "-d", "-c", paths.unboundConfig],
                           check: ["/usr/sbin/unbound-checkconf", paths.unboundConfig],
                           reload: .signal(1), directories: directories,
                           seeds: u.dnssec ? [ServiceSeed(source: "/usr/share/dns/root.key", destination: trustAnchor)] : [])
    }

    /// The node's own name on its interface addresses, forward and reverse, as pfSense's
    /// resolver answers it (`unbound_add_host_entries()`), and the DHCP static mappings
    /// when `regdhcpstatic` is on.
    private func localData(_ config: Config, facts: NodeFacts, registerStatic: Bool, set: (String, String) -> Void) {
        guard let domain = config.system.domain, !domain.isEmpty else { return }
        set("local-zone", "\"\(domain).\" transparent")
        if let fqdn = config.system.fqdn, config.system.hostname?.isEmpty == false {
            for i in facts.interfaces {
                for a in [i.ipv4?.address, i.ipv6?.address].compactMap({ $0 }) {
                    set("local-data", "\"\(fqdn). \(a.family == .ipv4 ? "A" : "AAAA") \(a)\"")
                    set("local-data-ptr", "\"\(a) \(fqdn).\"")
                }
            }
        }
        guard registerStatic else { return }
        for scope in config.dhcpd where scope.enabled {
            for map in scope.staticMaps {
                guard let ip = map.ipAddress, let host = map.hostname, !host.isEmpty else { continue }
                let name = "\(KeaRenderer.hostLabel(host)).\(scope.domain ?? domain)."
                set("local-data", "\"\(name) A \(ip)\"")
                set("local-data-ptr", "\"\(ip) \(name)\"")
            }
        }
    }

    /// Host overrides and their aliases, forward and reverse (one PTR per address, to the
    /// override's own name), as pfSense's `unbound_generate_zone_data()`.
    private func hostOverrides(_ u: Unbound, set: (String, String) -> Void) {
        var ptr: Set<IPAddress> = []
        for h in u.hosts {
            for a in h.addresses {
                let type = a.family == .ipv4 ? "A" : "AAAA"
                if ptr.insert(a).inserted { set("local-data-ptr", "\"\(a) \(h.fqdn).\"") }
                for name in [h.fqdn] + h.aliases.map(\.fqdn) { set("local-data", "\"\(name). \(type) \(a)\"") }
            }
        }
    }

    /// Overrides grouped by domain, domains sorted (pfSense `msort($domains, "domain")`).
    static func overridesByDomain(_ u: Unbound) -> [(String, [Unbound.DomainOverride])] {
        Dictionary(grouping: u.domainOverrides, by: \.domain).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private func quoted(_ s: String) -> String { "\"" + s + "\"" }
    private var trustAnchor: String { paths.unboundDirectory + "/root.key" }
}
