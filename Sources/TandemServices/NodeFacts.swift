import TandemAddress
import TandemConfig

/// What the renderers need to know about the node's interfaces, read once from the config:
/// devices, static IPv4 addresses and the CARP VIPs on each.
struct NodeFacts {
    struct Interface {
        var name: String
        var device: String
        var ipv4: IPNetwork?
        var ipv6: IPNetwork?
        var carp: [VirtualIP]
        /// Whether the interface has a gateway: pfSense's test for a WAN-type interface.
        var hasGateway: Bool

        /// The lowest advskew of the interface's CARP VIPs.
        var advskew: Int? { carp.compactMap(\.advskew).min() ?? (carp.isEmpty ? nil : 0) }
        var carpIPv4: [IPv4Address] { carp.compactMap { if case .v4(let a)? = $0.address { a } else { nil } } }
    }

    var interfaces: [Interface]
    let config: Config

    init(_ config: Config) {
        self.config = config
        interfaces = config.interfaces.filter { $0.enabled && $0.device?.isEmpty == false }.map { i in
            Interface(name: i.name, device: i.device!, ipv4: i.ipv4.network, ipv6: i.ipv6.network,
                      carp: config.carpVIPs.filter { $0.interfaceName(in: config) == i.name },
                      hasGateway: i.gateway != nil)
        }
    }

    func interface(_ name: String) -> Interface? { interfaces.first { $0.name == name } }

    /// The node's own IPv4 address on an interface.
    func ipv4(_ name: String) -> IPv4Address? {
        if case .v4(let a)? = interface(name)?.ipv4?.address { return a }
        return nil
    }

    /// Whether the config has an IPv4 default gateway (pfSense hands out the interface's
    /// own address as router only then: `services_kea4_configure()`).
    var hasIPv4Gateway: Bool {
        config.gateways.contains { g in
            if case .ip(.v4)? = g.address { return true }
            return g.ipProtocol == .ipv4 && g.address == .dynamic
        }
    }
}
