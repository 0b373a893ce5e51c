import Foundation
import TandemAddress
import TandemConfig

/// The HA role of this node on a DHCP interface.
public enum KeaHARole: String, Sendable, Hashable, Codable {
    case primary
    case standby
}

/// What the daemon needs to drive Kea's HA from CARP: the interface it follows, and this
/// node's and the partner's server names.
public struct KeaHAPlan: Sendable, Hashable {
    /// The config's interface name (`lan`) whose CARP state moves DHCP service.
    public var interface: String
    public var role: KeaHARole
    public var localName: String
    public var partnerName: String
    /// The partner's HA listener (`failover_peerip`, the renderer's `haPort`).
    public var partnerAddress: IPv4Address
    public var partnerPort: Int
}

extension KeaRenderer {
    /// A server name both nodes derive alike from the pair's real addresses: pfSense uses
    /// the host names (`kea/ha/localname`, `remotename`), which a node cannot know of its
    /// partner when only `failover_peerip` is set.
    public static func serverName(_ address: IPv4Address) -> String {
        "node-" + address.description.replacingOccurrences(of: ".", with: "-")
    }

    /// The HA plan of `config`: the first enabled scope with a `failover_peerip`. The node
    /// whose CARP advskew on that interface is lower is primary; each node knows only its
    /// own, and pfSense's configuration sync gives the secondary the primary's advskew
    /// plus 100 (`backup_vip_config_section()` in `pfsense/pfsense:src/etc/rc.filter_synchronize`),
    /// so an advskew below 100 marks the primary.
    public static func haPlan(_ config: Config, port: Int = KeaRenderer.defaultHAPort) -> KeaHAPlan? {
        let facts = NodeFacts(config)
        for scope in config.dhcpd where scope.enabled {
            guard let peer = scope.failoverPeer, let own = facts.ipv4(scope.interface),
                  let iface = facts.interface(scope.interface), scope.range != nil else { continue }
            let role: KeaHARole = (iface.advskew ?? 0) < 100 ? .primary : .standby
            return KeaHAPlan(interface: scope.interface, role: role, localName: serverName(own), partnerName: serverName(peer),
                             partnerAddress: peer, partnerPort: port)
        }
        return nil
    }

    /// The `libdhcp_ha.so` entry in hot-standby (Kea 2.2 ARM "ha: High Availability").
    func highAvailability(_ config: Config, facts: NodeFacts) -> JSONValue? {
        guard let plan = Self.haPlan(config, port: haPort), let own = facts.ipv4(plan.interface) else { return nil }
        let peer = plan.partnerAddress
        let primaryIsLocal = plan.role == .primary
        func peerEntry(_ name: String, _ address: IPv4Address, _ role: KeaHARole) -> JSONValue {
            .object([("name", .string(name)), ("url", .string("http://\(address):\(haPort)/")),
                     ("role", .string(role.rawValue)), ("auto-failover", .bool(true))])
        }
        let localPeer = peerEntry(plan.localName, own, plan.role)
        let partnerPeer = peerEntry(plan.partnerName, peer, primaryIsLocal ? .standby : .primary)
        let ha: JSONValue = .object([
            ("this-server-name", .string(plan.localName)),
            ("mode", .string("hot-standby")),
            // pfSense's `kea_defaults()`: the listener refuses commands the hook does not
            // use (without it, it answers `config-get` and accepts `config-set` unauthenticated).
            ("restrict-commands", .bool(true)),
            // 2 s instead of pfSense's 10 s: every step of a returning node's start-up
            // (waiting, syncing, ready, hot-standby) waits for a heartbeat, so failback took
            // 20–30 s, and a heartbeat is one small HTTP request.
            ("heartbeat-delay", .int(2000)),
            ("max-response-delay", .int(60000)),
            ("max-ack-delay", .int(60000)),
            // pfSense's default: go partner-down on interruption alone, a quiet LAN has no
            // unacked clients to count. The CARP takeover (`ha-maintenance-start`) is faster.
            ("max-unacked-clients", .int(0)),
            ("multi-threading", .object([
                ("enable-multi-threading", .bool(true)), ("http-dedicated-listener", .bool(true)),
                ("http-listener-threads", .int(1)), ("http-client-threads", .int(1)),
            ])),
            ("peers", .array(primaryIsLocal ? [localPeer, partnerPeer] : [partnerPeer, localPeer])),
        ])
        return .object([
            ("library", .string(hooksDirectory + "/libdhcp_ha.so")),
            ("parameters", .object([("high-availability", .array([ha]))])),
        ])
    }
}
