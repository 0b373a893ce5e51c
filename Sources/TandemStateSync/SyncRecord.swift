/// An inclusive range of stream sequence numbers, as NACK and void records carry them.
public struct SequenceRange: Sendable, Hashable, CustomStringConvertible {
    public var first: UInt32
    public var last: UInt32

    public init(_ first: UInt32, _ last: UInt32) {
        precondition(first <= last, "SequenceRange \(first)...\(last) is empty")
        self.first = first
        self.last = last
    }

    public var count: Int { Int(last - first) + 1 }
    public func contains(_ seq: UInt32) -> Bool { seq >= first && seq <= last }
    public var description: String { first == last ? "\(first)" : "\(first)-\(last)" }
}

/// One element of a sync datagram.
///
/// Sequenced records form one reliable, in-order stream per sender session (conntrackd
/// FT-FW, state-sync.md §2.3): each carries the full current state of one flow or a bulk
/// marker, so applying it twice is harmless. Control records (`nack`, `void`) are not
/// sequenced: they steer the stream itself; `digest` reports on it.
public enum SyncRecord: Sendable, Hashable {
    /// The full current state of a flow.
    case update(seq: UInt32, FlowState)
    /// The flow no longer exists on the sender.
    case delete(seq: UInt32, FlowKey)
    /// A bulk transfer begins: every flow the sender has follows before `bulkEnd` with the
    /// same id (pfsync BUS START, state-sync.md §1.4).
    case bulkStart(seq: UInt32, id: UInt32)
    /// The bulk with this id is complete: the receiver drops the sender's flows it did not
    /// hear about since the matching `bulkStart`.
    case bulkEnd(seq: UInt32, id: UInt32)
    /// Receiver → sender: these sequence numbers are missing, send them again (FT-FW NACK).
    case nack(SequenceRange)
    /// Sender → receiver: these sequence numbers carry nothing any more (superseded by a
    /// later record of the same flow, or dropped when the resend queue overflowed and a bulk
    /// replaced them); count them as received.
    case void(SequenceRange)
    /// Sender → receiver: the sender's table summary at a stream position, for the periodic
    /// agreement check (SyncCore+Agreement.swift). At most one per datagram.
    case digest(TableSummary)

    /// The stream position of a sequenced record, nil for control records.
    public var sequence: UInt32? {
        switch self {
        case .update(let seq, _), .delete(let seq, _), .bulkStart(let seq, _), .bulkEnd(let seq, _): seq
        case .nack, .void, .digest: nil
        }
    }
}

/// One authenticated UDP datagram of the sync protocol, before encoding / after decoding.
public struct SyncDatagram: Sendable, Hashable {
    /// The sender's random boot id (state-sync.md §7: HELLO on restart). A new value means the
    /// sender restarted.
    public var session: UInt64
    /// The receiver's session as the sender last saw it (0 = none yet). `ack` and `nack`
    /// refer to that session's stream and are ignored when it is not the receiver's own.
    public var peerSession: UInt64
    /// Per-session datagram number, strictly increasing, never reused, for replay protection.
    public var packet: UInt64
    /// The sender's next stream sequence number: everything below was sent at least once, so
    /// a receiver can detect lost records at the tail of the stream.
    public var sent: UInt32
    /// Cumulative acknowledgement of the receiver's stream: every record below arrived.
    public var ack: UInt32
    /// Non-zero while the sender asks for a bulk transfer; a new value is a new request.
    public var bulkRequest: UInt32
    /// The sender's current challenge: a newcomer session must echo it to be adopted.
    public var challenge: UInt64
    /// The receiver's challenge as the sender last heard it (0 = none).
    public var echo: UInt64
    public var records: [SyncRecord]

    public init(session: UInt64, peerSession: UInt64, packet: UInt64, sent: UInt32, ack: UInt32,
                bulkRequest: UInt32 = 0, challenge: UInt64 = 0, echo: UInt64 = 0, records: [SyncRecord] = []) {
        self.challenge = challenge
        self.echo = echo
        self.session = session
        self.peerSession = peerSession
        self.packet = packet
        self.sent = sent
        self.ack = ack
        self.bulkRequest = bulkRequest
        self.records = records
    }
}
