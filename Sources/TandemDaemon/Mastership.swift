import Foundation

/// Whether this node is CARP MASTER of any vhid, written by the CARP service as each event
/// is handled and read by state sync on its own thread. State sync must know it the moment
/// it changes: a peer that restarts right after this node took its traffic over sends an
/// empty bulk, and only a node that knows it carries the peer's flows keeps them
/// (`SyncCore.adopt`); a flag refreshed with the status every 200 ms let such a bulk prune
/// live connections.
public final class Mastership: @unchecked Sendable {
    private let lock = NSLock()
    private var master = false

    public init() {}

    public var isMaster: Bool { lock.withLock { master } }

    func set(_ value: Bool) { lock.withLock { master = value } }
}
