/// Whether the peer's table and this node's replica of it agree, as the last conclusive
/// digest comparison found (SyncCore+Agreement.swift).
public struct TableAgreement: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// No conclusive comparison yet in this peer session.
        case unknown
        case agree
        case differ
    }

    public var state: State = .unknown
    /// When the current state began (the first comparison of the run that found it).
    public var since: SyncTime?
    /// When the last conclusive comparison was made.
    public var checked: SyncTime?
    /// Flows the peer reported at that comparison.
    public var peerFlows: Int = 0
    /// Flows in this node's replica of the peer's table at the same stream position.
    public var replicaFlows: Int = 0

    public init() {}

    mutating func record(agree: Bool, peerFlows: Int, replicaFlows: Int, now: SyncTime) {
        let new: State = agree ? .agree : .differ
        if new != state { since = now }
        state = new
        checked = now
        self.peerFlows = peerFlows
        self.replicaFlows = replicaFlows
    }
}

/// One table summary the peer sent: its flows' digest when its stream stood at `position`.
public struct TableSummary: Sendable, Hashable {
    /// The sender's next sequence number when it took the summary: the receiver's replica
    /// matches it once every record below has been delivered, and no later one.
    public var position: UInt32
    public var digest: TableDigest

    public init(position: UInt32, digest: TableDigest) {
        self.position = position
        self.digest = digest
    }
}
