import Foundation
import Logging
import Testing
import TandemAddress
import TandemConfig
import TandemNetlink
import TandemServices
import TandemTestSupport
@testable import TandemDaemon

/// The daemon's route keeping in a throwaway namespace: the default and a static route
/// appear and disappear with the config, a foreign route is left alone, and routes the
/// kernel dropped with a link are put back.
@Suite(.serialized) struct NodeRoutesKernelTests {
    static func config(staticRoute: Bool) throws -> Config {
        try ConfigDocument(text: """
            <?xml version="1.0"?>
            <pfsense><version>23.3</version>
            <interfaces><wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet><gateway>WANGW</gateway></wan></interfaces>
            <gateways>
            <gateway_item><interface>wan</interface><gateway>198.51.100.254</gateway><name>WANGW</name><ipprotocol>inet</ipprotocol></gateway_item>
            <gateway_item><interface>wan</interface><gateway>198.51.100.253</gateway><name>LABGW</name><ipprotocol>inet</ipprotocol></gateway_item>
            <defaultgw4>WANGW</defaultgw4>
            </gateways>
            <staticroutes>\(staticRoute ? "<route><network>203.0.113.0/24</network><gateway>LABGW</gateway></route>" : "")</staticroutes>
            </pfsense>
            """).config
    }

    @Test(.needsNetworkNamespaces) func routesFollowTheConfig() throws {
        let ns = try NetworkNamespace(purpose: "noderoutes")
        defer { ns.delete() }
        try ns.exec(["ip", "link", "add", "wan0", "type", "veth", "peer", "name", "wan1"])
        try ns.exec(["ip", "address", "add", "198.51.100.2/24", "dev", "wan0"])
        try ns.exec(["ip", "link", "set", "wan0", "up"])
        try ns.exec(["ip", "link", "set", "wan1", "up"])
        try ns.exec(["ip", "route", "add", "192.0.2.128/25", "via", "198.51.100.250"])
        let rtnl = try ns.run { try Rtnetlink() }
        let routes = NodeRoutes(control: rtnl, logger: Logger(label: "test"))
        func owned() throws -> String { try ns.exec(["ip", "route", "show", "proto", "200"]) }

        routes.set(RoutePlanner.plan(try Self.config(staticRoute: true)))
        var text = try owned()
        #expect(text.contains("default via 198.51.100.254 dev wan0"))
        #expect(text.contains("203.0.113.0/24 via 198.51.100.253 dev wan0"))
        let allInstalled = routes.status().allSatisfy { $0.installed }
        #expect(allInstalled)

        routes.set(RoutePlanner.plan(try Self.config(staticRoute: false)))
        text = try owned()
        #expect(text.contains("default via 198.51.100.254"))
        #expect(!text.contains("203.0.113.0/24"))
        #expect(try ns.exec(["ip", "route", "show", "192.0.2.128/25"]).contains("via 198.51.100.250"))

        // A link going down takes its routes with it; the next round puts them back.
        try ns.exec(["ip", "link", "set", "wan0", "down"])
        #expect(try owned().contains("default") == false)
        try ns.exec(["ip", "link", "set", "wan0", "up"])
        routes.reconcile()
        #expect(try owned().contains("default via 198.51.100.254"))

        // The kernel dropped the foreign route with the link too; put it back by hand.
        try ns.exec(["ip", "route", "add", "192.0.2.128/25", "via", "198.51.100.250"])

        // No default gateway any more: the route goes, the foreign one stays.
        routes.set([])
        #expect(try owned().trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true)
        #expect(try ns.exec(["ip", "route", "show", "192.0.2.128/25"]).contains("via 198.51.100.250"))
    }

    /// A route in the way that Tandem did not install is reported, not replaced.
    @Test(.needsNetworkNamespaces) func foreignRouteInTheWayIsReported() throws {
        let ns = try NetworkNamespace(purpose: "noderoutes-x")
        defer { ns.delete() }
        try ns.exec(["ip", "link", "add", "wan0", "type", "veth", "peer", "name", "wan1"])
        try ns.exec(["ip", "address", "add", "198.51.100.2/24", "dev", "wan0"])
        try ns.exec(["ip", "link", "set", "wan0", "up"])
        try ns.exec(["ip", "route", "add", "default", "via", "198.51.100.1"])
        let routes = NodeRoutes(control: try ns.run { try Rtnetlink() }, logger: Logger(label: "test"))
        routes.set(RoutePlanner.plan(try Self.config(staticRoute: false)))
        let status = try #require(routes.status().first)
        #expect(!status.installed)
        #expect(status.error?.contains("did not install") == true)
        #expect(try ns.exec(["ip", "route", "show", "default"]).contains("via 198.51.100.1"))
    }
}
