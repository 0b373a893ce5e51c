import TandemAddress
import TandemStateSync

/// The kernel connection-tracking table as the state-sync mirror sees it. One real
/// implementation (`ConntrackKernelTable`, ctnetlink) and an in-memory one with the same
/// rules (`ConntrackMemoryTable`) so the mirror can be tested without a kernel
/// (STYLE.md §2).
public protocol ConntrackTable: AnyObject {
    /// Every entry, or those of one family.
    func dump(family: IPFamily?) throws(NetlinkError) -> [FlowState]
    /// How many entries there are, without building them.
    func count(family: IPFamily?) throws(NetlinkError) -> Int
    /// The entry for `key`, or nil.
    func get(_ key: FlowKey) throws(NetlinkError) -> FlowState?
    /// Creates the entry with its NAT binding; fails with EEXIST if it exists.
    func create(_ flow: FlowState) throws(NetlinkError)
    /// Updates what may change on an existing entry (timeout, mark, status, TCP state and
    /// flags); fails with ENOENT if it does not exist. The NAT binding never changes.
    func update(_ flow: FlowState) throws(NetlinkError)
    /// Create-or-update: makes the kernel hold `flow` (state-sync.md §7 "Injection").
    @discardableResult
    func apply(_ flow: FlowState) throws(NetlinkError) -> ConntrackApplyOutcome
    /// Create-or-update for many flows at once (the kernel table batches the requests);
    /// one result per flow, in order.
    func apply(_ flows: [FlowState]) throws(NetlinkError) -> [Result<ConntrackApplyOutcome, NetlinkError>]
    /// Removes the entry; false if there was none.
    @discardableResult
    func delete(_ key: FlowKey) throws(NetlinkError) -> Bool
}

/// What `apply` had to do.
public enum ConntrackApplyOutcome: Sendable, Hashable {
    /// There was no entry; it was created with its NAT binding.
    case created
    /// An entry with the same binding existed; its mutable parts were updated.
    case updated
    /// An entry existed with a different NAT binding (reply tuple); since NAT cannot be
    /// changed on an existing entry it was deleted and created again.
    case replaced
}

extension ConntrackTable {
    public func apply(_ flows: [FlowState]) throws(NetlinkError) -> [Result<ConntrackApplyOutcome, NetlinkError>] {
        flows.map { flow in
            do throws(NetlinkError) { return .success(try apply(flow)) } catch { return .failure(error) }
        }
    }

    public func dump() throws(NetlinkError) -> [FlowState] { try dump(family: nil) }
    public func count() throws(NetlinkError) -> Int { try count(family: nil) }
}

extension FlowState {
    /// One line for logs and error contexts, in `conntrack -L` order.
    var conntrackDescription: String {
        let o = original
        var s = "proto \(l4proto) src=\(o.source) dst=\(o.destination) sport=\(o.sourcePort) dport=\(o.destinationPort)"
        s += " reply src=\(reply.source) dst=\(reply.destination) sport=\(reply.sourcePort) dport=\(reply.destinationPort)"
        if zone != 0 { s += " zone=\(zone)" }
        return s
    }
}
