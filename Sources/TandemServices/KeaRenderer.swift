import Foundation
import TandemAddress
import TandemConfig

/// `<dhcpd>` → a kea-dhcp4 configuration (Kea 2.2 ARM, "The DHCPv4 Server"), following
/// pfSense's `services_kea4_configure()` (`pfsense/pfsense:src/etc/inc/services.inc`) where
/// Kea allows, with two differences an HA pair on Linux needs: the socket is pinned to the
/// interface's real address (`"lan0/192.0.2.2"`: with the CARP VIP on the link a bare
/// interface name opens two raw sockets and answers every broadcast twice), and the HA
/// hook's own HTTP listener is switched on (see `KeaRenderer+HA.swift`).
public struct KeaRenderer: Sendable {
    public var paths: ServicePaths
    /// Where `libdhcp_ha.so` and `libdhcp_lease_cmds.so` are: Kea needs absolute library
    /// paths (a bare name fails `kea-dhcp4 -t` with HOOKS_OPEN_ERROR).
    public var hooksDirectory: String
    /// TCP port of the HA listener (pfSense's default `localport`).
    public var haPort: Int = KeaRenderer.defaultHAPort
    public static let defaultHAPort = 8765

    public init(paths: ServicePaths, hooksDirectory: String) {
        self.paths = paths
        self.hooksDirectory = hooksDirectory
    }

    /// pfSense's global lease times (`services_kea4_configure()`).
    static let defaultValidLifetime = 7200
    static let defaultMaxValidLifetime = 86400

    /// nil when no `dhcpd` scope is enabled on an interface with a static IPv4 address.
    public func render(_ config: Config) -> ServiceSpec? {
        let facts = NodeFacts(config)
        var pinned: [String] = []
        var subnets: [JSONValue] = []
        for scope in config.dhcpd where scope.enabled {
            guard let iface = facts.interface(scope.interface), let own = facts.ipv4(scope.interface),
                  let network = iface.ipv4, let range = scope.range else { continue }
            pinned.append(iface.device + "/" + own.description)
            subnets.append(subnet(scope, id: subnets.count + 1, iface: iface, own: own, network: network,
                                  range: range, facts: facts))
        }
        guard !subnets.isEmpty else { return nil }

        var dhcp4: [(String, JSONValue)] = [
            ("interfaces-config", .object([("interfaces", .array(pinned.map(JSONValue.string)))])),
            ("control-socket", .object([("socket-type", .string("unix")), ("socket-name", .string(paths.keaControlSocket))])),
            ("lease-database", .object([
                ("type", .string("memfile")), ("persist", .bool(true)), ("name", .string(paths.keaLeaseFile)),
                ("lfc-interval", .int(3600)),
            ])),
            ("valid-lifetime", .int(Self.defaultValidLifetime)),
            ("max-valid-lifetime", .int(Self.defaultMaxValidLifetime)),
            ("authoritative", .bool(true)),
            ("echo-client-id", .bool(false)),
            ("reservations-in-subnet", .bool(true)),
            ("host-reservation-identifiers", .array(["hw-address", "client-id"].map(JSONValue.string))),
            ("sanity-checks", .object([("lease-checks", .string("fix-del"))])),
        ]
        if let domain = config.system.domain, !domain.isEmpty {
            dhcp4.append(("option-data", .array([Self.option("domain-name", domain)])))
        }
        var hooks: [JSONValue] = [.object([("library", .string(hooksDirectory + "/libdhcp_lease_cmds.so"))])]
        if let ha = highAvailability(config, facts: facts) {
            // The HA hook's dedicated listener needs the core's multi-threading (Kea 2.2 ARM
            // "ha: High Availability", "Multi-Threaded Configuration"; both default off in 2.2).
            dhcp4.append(("multi-threading", .object([
                ("enable-multi-threading", .bool(true)), ("thread-pool-size", .int(2)), ("packet-queue-size", .int(16)),
            ])))
            hooks.append(ha)
        }
        dhcp4.append(("hooks-libraries", .array(hooks)))
        dhcp4.append(("subnet4", .array(subnets)))
        // The supervisor keeps the daemon's standard output in the service log.
        dhcp4.append(("loggers", .array([.object([
            ("name", .string("kea-dhcp4")),
            ("output_options", .array([.object([("output", .string("stdout"))])])),
            ("severity", .string("INFO")),
        ])])))
        let text = "// Rendered by tandem from config.xml <dhcpd>; edits are overwritten.\n"
            + JSONValue.object([("Dhcp4", .object(dhcp4))]).rendered() + "\n"
        return ServiceSpec(
            kind: .dhcp4, configPath: paths.keaConfig, contents: text,
            command: ["/usr/sbin/kea-dhcp4", "-c", paths.keaConfig],
            environment: ["KEA_PIDFILE_DIR": paths.keaRunDirectory, "KEA_LOCKFILE_DIR": paths.keaLockDirectory],
            check: ["/usr/sbin/kea-dhcp4", "-t", paths.keaConfig],
            reload: .signal(1),
            directories: [ServiceDirectory(paths.keaRunDirectory, mode: 0o750), ServiceDirectory(paths.keaLockDirectory, mode: 0o750),
                          ServiceDirectory(paths.keaLeaseDirectory, mode: 0o750), ServiceDirectory(parent(paths.keaConfig))])
    }

    private func subnet(_ scope: DHCPScope, id: Int, iface: NodeFacts.Interface, own: IPv4Address, network: IPNetwork,
                        range: DHCPScope.Range, facts: NodeFacts) -> JSONValue {
        var pool: [(String, JSONValue)] = [("pool", .string("\(range.from) - \(range.to)"))]
        // pfSense: `denyunknown` lets only clients with a reservation draw from the pool
        // (Kea's built-in KNOWN class).
        if scope.denyUnknown { pool.append(("client-class", .string("KNOWN"))) }
        var s: [(String, JSONValue)] = [
            ("id", .int(id)),
            ("subnet", .string(network.masked.description)),
            // Directly connected clients get no offer for a subnet on an interface with a
            // second address unless the subnet names the interface.
            ("interface", .string(iface.device)),
            ("pools", .array([.object(pool)])),
        ]
        var valid = scope.defaultLeaseTime
        var maxValid = scope.maxLeaseTime
        if let v = valid, maxValid == nil, v > Self.defaultMaxValidLifetime { maxValid = v }
        if let m = maxValid, valid == nil, m < Self.defaultValidLifetime { valid = m }
        if let valid { s.append(("valid-lifetime", .int(valid))) }
        if let maxValid { s.append(("max-valid-lifetime", .int(maxValid))) }

        var options: [JSONValue] = []
        if let routers = scope.gateway.map({ [$0] }) ?? (facts.hasIPv4Gateway ? [own] : nil) {
            options.append(Self.option("routers", routers.map(\.description).joined(separator: ", ")))
        }
        let dns = dnsServers(scope, own: own, config: facts.config)
        if !dns.isEmpty { options.append(Self.option("domain-name-servers", dns.joined(separator: ", "))) }
        if let domain = scope.domain { options.append(Self.option("domain-name", domain, alwaysSend: true)) }
        if let search = scope.domainSearchList {
            let names = search.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !names.isEmpty { options.append(Self.option("domain-search", names.joined(separator: ", "), alwaysSend: true)) }
        }
        // Option 42 carries IPv4 addresses only (the validator warns about names).
        let ntp = scope.ntpServers.compactMap(IPv4Address.init)
        if !ntp.isEmpty { options.append(Self.option("ntp-servers", ntp.map(\.description).joined(separator: ", "))) }
        if !scope.winsServers.isEmpty {
            // pfSense writes `option netbios-node-type 8` (H-node) beside the servers
            // (`services_dhcpdv4_configure()` in pfsense/pfsense:src/etc/inc/services.inc).
            options.append(Self.option("netbios-name-servers", scope.winsServers.map(\.description).joined(separator: ", ")))
            options.append(Self.option("netbios-node-type", "8"))
        }
        if let boot = scope.netboot {
            // RFC 2131 `siaddr` and `file` are Kea subnet parameters; the root path is
            // option 17 (RFC 2132 §3.19).
            if let next = boot.nextServer { s.append(("next-server", .string(next.description))) }
            if let file = boot.filename { s.append(("boot-file-name", .string(file))) }
            if let root = boot.rootPath { options.append(Self.option("root-path", root)) }
        }
        if !options.isEmpty { s.append(("option-data", .array(options))) }

        let reservations: [JSONValue] = scope.staticMaps.compactMap { map in
            guard let mac = map.mac else { return nil }
            var r: [(String, JSONValue)] = [("hw-address", .string(mac.lowercased()))]
            if let ip = map.ipAddress { r.append(("ip-address", .string(ip.description))) }
            if let name = map.hostname { r.append(("hostname", .string(Self.hostLabel(name)))) }
            return .object(r)
        }
        if !reservations.isEmpty { s.append(("reservations", .array(reservations))) }
        return .object(s)
    }

    /// pfSense: the `dnsserver` list; else the interface's own address when the resolver
    /// runs; else the system DNS servers.
    private func dnsServers(_ scope: DHCPScope, own: IPv4Address, config: Config) -> [String] {
        if !scope.dnsServers.isEmpty { return scope.dnsServers.map(\.description) }
        if config.unbound?.enabled == true { return [own.description] }
        return config.system.dnsServers.filter { IPv4Address($0) != nil }
    }

    /// A host name as Kea stores it: pfSense turns spaces and dots into `_`.
    static func hostLabel(_ name: String) -> String {
        String(name.map { $0 == " " || $0 == "." ? "_" : $0 })
    }

    static func option(_ name: String, _ data: String, alwaysSend: Bool = false) -> JSONValue {
        var o: [(String, JSONValue)] = [("name", .string(name)), ("data", .string(data))]
        if alwaysSend { o.append(("always-send", .bool(true))) }
        return .object(o)
    }
}

func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
}
