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
        guard let local = iface.ipv4.network?.address ?? iface.ipv6.network?.address else {
            throw PlanError(path: "hasync/pfsyncinterface", message: "interface '\(name)' has no static address to sync from")
        }
        return try StateSyncSettings.from(pfsyncEnabled: true, device: device, local: local,
                                          peerIP: ha.pfsyncPeer?.description, password: ha.password)
    }
}

/// Which conntrack entries are replicated: forwarded traffic only. Flows to or from the
/// node's own addresses (management, the sync traffic itself) and CARP/multicast are the
/// node's own business, as conntrackd's address filter keeps them out (state-sync.md).
/// Flows accepted by a `nopfsync` rule carry `ConntrackMarks.noStateSync` and stay local.
struct FlowFilter: Sendable {
    var ownAddresses: Set<IPAddress>

    func shouldSync(_ flow: FlowState) -> Bool {
        if flow.l4proto == 112 { return false }   // CARP
        if flow.mark & ConntrackMarks.noStateSync != 0 { return false }   // nopfsync
        for a in [flow.original.source, flow.original.destination, flow.reply.source, flow.reply.destination] {
            if ownAddresses.contains(a) { return false }
            switch a {
            case .v4(let v): if v.isMulticast || v.value >> 24 == 127 { return false }
            case .v6(let v): if v.isMulticast || v.isLinkLocal || (v.high == 0 && v.low == 1) { return false }
            }
        }
        return true
    }
}
