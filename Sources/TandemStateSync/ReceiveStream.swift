/// The receiving half of one peer session's reliable stream: records are delivered strictly
/// in sequence order, out-of-order ones wait in a bounded buffer, and gaps are reported as
/// NACK ranges (conntrackd FT-FW receiver, state-sync.md §2.3).
///
/// In-order delivery is what makes full-state records safe to apply: an update can never
/// overtake a later delete of the same flow, however the network reorders datagrams.
struct ReceiveStream: Sendable {
    enum Slot: Sendable {
        case record(SyncRecord)
        /// A void range starting here and ending at `last`.
        case void(last: UInt32)
    }

    /// The next sequence number to deliver; everything below was delivered or void.
    private(set) var expected: UInt32
    /// The highest stream position the sender has announced (its `sent` field).
    private(set) var announced: UInt32
    private var buffer: [UInt32: Slot] = [:]
    let window: UInt32

    init(expected: UInt32, window: UInt32) {
        self.expected = expected
        announced = expected
        self.window = window
    }

    var buffered: Int { buffer.count }
    var hasGap: Bool { announced > expected }

    enum Insertion: Equatable {
        case accepted
        case duplicate
        case outOfWindow
    }

    mutating func announce(_ sent: UInt32) {
        announced = max(announced, sent)
    }

    /// Stores a sequenced record; deliverable records come out of `drain()`.
    mutating func insert(_ record: SyncRecord) -> Insertion {
        guard let seq = record.sequence else { preconditionFailure("control record in the stream") }
        guard seq >= expected else { return .duplicate }
        guard seq - expected < window else { return .outOfWindow }
        guard buffer[seq] == nil else { return .duplicate }
        buffer[seq] = .record(record)
        announced = max(announced, seq &+ 1)
        return .accepted
    }

    /// Marks a range as carrying nothing.
    mutating func insertVoid(_ range: SequenceRange) {
        guard range.last >= expected else { return }
        // Not limited by the window: a void is one slot whatever its length, and a receiver
        // that joined a long-running stream learns this way that everything before is moot.
        let first = max(range.first, expected)
        if case .void(let last)? = buffer[first], last >= range.last { return }
        if case .record? = buffer[first], first == range.last { return }
        buffer[first] = .void(last: range.last)
        announced = max(announced, range.last &+ 1)
    }

    /// The first sequence number of the earliest void range the last `drain` consumed.
    private(set) var voidDrainedFrom: UInt32?

    /// Records now deliverable, in order; with `stop`, none at or past it (the agreement check
    /// looks at the replica exactly there). A void range that starts before `stop` is
    /// consumed whole, even when it reaches past it.
    mutating func drain(before stop: UInt32? = nil) -> [SyncRecord] {
        var out: [SyncRecord] = []
        var jumped = false
        voidDrainedFrom = nil
        while stop.map({ expected < $0 }) ?? true, let slot = buffer.removeValue(forKey: expected) {
            switch slot {
            case .record(let record):
                out.append(record)
                expected &+= 1
            case .void(let last):
                if voidDrainedFrom == nil { voidDrainedFrom = expected }
                expected = last &+ 1
                jumped = true
            }
        }
        if jumped {
            // Records inside a void range are superseded versions: drop them.
            for key in buffer.keys where key < expected { buffer[key] = nil }
        }
        return out
    }

    /// Missing ranges between `expected` and the announced position, at most `limit`, and
    /// no further than the window: what lies beyond would not be buffered anyway (the
    /// sender answers numbers it no longer holds with one void range however far it goes).
    func gaps(limit: Int) -> [SequenceRange] {
        let end = UInt32(min(UInt64(announced), UInt64(expected) + UInt64(window)))  // exclusive
        guard end > expected else { return [] }
        var starts = buffer.keys.filter { $0 < end }
        starts.sort()
        var result: [SequenceRange] = []
        var cursor = expected
        for s in starts {
            guard result.count < limit else { break }
            if s > cursor { result.append(SequenceRange(cursor, s - 1)) }
            switch buffer[s]! {
            case .record: cursor = max(cursor, s &+ 1)
            case .void(let last): cursor = max(cursor, last &+ 1)
            }
        }
        if result.count < limit, cursor < end { result.append(SequenceRange(cursor, end - 1)) }
        return result
    }
}
