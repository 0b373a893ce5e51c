#if canImport(Glibc)
import Glibc
#endif
import TandemAddress
import TandemStateSync

/// An in-memory conntrack table that follows the kernel's ctnetlink rules as the adapter
/// sees them, for testing the mirror without a kernel: NAT is fixed at creation and the
/// kernel rewrites the reply tuple from it, only SEEN_REPLY/ASSURED can be set and never
/// cleared, BE_LIBERAL is set on TCP entries, EEXIST/ENOENT as ctnetlink answers. The
/// contract test runs one script against this and against a kernel and expects the same
/// results.
public final class ConntrackMemoryTable: ConntrackTable {
    public private(set) var entries: [FlowKey: FlowState] = [:]
    /// Every request, in order (for tests asserting what the mirror did).
    public private(set) var requests: [Request] = []

    public enum Request: Sendable, Hashable {
        case create(FlowKey), update(FlowKey), delete(FlowKey)
    }

    public init() {}

    public func dump(family: IPFamily?) throws(NetlinkError) -> [FlowState] {
        entries.values.filter { family == nil || $0.family == family }
    }

    public func count(family: IPFamily?) throws(NetlinkError) -> Int {
        try dump(family: family).count
    }

    public func get(_ key: FlowKey) throws(NetlinkError) -> FlowState? { entries[key] }

    public func create(_ flow: FlowState) throws(NetlinkError) {
        requests.append(.create(flow.key))
        guard entries[flow.key] == nil else {
            throw NetlinkError("ctnetlink create", errno: EEXIST, context: flow.conntrackDescription)
        }
        entries[flow.key] = Self.created(flow)
    }

    /// What the kernel holds after creating `flow`: the reply tuple rebuilt from the
    /// un-NATed inverse plus the bindings, the NAT status bits set by the kernel.
    static func created(_ flow: FlowState) -> FlowState {
        var f = ConntrackInjection.forCreation(flow)
        f.status |= ConntrackInjection.Status.confirmed
        if ConntrackInjection.sourceNAT(of: flow) != nil { f.status |= ConntrackInjection.Status.sourceNAT }
        if ConntrackInjection.destinationNAT(of: flow) != nil { f.status |= ConntrackInjection.Status.destinationNAT }
        if f.status & (ConntrackInjection.Status.sourceNAT | ConntrackInjection.Status.destinationNAT) != 0 {
            f.status |= ConntrackInjection.Status.sourceNATDone | ConntrackInjection.Status.destinationNATDone
        }
        f.reply = ConntrackInjection.expectedReply(of: flow)
        return f
    }

    public func update(_ flow: FlowState) throws(NetlinkError) {
        requests.append(.update(flow.key))
        guard var current = entries[flow.key] else {
            throw NetlinkError("ctnetlink update", errno: ENOENT, context: flow.conntrackDescription)
        }
        // Settable bits are only ever added (clearing them is refused; the adapter then
        // keeps the kernel's status).
        current.status |= flow.status & ConntrackInjection.settableStatus
        current.timeout = flow.timeout
        current.mark = flow.mark
        if current.l4proto == 6, let tcp = flow.tcp {
            current.tcp = ConntrackInjection.forCreation(flow).tcp.map { t in
                var t = t
                t.state = tcp.state
                return t
            }
        }
        entries[flow.key] = current
    }

    @discardableResult
    public func apply(_ flow: FlowState) throws(NetlinkError) -> ConntrackApplyOutcome {
        guard let current = entries[flow.key] else {
            try create(flow)
            return .created
        }
        if current.reply != ConntrackInjection.expectedReply(of: flow) {
            try delete(flow.key)
            try create(flow)
            return .replaced
        }
        try update(flow)
        return .updated
    }

    @discardableResult
    public func delete(_ key: FlowKey) throws(NetlinkError) -> Bool {
        requests.append(.delete(key))
        return entries.removeValue(forKey: key) != nil
    }

    /// An entry appearing without a request, as traffic creates one (for mirror tests).
    public func insertFromTraffic(_ flow: FlowState) { entries[flow.key] = flow }
}

/// A scripted event source for mirror tests: events queued by the test come out of the
/// next `receive`.
public final class ConntrackScriptedEvents: ConntrackEventSource {
    public var queued: [ConntrackEvent] = []
    public init(_ events: [ConntrackEvent] = []) { queued = events }

    public func receive(timeoutMilliseconds: Int32) throws(NetlinkError) -> [ConntrackEvent] {
        defer { queued.removeAll() }
        return queued
    }
}
