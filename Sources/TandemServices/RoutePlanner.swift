import TandemAddress
import TandemConfig

/// A route the config asks for, and where it was written.
public struct PlannedRoute: Sendable, Hashable, CustomStringConvertible {
    public var destination: IPNetwork
    public var gateway: IPAddress
    /// `gateways/defaultgw4`, `staticroutes/route[2]`, …
    public var source: String

    public init(destination: IPNetwork, gateway: IPAddress, source: String) {
        self.destination = destination
        self.gateway = gateway
        self.source = source
    }

    public var description: String {
        (destination.prefixLength == 0 ? "default" : destination.masked.description) + " via \(gateway) (\(source))"
    }
}

/// `<gateways>` and `<staticroutes>` → the routes the node installs (pfSense
/// `system_routing_configure()` in `pfsense/pfsense:src/etc/inc/system.inc`): the default
/// route of each family through `gateways/defaultgw4|6` (or the legacy `<defaultgw/>`
/// item), and each enabled static route through its gateway. Gateways learnt dynamically
/// (`dynamic`) and alias destinations are skipped (the validator says so).
public enum RoutePlanner {
    public static func plan(_ config: Config) -> [PlannedRoute] {
        var routes: [PlannedRoute] = []
        for (family, name, field) in [(IPFamily.ipv4, config.defaultGatewayV4, "defaultgw4"), (.ipv6, config.defaultGatewayV6, "defaultgw6")] {
            let gateway = name.flatMap { $0 == "-" ? nil : config.gateway(named: $0) }
                ?? config.gateways.first { $0.isDefault && address($0)?.family == family }
            guard let gateway, let a = address(gateway), a.family == family else { continue }
            let any = family == .ipv4 ? IPNetwork("0.0.0.0/0")! : IPNetwork("::/0")!
            routes.append(PlannedRoute(destination: any, gateway: a, source: name != nil ? "gateways/" + field : gateway.location.path))
        }
        for route in config.staticRoutes where !route.disabled {
            guard case .network(let n)? = route.network, let name = route.gateway,
                  let gw = config.gateway(named: name), let a = address(gw), a.family == n.family else { continue }
            routes.append(PlannedRoute(destination: n.masked, gateway: a, source: route.location.path))
        }
        return routes
    }

    private static func address(_ g: Gateway) -> IPAddress? {
        if case .ip(let a)? = g.address { return a }
        return nil
    }
}

/// What to change so that the routes Tandem owns are exactly the planned ones. Routes are
/// compared by destination and gateway; anything not owned by Tandem is never listed.
public struct RouteChanges: Sendable, Equatable {
    public var add: [PlannedRoute]
    /// Owned routes (destination, gateway) no longer planned.
    public var remove: [(destination: IPNetwork, gateway: IPAddress?)]

    public static func == (a: RouteChanges, b: RouteChanges) -> Bool {
        a.add == b.add && a.remove.map { "\($0.destination) \($0.gateway.map(\.description) ?? "-")" }
            == b.remove.map { "\($0.destination) \($0.gateway.map(\.description) ?? "-")" }
    }

    public init(planned: [PlannedRoute], owned: [(destination: IPNetwork, gateway: IPAddress?)]) {
        func key(_ d: IPNetwork, _ g: IPAddress?) -> String { "\(d.masked) \(g.map(\.description) ?? "-")" }
        let ownedKeys = Set(owned.map { key($0.destination, $0.gateway) })
        let plannedKeys = Set(planned.map { key($0.destination, $0.gateway) })
        add = planned.filter { !ownedKeys.contains(key($0.destination, $0.gateway)) }
        remove = owned.filter { !plannedKeys.contains(key($0.destination, $0.gateway)) }
    }

    public var isEmpty: Bool { add.isEmpty && remove.isEmpty }
}

/// One planned route as `tandem status` lists it.
public struct RouteStatus: Sendable, Codable, Equatable {
    public var route: String
    public var source: String
    public var installed: Bool
    public var error: String?

    public init(route: String, source: String, installed: Bool, error: String? = nil) {
        self.route = route
        self.source = source
        self.installed = installed
        self.error = error
    }
}
