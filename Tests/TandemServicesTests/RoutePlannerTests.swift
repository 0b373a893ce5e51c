import Foundation
import Testing
import TandemAddress
import TandemConfig
import TandemServices

@Suite struct RoutePlannerTests {
    static func config(_ body: String) throws -> Config {
        try ConfigDocument(text: """
            <?xml version="1.0"?>
            <pfsense><version>23.3</version>
            <interfaces><wan><enable></enable><if>wan0</if><ipaddr>198.51.100.2</ipaddr><subnet>24</subnet></wan></interfaces>
            \(body)
            </pfsense>
            """).config
    }

    @Test func defaultGatewayAndStaticRoutes() throws {
        let c = try Self.config("""
            <gateways>
            <gateway_item><interface>wan</interface><gateway>198.51.100.254</gateway><name>WANGW</name><ipprotocol>inet</ipprotocol></gateway_item>
            <gateway_item><interface>wan</interface><gateway>198.51.100.253</gateway><name>LABGW</name><ipprotocol>inet</ipprotocol></gateway_item>
            <defaultgw4>WANGW</defaultgw4>
            </gateways>
            <staticroutes>
            <route><network>203.0.113.0/24</network><gateway>LABGW</gateway></route>
            <route><network>192.0.2.128/25</network><gateway>LABGW</gateway><disabled></disabled></route>
            </staticroutes>
            """)
        #expect(RoutePlanner.plan(c).map(\.description) == [
            "default via 198.51.100.254 (gateways/defaultgw4)",
            "203.0.113.0/24 via 198.51.100.253 (staticroutes/route[1])",
        ])
    }

    @Test func noDefaultGatewayNoDefaultRoute() throws {
        let c = try Self.config("""
            <gateways><gateway_item><interface>wan</interface><gateway>dynamic</gateway><name>WANGW</name></gateway_item>
            <defaultgw4>WANGW</defaultgw4></gateways>
            """)
        #expect(RoutePlanner.plan(c).isEmpty)
    }

    @Test func changesAddMissingAndRemoveUnplanned() {
        let planned = [PlannedRoute(destination: IPNetwork("0.0.0.0/0")!, gateway: IPAddress("198.51.100.254")!, source: "x"),
                       PlannedRoute(destination: IPNetwork("203.0.113.0/24")!, gateway: IPAddress("198.51.100.253")!, source: "y")]
        let owned: [(destination: IPNetwork, gateway: IPAddress?)] = [
            (IPNetwork("0.0.0.0/0")!, IPAddress("198.51.100.254")!),
            (IPNetwork("192.0.2.128/25")!, IPAddress("198.51.100.253")!),
        ]
        let c = RouteChanges(planned: planned, owned: owned)
        #expect(c.add.map(\.source) == ["y"])
        #expect(c.remove.map(\.destination) == [IPNetwork("192.0.2.128/25")!])
        #expect(RouteChanges(planned: planned, owned: planned.map { ($0.destination, $0.gateway) }).isEmpty)
    }
}
