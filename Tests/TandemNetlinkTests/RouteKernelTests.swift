import Testing
import TandemAddress
import TandemTestSupport
@testable import TandemNetlink
#if canImport(Glibc)
import Glibc
#endif

/// Routes through rtnetlink in a throwaway namespace: Tandem's routes carry its own
/// protocol number, and a route someone else installed is never listed, replaced or removed.
@Suite("Routes (kernel, namespaces)", .serialized)
struct RouteKernelTests {
    static let proto: UInt8 = 200

    struct Lab {
        let ns: NetworkNamespace
        let rtnl: Rtnetlink

        init(_ purpose: String) throws {
            ns = try NetworkNamespace(purpose: purpose)
            try ns.exec(["ip", "link", "add", "wan0", "type", "veth", "peer", "name", "wan1"])
            try ns.exec(["ip", "address", "add", "198.51.100.2/24", "dev", "wan0"])
            try ns.exec(["ip", "-6", "address", "add", "2001:db8:1::2/64", "dev", "wan0", "nodad"])
            try ns.exec(["ip", "link", "set", "wan0", "up"])
            try ns.exec(["ip", "link", "set", "wan1", "up"])
            rtnl = try ns.run { try Rtnetlink() }
        }

        func shown() throws -> String { try ns.exec(["ip", "route", "show", "proto", "200"]) }
    }

    static func route(_ dst: String, via: String) -> KernelRoute {
        KernelRoute(destination: IPNetwork(dst)!, gateway: IPAddress(via)!, protocolNumber: proto)
    }

    @Test(.needsNetworkNamespaces) func addsListsAndDeletesOwnRoutes() throws {
        let lab = try Lab("routes")
        let def = Self.route("0.0.0.0/0", via: "198.51.100.254")
        let net = Self.route("203.0.113.0/24", via: "198.51.100.253")
        let v6 = Self.route("::/0", via: "2001:db8:1::fe")
        for r in [def, net, v6] { try lab.rtnl.addRoute(r) }
        let listed = try lab.rtnl.routes(protocolNumber: Self.proto, table: KernelRoute.mainTable)
        #expect(Set(listed.map(\.destination)) == Set([def, net, v6].map(\.destination)))
        #expect(listed.first { $0.destination == def.destination }?.gateway == def.gateway)
        let text = try lab.shown()
        #expect(text.contains("default via 198.51.100.254 dev wan0"))
        #expect(text.contains("203.0.113.0/24 via 198.51.100.253 dev wan0"))
        try lab.rtnl.deleteRoute(net)
        #expect(try lab.shown().contains("203.0.113.0/24") == false)
        #expect(try lab.rtnl.routes(protocolNumber: Self.proto, table: KernelRoute.mainTable).count == 2)
    }

    /// An unreachable host route makes a connect(2) to an on-link address fail at once
    /// (instead of waiting out SYN retries to a host that vanished), and goes away again.
    @Test(.needsNetworkNamespaces) func unreachableRouteFailsConnectAtOnce() throws {
        let lab = try Lab("routes-unreach")
        let block = KernelRoute.unreachable(IPNetwork("198.51.100.9/32")!, protocolNumber: Self.proto)
        try lab.rtnl.addRoute(block)
        #expect(try lab.shown().contains("unreachable 198.51.100.9"))
        let error: Int32 = try lab.ns.run {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = UInt16(8000).bigEndian
            inet_pton(AF_INET, "198.51.100.9", &sin.sin_addr)
            let rc = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            return rc == 0 ? 0 : errno
        }
        #expect(error == EHOSTUNREACH)
        // A dump lists unicast routes only: the block is not mistaken for a planned route.
        #expect(try lab.rtnl.routes(protocolNumber: Self.proto, table: KernelRoute.mainTable).isEmpty)
        try lab.rtnl.deleteRoute(block)
        #expect(try lab.shown().contains("198.51.100.9") == false)
    }

    @Test(.needsNetworkNamespaces) func foreignRoutesAreNeitherListedNorTakenOver() throws {
        let lab = try Lab("routes-foreign")
        try lab.ns.exec(["ip", "route", "add", "192.0.2.128/25", "via", "198.51.100.250"])
        let listed = try lab.rtnl.routes(protocolNumber: Self.proto, table: KernelRoute.mainTable)
        #expect(listed.isEmpty)
        // The same key with our protocol: refused, not replaced.
        #expect {
            try lab.rtnl.addRoute(Self.route("192.0.2.128/25", via: "198.51.100.251"))
        } throws: { ($0 as? NetlinkError)?.errno == EEXIST }
        // A delete with our protocol does not touch it.
        #expect(throws: NetlinkError.self) { try lab.rtnl.deleteRoute(Self.route("192.0.2.128/25", via: "198.51.100.250")) }
        #expect(try lab.ns.exec(["ip", "route", "show", "192.0.2.128/25"]).contains("via 198.51.100.250"))
    }
}
