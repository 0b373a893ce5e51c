/// Inputs of the sync core.
public enum SyncEvent: Sendable, Equatable {
    /// The node starts: greet the peer and ask it for everything (pfsync bulk request at
    /// start-up, conntrackd `StartupResync`).
    case start
    /// A flow of this node appeared or changed (from the conntrack adapter).
    case localUpdate(FlowState)
    /// A flow of this node ended.
    case localDelete(FlowKey)
    /// Every flow of this node, as a fresh dump of the kernel table shows it (after conntrack
    /// events were lost): each is an update, and a flow held before but missing here ended.
    /// The peer's flows in the dump (injected here) are left out.
    case localSnapshot([FlowState])
    /// An authenticated datagram from the peer (the codec has checked tag and layout).
    case received(SyncDatagram)
    /// A datagram the codec or transport threw away; only counted.
    case rejected(SyncRejection)
    /// Time passed: run whatever is due at `now`.
    case tick
    /// Send what is queued now instead of waiting for the batching delay.
    case flush
    /// Ask the peer for all its flows again (operator resync, conntrackd `-n`).
    case requestBulk
    /// Whether this node carries the cluster's traffic now (CARP MASTER of a VIP): its
    /// kernel's copies of the peer's flows are then live connections of its own.
    case carrying(Bool)
}

/// Outputs of the sync core, carried out by the driver.
public enum SyncAction: Sendable, Equatable {
    case send(SyncDatagram)
    /// Install or refresh this flow of the peer.
    case apply(FlowState)
    /// The peer's flow is gone.
    case remove(FlowKey)
    case peerUp
    case peerDown
    /// The peer came back with a new session id: it lost its sync state.
    case peerRestarted
    /// The start-up bulk finished or was given up: the daemon lifts the CARP demotion.
    case initialBulk(InitialBulkOutcome)
    /// The peer's flows in this node's kernel are this node's now (it carries their traffic
    /// and the peer restarted): report the kernel's table as local changes. The core keeps
    /// only hashes of the peer's flows, so their states come from the kernel.
    case adoptKernelTable
}

public enum InitialBulkOutcome: Sendable, Equatable {
    case completed
    /// The peer never delivered a complete bulk within `initialBulkTimeout`.
    case timedOut
}
