import TandemAddress

extension ConfigValidator {
    mutating func checkInterfaces() {
        var devices: [String: String] = [:]
        for i in config.interfaces {
            if let problem = Self.interfaceNameProblem(i.name) {
                error("\(Self.quoted(i.name)) is not a valid interface name: \(problem)", i.location)
            }
            if let device = i.device, !device.isEmpty, let problem = Self.deviceNameProblem(device) {
                error("\(Self.quoted(device)) is not a valid device name: \(problem)", i.location, "if")
            }
            if let gw = i.gateway, !gatewayNames.contains(gw) {
                error("gateway '\(gw)' is not defined in <gateways>", i.location, "gateway")
            }
            if let gw = i.gatewayV6, !gatewayNames.contains(gw) {
                error("gateway '\(gw)' is not defined in <gateways>", i.location, "gatewayv6")
            }
            if let device = i.device {
                if let other = devices[device], i.enabled {
                    error("device '\(device)' is already assigned to interface '\(other)'", i.location, "if")
                } else if i.enabled {
                    devices[device] = i.name
                }
            }
            if case .dynamic(let mode) = i.ipv4 {
                warning("addressing mode '\(mode)' is read but not applied: the interface gets no IPv4 address from Tandem", i.location, "ipaddr")
            }
        }
    }

    /// Internal names (`wan`, `lan`, `optN`) name rules' chains (`if_<name>`) and share
    /// a namespace with aliases in rules, so they follow the alias-name rule: at most 31
    /// characters of a-z, A-Z, 0-9 and _.
    static func interfaceNameProblem(_ name: String) -> String? {
        let utf8 = name.utf8
        if utf8.isEmpty { return "it is empty" }
        if utf8.count >= 32 { return "\(utf8.count) characters, at most 31" }
        if !utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || $0 == 0x5f }) {
            return "only a-z, A-Z, 0-9 and _ are allowed"
        }
        return nil
    }

    /// The kernel's rule for a device name (`dev_valid_name()` in net/core/dev.c): fewer
    /// than IFNAMSIZ (16) bytes, not `.` or `..`, no `/`, `:` or white space. nftables
    /// compares `iifname` as 16 zero-padded bytes, so a longer name could only be cut and
    /// then match another device.
    static func deviceNameProblem(_ name: String) -> String? {
        let utf8 = name.utf8
        if utf8.count >= 16 { return "\(utf8.count) bytes, at most 15 (IFNAMSIZ)" }
        if name == "." || name == ".." { return "'.' and '..' are not device names" }
        if utf8.contains(where: { $0 == 0x2f || $0 == 0x3a || $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0d) || $0 == 0 }) {
            return "'/', ':', NUL and white space are not allowed"
        }
        return nil
    }

    mutating func checkGateways() {
        var seen: Set<String> = []
        for g in config.gateways {
            if g.name.isEmpty {
                error("gateway has no <name>", g.location, "name")
            } else if !seen.insert(g.name).inserted {
                error("gateway name '\(g.name)' is used twice", g.location, "name")
            }
            if let i = g.interface { checkInterfaceReference(i, g.location, "interface") }
            if case .ip(let a)? = g.address {
                if let family = g.ipProtocol, family != a.family {
                    error("gateway \(a) is not an \(family == .ipv4 ? "IPv4" : "IPv6") address as <ipprotocol> says", g.location, "gateway")
                }
                if let name = g.interface, let iface = interfaces[name], !iface.networks.isEmpty,
                   iface.networks.contains(where: { $0.family == a.family }),
                   !iface.networks.contains(where: { $0.contains(a) }) {
                    warning("gateway \(a) is not inside the subnet of interface '\(name)'", g.location, "gateway")
                }
            }
        }
        for (field, name) in [("defaultgw4", config.defaultGatewayV4), ("defaultgw6", config.defaultGatewayV6)] {
            if let name, !gatewayNames.contains(name), name != "-" {
                diagnostics.append(ConfigDiagnostic(.error, path: "gateways/" + field, position: nil,
                                                    message: "gateway '\(name)' is not defined in <gateways>"))
            }
        }
        for route in config.staticRoutes {
            if let gw = route.gateway {
                if !gatewayNames.contains(gw) {
                    error("gateway '\(gw)' is not defined in <gateways>", route.location, "gateway")
                } else if !route.disabled, let g = config.gateway(named: gw), g.address == nil || g.address == .dynamic {
                    // The address comes from the interface's lease, PPP link or tunnel.
                    warning("gateway '\(gw)' has no fixed address (it is learnt on interface '\(g.interface ?? "?")', which Tandem does not address): the route is not installed", route.location, "gateway")
                }
            } else {
                error("static route has no <gateway>", route.location, "gateway")
            }
            switch route.network {
            case .alias(let name)? where ConfigExtractor.isTemplatePlaceholder(name):
                error("'\(name)' is a template placeholder, not a network: pfSense's is_subnet() refuses it and installs no route", route.location, "network")
            case .alias(let name)?: checkAddressAlias(name, route.location, "network")
            case nil: error("static route has no <network>", route.location, "network")
            case .network?: break
            }
        }
    }

    /// A name used where an address is expected must be an alias of an address type.
    mutating func checkAddressAlias(_ name: String, _ location: SourceLocation, _ field: String) {
        guard let alias = aliases[name] else {
            error("'\(name)' is neither an address nor an alias", location, field)
            return
        }
        switch alias.kind {
        case .port, .urlPorts, .urltablePorts:
            error("'\(name)' is a port alias, not an address alias", location, field)
        default:
            break
        }
    }

    mutating func checkPortAlias(_ port: PortSpec?, _ location: SourceLocation, _ field: String) {
        guard case .alias(let name)? = port else { return }
        guard let alias = aliases[name] else {
            error("'\(name)' is neither a port nor a port alias", location, field)
            return
        }
        switch alias.kind {
        case .port, .urlPorts, .urltablePorts: break
        default: error("'\(name)' is an address alias, not a port alias", location, field)
        }
    }

    /// Which element of a source/destination holds the address (`network` or `address`).
    func endpointField(_ location: SourceLocation, _ side: String) -> String {
        location.has(side + "/address") ? side + "/address" : side + "/network"
    }

    /// `lan`, `lanip`, `(self)`, `any`: what only `<network>` holds.
    func isNetworkKeyword(_ name: String) -> Bool {
        name == "(self)" || name == "any" || interfaces[name] != nil
            || (name.hasSuffix("ip") && interfaces[String(name.dropLast(2))] != nil)
    }

    mutating func checkEndpoint(_ address: EndpointAddress, _ location: SourceLocation, _ side: String) {
        // The field is looked up only for the names that need checking, not for the plain
        // addresses most rules hold (issue #3).
        switch address {
        case .alias(let name):
            // A `<network>` may name a VIP by its key (`_vip<uniqid>`) as well as an alias.
            if name.hasPrefix("_vip"), vipsByUniqid[String(name.dropFirst(4))] != nil { return }
            let field = endpointField(location, side)
            if aliases[name] == nil, field.hasSuffix("/address"), isNetworkKeyword(name) {
                // pfSense's filter_generate_address() writes <address> as it stands, so pfctl
                // would refuse the ruleset on an undefined table or macro.
                error("'\(name)' is a <network> keyword written in <address>: pfSense would fail to load its ruleset on it; write <network>\(name)</network>", location, field)
                return
            }
            checkAddressAlias(name, location, field)
        case .interfaceNetwork(let name), .interfaceAddress(let name):
            checkInterfaceReference(name, location, endpointField(location, side))
        case .any, .thisFirewall, .network:
            break
        }
    }
}
