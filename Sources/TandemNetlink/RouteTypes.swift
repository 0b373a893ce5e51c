import TandemAddress

/// A unicast or unreachable route as rtnetlink carries it (rtnetlink(7) `rtmsg` + `RTA_*`).
public struct KernelRoute: Sendable, Hashable, CustomStringConvertible {
    /// `rtm_type`: forward, or fail at once (rtnetlink(7)).
    public enum Kind: Sendable, Hashable {
        case unicast
        /// `RTN_UNREACHABLE`: a connect(2) to the destination fails with EHOSTUNREACH
        /// without sending anything (ip-route(8) `unreachable`).
        case unreachable
    }

    public var kind: Kind = .unicast
    public var destination: IPNetwork
    public var gateway: IPAddress?
    /// `RT_TABLE_MAIN` (254) unless set.
    public var table: UInt32
    /// `rtm_protocol`: who installed it (`RTPROT_*` in <linux/rtnetlink.h>; values above
    /// `RTPROT_STATIC` are opaque to the kernel and free for routing daemons).
    public var protocolNumber: UInt8
    public var metric: UInt32?
    public var outputInterface: Int32?

    public static let mainTable: UInt32 = 254

    public init(destination: IPNetwork, gateway: IPAddress?, table: UInt32 = KernelRoute.mainTable,
                protocolNumber: UInt8, metric: UInt32? = nil, outputInterface: Int32? = nil) {
        self.destination = destination
        self.gateway = gateway
        self.table = table
        self.protocolNumber = protocolNumber
        self.metric = metric
        self.outputInterface = outputInterface
    }

    /// An `unreachable` route to `destination` (no gateway, no interface).
    public static func unreachable(_ destination: IPNetwork, protocolNumber: UInt8) -> KernelRoute {
        var r = KernelRoute(destination: destination, gateway: nil, protocolNumber: protocolNumber)
        r.kind = .unreachable
        return r
    }

    public var description: String {
        var s = (kind == .unreachable ? "unreachable " : "") + (destination.prefixLength == 0 ? "default" : destination.masked.description)
        if let gateway { s += " via \(gateway)" }
        if table != Self.mainTable { s += " table \(table)" }
        if let metric, metric != 0 { s += " metric \(metric)" }
        return s + " proto \(protocolNumber)"
    }

    /// The kernel's key for a route (destination, table, metric): the protocol is not part
    /// of it, which is why an add must not replace (ip-route(8) `replace`).
    public var key: String { "\(destination.masked) \(table) \(metric ?? 0)" }
}

/// The route operations the daemon needs (STYLE.md §2: the real one is `Rtnetlink`).
public protocol RouteControl: Sendable {
    /// Every route of `family` in `table` installed with `protocolNumber`.
    func routes(protocolNumber: UInt8, table: UInt32) throws -> [KernelRoute]
    /// Adds a route; fails with EEXIST when any route has its key (NLM_F_EXCL).
    func addRoute(_ route: KernelRoute) throws
    /// Deletes exactly this route: the kernel matches the protocol on delete, so a route of
    /// the same key installed by someone else is left alone (ESRCH).
    func deleteRoute(_ route: KernelRoute) throws
}
