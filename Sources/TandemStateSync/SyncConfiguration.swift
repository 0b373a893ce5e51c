import TandemAddress

/// Tunables of the sync protocol. Defaults follow conntrackd's FT-FW and pfsync where they
/// have one (state-sync.md §1.4, §2.3), scaled to a dedicated sync link.
public struct SyncConfiguration: Sendable, Equatable {
    /// Largest datagram the core builds (UDP payload). 1472 = a 1500-byte MTU minus the IPv4
    /// and UDP headers; see `datagramSize(mtu:family:)`.
    public var maximumDatagram: Int = 1472
    /// Truncated HMAC-SHA256 length on the wire (≥ 16).
    public var tagLength: Int = 16
    /// Send something at least this often, so the peer sees us alive and learns our stream
    /// position (conntrackd's alive timer: 1 s).
    public var keepaliveInterval: Duration = .seconds(1)
    /// Peer declared dead after this long without a valid datagram.
    public var peerDeadAfter: Duration = .seconds(3)
    /// Acknowledge at once after this many in-order records (conntrackd ACKWindowSize 300) ...
    public var ackWindow: Int = 300
    /// ... or this long after the first unacknowledged one.
    public var ackDelay: Duration = .milliseconds(20)
    /// Minimum time between two NACKs, so one gap is not NACKed once per datagram.
    public var nackInterval: Duration = .milliseconds(50)
    /// At most this many ranges in one NACK round.
    public var maximumNackRanges: Int = 64
    /// Local changes wait at most this long to be batched into a fuller datagram.
    public var transmitDelay: Duration = .milliseconds(5)
    /// Unacknowledged records kept for resending (conntrackd ResendQueueSize 131072). When a
    /// new record would exceed it, the queue is dropped and a bulk transfer replaces it.
    public var resendQueueLimit: Int = 131_072
    /// Records further than this ahead of the next expected one are dropped, not buffered.
    public var reorderWindow: UInt32 = 16_384
    /// Records a bulk transfer adds to the stream per event; it also waits while the resend
    /// queue is over half full (pfsync sends a chunk per timer tick, §1.4).
    public var bulkChunk: Int = 2048
    /// A bulk request without progress is repeated after this long (pfsync: 5 s).
    public var bulkRetryInterval: Duration = .seconds(5)
    /// How long the start-up bulk may take before the node stops waiting for it and lets CARP
    /// promote it anyway (pfSense waits ≈ 30 s for `syncok`, pfsync 12 × 5 s).
    public var initialBulkTimeout: Duration = .seconds(30)
    /// How often each node sends the summary of its table for the agreement check (the
    /// issue's "periodic count/digest comparison").
    public var digestInterval: Duration = .seconds(5)
    /// This many disagreeing comparisons in a row make the node ask the peer for a bulk
    /// (0: never), which replaces the replica and prunes what the peer no longer has.
    public var bulkAfterDisagreements: Int = 3
    /// Datagram numbers tracked behind the highest one for replay protection.
    public var replayWindow: Int = 1024
    /// Earlier peer sessions remembered to reject replays across a peer restart.
    public var rememberedPeerSessions: Int = 16

    public init() {}

    /// The UDP payload that fits one IP packet of `mtu` bytes.
    public static func datagramSize(mtu: Int, family: IPFamily) -> Int {
        mtu - (family == .ipv4 ? 20 : 40) - 8
    }
}
