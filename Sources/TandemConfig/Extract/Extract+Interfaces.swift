import Foundation
import TandemAddress

extension ConfigExtractor {
    /// Addressing keywords stored in `ipaddr` / `ipaddrv6` instead of an address (pfSense:
    /// `dhcp`, `pppoe`, `track6`, `dhcp6`, …; OPNsense adds `dhcpv6`, `idassoc6`). Any other
    /// plain word is kept as such too; only text that looks like an address must be one.
    static let dynamicV4: Set<String> = ["dhcp", "pppoe", "pptp", "l2tp", "ppp"]
    static let dynamicV6: Set<String> = ["dhcp6", "dhcpv6", "slaac", "track6", "6rd", "6to4", "idassoc6"]

    mutating func interfaces() -> [InterfaceConfig] {
        guard let container = root.child("interfaces") else { return [] }
        return container.elements.map { element in
            let r = ItemReader(element, path: "interfaces/" + element.name)
            var i = InterfaceConfig(name: element.name, location: r.location)
            i.device = r.nonEmpty("if")
            i.descr = r.raw("descr")
            i.enabled = r.flag("enable")
            i.ipv4 = addressing(r, address: "ipaddr", prefix: "subnet", family: .ipv4, keywords: Self.dynamicV4)
            i.ipv6 = addressing(r, address: "ipaddrv6", prefix: "subnetv6", family: .ipv6, keywords: Self.dynamicV6)
            i.gateway = r.nonEmpty("gateway")
            i.gatewayV6 = r.nonEmpty("gatewayv6")
            i.blockPrivate = r.flag("blockpriv")
            i.blockBogons = r.flag("blockbogons")
            i.spoofMAC = r.nonEmpty("spoofmac")
            i.mtu = r.int("mtu", &issues)
            return i
        }
    }

    private mutating func addressing(_ r: ItemReader, address: String, prefix: String, family: IPFamily,
                                     keywords: Set<String>) -> InterfaceAddressing {
        guard let text = r.nonEmpty(address) else { return .none }
        let looksLikeAddress = text.contains(".") || text.contains(":") || text.allSatisfy(\.isNumber)
        if keywords.contains(text.lowercased()) || !looksLikeAddress { return .dynamic(text.lowercased()) }
        guard let a = IPAddress(text), a.family == family else {
            if Self.isTemplatePlaceholder(text) {
                issues.append(r.error("'\(text)' is a template placeholder, not an address: pfSense's is_ipaddr() refuses it and leaves the interface without an address", field: address))
                return .none
            }
            let what = family == .ipv4 ? "an IPv4 address" : "an IPv6 address"
            let modes = keywords.sorted().joined(separator: ", ")
            issues.append(r.error("'\(text)' is neither \(what) nor one of \(modes)", field: address))
            return .none
        }
        guard let bits = r.nonEmpty(prefix) else {
            issues.append(r.error("static address \(text) has no <\(prefix)> prefix length", field: address))
            return .none
        }
        guard let n = Int(bits), let network = IPNetwork(address: a, prefixLength: n) else {
            issues.append(r.error("'\(bits)' is not a prefix length (0-\(family.bitWidth))", field: prefix))
            return .none
        }
        return .static(network)
    }

    /// `xxx.xxx.xxx.xxx`, `xxx.xxx.xxx.xxx/xx`: what config templates (pfSense 1.2's
    /// commented examples among them) hold where an address belongs.
    static func isTemplatePlaceholder(_ text: String) -> Bool {
        text.lowercased().contains("xx") && text.lowercased().allSatisfy { "x.:/".contains($0) }
    }

    func gatewayGroups() -> [String] {
        guard let container = root.child("gateways") else { return [] }
        return container.children("gateway_group").compactMap { $0.child("name")?.text.trimmed }.filter { !$0.isEmpty }
    }

    mutating func gateways() -> ([Gateway], String?, String?) {
        let mvcItems = mvcGatewayItems()
        let container = root.child("gateways") ?? XMLElement(name: "gateways")
        let (parent, list) = mvcItems.isEmpty ? ("gateways", listItems(container.children("gateway_item")))
                                              : ("OPNsense/Gateways", mvcItems)
        let items = list.map { index, element in
            let r = ItemReader(element, path: itemPath(parent, "gateway_item", index))
            var g = Gateway(name: r.string("name") ?? "", location: r.location)
            g.interface = r.nonEmpty("interface")
            if let text = r.nonEmpty("gateway") {
                if text == "dynamic" {
                    g.address = .dynamic
                } else if let a = IPAddress(text) {
                    g.address = .ip(a)
                } else {
                    issues.append(r.error("'\(text)' is neither an IP address nor 'dynamic'", field: "gateway"))
                }
            }
            switch r.nonEmpty("ipprotocol") {
            case "inet": g.ipProtocol = .ipv4
            case "inet6": g.ipProtocol = .ipv6
            case nil: g.ipProtocol = nil
            case let other?: issues.append(r.error("'\(other)' is not one of 'inet', 'inet6'", field: "ipprotocol"))
            }
            g.weight = r.int("weight", &issues)
            g.monitor = r.nonEmpty("monitor")
            g.monitorDisabled = r.flag("monitor_disable")
            g.isDefault = r.flag("defaultgw")
            g.disabled = r.flag("disabled")
            g.descr = r.raw("descr")
            return g
        }
        let r = ItemReader(XMLElement(name: "gateways", children: container.children.filter { $0.element?.name != "gateway_item" }),
                           path: "gateways")
        return (items, r.nonEmpty("defaultgw4"), r.nonEmpty("defaultgw6"))
    }

    mutating func staticRoutes() -> [StaticRoute] {
        guard let container = root.child("staticroutes") else { return [] }
        return listItems(container.children("route")).map { index, element in
            let r = ItemReader(element, path: itemPath("staticroutes", "route", index))
            var route = StaticRoute(location: r.location)
            route.network = r.nonEmpty("network").map(AddressSpec.init)
            route.gateway = r.nonEmpty("gateway")
            route.descr = r.raw("descr")
            route.disabled = r.flag("disabled")
            return route
        }
    }
}
