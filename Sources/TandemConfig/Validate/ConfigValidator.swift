import TandemAddress

/// Checks a typed config for everything that would make it wrong to apply: references
/// (interfaces, aliases, gateways, VIPs), alias cycles, address and port values, CARP
/// parameters, NAT targets, HA and DHCP failover consistency (pfsense-config.md §15–§16).
/// Problems are values: every one is reported, in file order, not just the first.
public struct ConfigValidator {
    let config: Config
    var diagnostics: [ConfigDiagnostic] = []
    let interfaces: [String: InterfaceConfig]
    let aliases: [String: Alias]
    let gatewayNames: Set<String>
    let vipsByUniqid: [String: VirtualIP]

    /// Validates and returns errors and warnings, sorted by position.
    public static func validate(_ config: Config) -> [ConfigDiagnostic] {
        var v = ConfigValidator(config: config)
        v.run()
        return v.diagnostics.enumerated().sorted { a, b in
            let pa = a.element.position ?? SourcePosition(line: 0, column: 0)
            let pb = b.element.position ?? SourcePosition(line: 0, column: 0)
            return pa == pb ? a.offset < b.offset : pa < pb
        }.map(\.element)
    }

    init(config: Config) {
        self.config = config
        var interfaces: [String: InterfaceConfig] = [:]
        for i in config.interfaces where interfaces[i.name] == nil { interfaces[i.name] = i }
        self.interfaces = interfaces
        var aliases: [String: Alias] = [:]
        for a in config.aliases where aliases[a.name] == nil { aliases[a.name] = a }
        self.aliases = aliases
        var groups = Set(config.allGateways.map(\.name))
        // Gateway groups are a separate list; their names are valid gateway references.
        groups.formUnion(config.gatewayGroups)
        self.gatewayNames = groups
        var vips: [String: VirtualIP] = [:]
        for vip in config.virtualIPs { if let u = vip.uniqid, vips[u] == nil { vips[u] = vip } }
        self.vipsByUniqid = vips
    }

    mutating func run() {
        diagnostics += config.issues
        checkInterfaces()
        checkGateways()
        checkAliases()
        checkFilterRules()
        checkOutboundNAT()
        checkPortForwards()
        checkVirtualIPs()
        checkHASync()
        checkDHCP()
        checkUnbound()
        checkSystem()
    }

    mutating func error(_ message: String, _ location: SourceLocation, _ field: String = "") {
        diagnostics.append(.error(message, at: location, field: field))
    }

    mutating func warning(_ message: String, _ location: SourceLocation, _ field: String = "") {
        diagnostics.append(.warning(message, at: location, field: field))
    }

    /// Interface tabs pfSense has without an `<interfaces>` entry: IPsec, OpenVPN, PPP
    /// servers, WireGuard.
    static let pseudoInterfaces: Set<String> = ["enc0", "openvpn", "l2tp", "pppoe", "wireguard", "ipsec"]

    /// Interface references: internal names such as `lan` or `opt1`. Rules on a pseudo
    /// interface or an interface group are kept but not applied (a warning).
    mutating func checkInterfaceReference(_ name: String, _ location: SourceLocation, _ field: String) {
        // `index(forKey:)`: whether it exists, without copying the interface out.
        guard interfaces.index(forKey: name) == nil else { return }
        if Self.pseudoInterfaces.contains(name) || config.interfaceGroups.contains(name) {
            warning("interface '\(name)' is an interface \(Self.pseudoInterfaces.contains(name) ? "tab Tandem does not provide" : "group"): read but not applied", location, field)
        } else {
            error("interface '\(name)' is not defined in <interfaces>", location, field)
        }
    }

    /// The static IPv4 and IPv6 networks of the node's interfaces.
    var interfaceNetworks: [(name: String, network: IPNetwork)] {
        config.interfaces.flatMap { i in i.networks.map { (i.name, $0) } }
    }

    /// Every address this node owns: interface addresses and VIPs.
    var nodeAddresses: Set<IPAddress> {
        Set(config.interfaces.flatMap { $0.networks.map(\.address) } + config.virtualIPs.compactMap(\.address))
    }
}
