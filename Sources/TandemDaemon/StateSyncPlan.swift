import TandemAddress
import TandemCompiler
import TandemConfig
import TandemStateSync

extension NodePlan {
    /// State sync from `<hasync>` (pfsync settings): nil when disabled. The sync interface
    /// is an internal name (`opt1`); its device and this node's address on it come from
    /// `<interfaces>`.
    public static func stateSync(_ config: Config) throws -> StateSyncSettings? {
        guard let ha = config.hasync, ha.pfsyncEnabled else { return nil }
        guard let name = ha.pfsyncInterface, let iface = config.interface(named: name), let device = iface.device else {
            throw PlanError(path: "hasync/pfsyncinterface", message: "'\(ha.pfsyncInterface ?? "")' is not an interface with a device")
        }
        // Without a static address there is nothing to bind to: state sync stays off (the
        // validator warns), and everything else applies.
        guard let local = iface.ipv4.network?.address ?? iface.ipv6.network?.address else { return nil }
        return try StateSyncSettings.from(pfsyncEnabled: true, device: device, local: local,
                                          peerIP: ha.pfsyncPeer?.description, password: ha.password)
    }
}

/// Which conntrack entries are replicated, both ways: forwarded traffic only. Flows to or
/// from the nodes' own addresses (management, the sync traffic itself), to or from a service
/// on a VIP, CARP, multicast and loopback are each node's own business, as conntrackd's
/// address filter keeps them out (state-sync.md); flows accepted by a `nopfsync` rule carry
/// `ConntrackMarks.noStateSync` and stay local. The same scope decides which of the peer's
/// flows this node injects (`SyncCore.scope`), so a key holder cannot open established paths
/// to this node's services through state sync.
struct FlowFilter: Sendable {
    var scope: FlowScope

    func shouldSync(_ flow: FlowState) -> Bool { scope.refusal(flow) == nil }
}

extension FlowScope {
    /// The scope of a node: its interface addresses and loopback, the peer's sync address,
    /// its VIPs, zone 0 (Tandem's ruleset uses no other), Tandem's reserved mark bits, and the
    /// kernel's timeout ceilings as `sysctl` reads them (`net.netfilter.<name>`).
    static func node(_ plan: NodePlan, settings: StateSyncSettings, sysctl: (String) -> UInt32?) -> FlowScope {
        var own: Set<IPAddress> = [IPAddress("127.0.0.1")!, IPAddress("::1")!, settings.local, settings.peer]
        for iface in plan.interfaceAddresses { own.formUnion(iface.addresses.map(\.address)) }
        let vips = Set(plan.carpGroups.flatMap(\.addresses).map(\.address))
        return FlowScope(nodeAddresses: own, serviceAddresses: vips, zones: [0],
                         reservedMarkBits: ConntrackMarks.noStateSync, timeoutCeilings: .reading(sysctl))
    }
}
