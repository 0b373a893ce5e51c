/// The sending half of one session's reliable stream: sequence numbers, the resend queue and
/// the transmit queue (conntrackd FT-FW sender, state-sync.md §2.3).
///
/// Entries name a flow, not a copy of it: a record is serialised from the flow's current
/// state when it is (re)sent, so a retransmission always carries the newest state. A later
/// change of a flow whose record was not transmitted yet merges into it; one whose record was
/// already transmitted gets a new sequence number, and the old one is dropped from the queue
/// and answered with `void` if the peer NACKs it. So the queue holds at most one entry per flow
/// plus the bulk markers, and its size is bounded by `limit`.
struct SendStream: Sendable {
    enum Item: Sendable, Equatable {
        case flow(FlowKey)
        case bulkStart(UInt32)
        case bulkEnd(UInt32)
    }

    struct Entry: Sendable {
        var item: Item
        var transmitted: Bool
    }

    /// The next sequence number to assign. Streams start at 1 in every session.
    private(set) var nextSeq: UInt32 = 1
    /// Everything below was acknowledged by the peer.
    private(set) var acked: UInt32 = 1
    /// Nothing below is held any more (acknowledged, or dropped by `reset`): a NACK for such
    /// numbers is answered with one void range up to here.
    private(set) var heldFrom: UInt32 = 1
    /// The last `drain` left records behind for lack of window; nothing more can go out
    /// until an acknowledgement, a NACK or a reset.
    private(set) var blocked = false
    private(set) var entries: [UInt32: Entry] = [:]
    private var latest: [FlowKey: UInt32] = [:]
    /// New sequence numbers not transmitted yet, ascending, from `freshHead` on.
    private var fresh: [UInt32] = []
    private var freshHead = 0
    /// Transmitted numbers the peer NACKed, to send again, each at most once.
    private var resends: [UInt32] = []
    private var resendSet: Set<UInt32> = []
    /// Sequence ranges to declare void in the next transmission.
    private(set) var voids: [SequenceRange] = []
    /// The number of the latest bulk start marker (0: none): no record merges into one
    /// ahead of it.
    private var bulkStart: UInt32 = 0
    let limit: Int

    init(limit: Int, firstSequence: UInt32 = 1) {
        precondition(limit >= 4, "resend queue limit \(limit) too small")
        self.limit = limit
        nextSeq = firstSequence
        acked = firstSequence
        heldFrom = firstSequence
    }

    /// Sequence numbers are 32 bits; past this point the core starts a new session rather
    /// than wrap (a wrapped number would look like an old duplicate to the receiver).
    static let rotationPoint: UInt32 = 0xFFFF_0000
    var nearWrap: Bool { nextSeq >= Self.rotationPoint }

    var count: Int { entries.count }
    /// Records waiting for their (re)transmission.
    var pendingCount: Int { fresh.count - freshHead + resends.count }
    var hasPending: Bool { pendingCount > 0 || !voids.isEmpty }

    enum EnqueueResult: Equatable {
        case queued
        /// Merged into an untransmitted record of the same flow.
        case merged
        /// The resend queue is full; nothing was queued.
        case overflow
    }

    /// Queues the current state of `key` for sending.
    mutating func enqueue(flow key: FlowKey) -> EnqueueResult {
        if let s = latest[key], let entry = entries[s] {
            if !entry.transmitted {
                if s > bulkStart { return .merged }
                // Ahead of the latest bulk start marker: the peer counts only records between
                // the markers as part of the bulk and would prune the flow at its end. That
                // record still goes out (with the flow's current state); this one is the
                // bulk's.
            } else {
                entries[s] = nil
            }
        }
        guard entries.count < limit else {
            latest[key] = nil
            return .overflow
        }
        latest[key] = append(.flow(key))
        return .queued
    }

    /// Queues a bulk marker; markers may exceed the limit by the two of one bulk.
    mutating func enqueue(marker: Item) {
        let s = append(marker)
        if case .bulkStart = marker { bulkStart = s }
    }

    private mutating func append(_ item: Item) -> UInt32 {
        let s = nextSeq
        nextSeq &+= 1
        entries[s] = Entry(item: item, transmitted: false)
        fresh.append(s)
        return s
    }

    /// The peer received everything below `ack`. Returns true when that acknowledged
    /// something new (the send window moved).
    @discardableResult
    mutating func acknowledge(upTo ack: UInt32) -> Bool {
        guard ack <= nextSeq else { return false }
        guard ack > acked else { return false }
        heldFrom = max(heldFrom, ack)
        blocked = false
        if Int(ack - acked) <= entries.count {
            for s in acked..<ack { remove(s) }
        } else {
            for s in entries.keys where s < ack { remove(s) }
        }
        acked = ack
        return true
    }

    private mutating func remove(_ s: UInt32) {
        guard let entry = entries.removeValue(forKey: s) else { return }
        if case .flow(let key) = entry.item, latest[key] == s { latest[key] = nil }
    }

    /// The peer misses `range`: queue what we still hold for resending, and declare the rest
    /// void — including numbers below `acked`, which a receiver that joined the stream late
    /// (after its own restart) never saw. Returns the number of records queued again.
    mutating func negativeAcknowledge(_ range: SequenceRange) -> Int {
        guard range.first < nextSeq else { return 0 }
        var first = range.first
        if first < heldFrom {
            // May reach past `range.last`: those numbers are void too, and a receiver that
            // joined late skips them in one round instead of one window per round.
            voids.append(SequenceRange(first, heldFrom - 1))
            first = heldFrom
            guard first <= range.last, first < nextSeq else { return 0 }
        }
        blocked = false
        let last = min(range.last, nextSeq - 1)
        var held: [UInt32]
        if Int(last - first) < entries.count {
            held = (first...last).filter { entries[$0] != nil }
        } else {
            held = entries.keys.filter { $0 >= first && $0 <= last }.sorted()
        }
        var cursor = first
        var requeued = 0
        for s in held {
            if s > cursor { voids.append(SequenceRange(cursor, s - 1)) }
            // An entry never transmitted is still on its way in the fresh queue.
            if entries[s]?.transmitted == true, resendSet.insert(s).inserted {
                resends.append(s)
                requeued += 1
            }
            cursor = s &+ 1
        }
        if held.last.map({ $0 < last }) ?? true { voids.append(SequenceRange(cursor, last)) }
        return requeued
    }

    /// Takes the queued work: void ranges, then resends, then new entries in order (with
    /// whether each was transmitted before), marking them transmitted. Entries at or beyond `window` past the
    /// oldest number still held stay queued: the receiver buffers at most that far ahead, so
    /// sending further would only be dropped and NACKed again.
    mutating func drain(window: UInt32) -> (voids: [SequenceRange], items: [(seq: UInt32, item: Item, resend: Bool)]) {
        var items: [(seq: UInt32, item: Item, resend: Bool)] = []
        items.reserveCapacity(pendingCount)
        var all = voids
        voids.removeAll()
        let limit = UInt64(heldFrom) + UInt64(window)
        var deferred: [UInt32] = []
        for s in resends {
            if let entry = entries[s] {
                if UInt64(s) >= limit {
                    deferred.append(s)
                } else {
                    items.append((s, entry.item, true))
                }
            } else {
                // Superseded or reset after it was NACKed: the peer still needs to hear it is
                // empty.
                all.append(SequenceRange(s, s))
            }
        }
        resends = deferred
        resendSet = Set(deferred)
        while freshHead < fresh.count {
            let s = fresh[freshHead]
            guard let entry = entries[s] else {
                freshHead += 1  // acknowledged by a confused peer before we sent it: nothing to do
                continue
            }
            guard UInt64(s) < limit else { break }
            items.append((s, entry.item, false))
            entries[s]?.transmitted = true
            freshHead += 1
        }
        if freshHead > 4096, freshHead * 2 > fresh.count {
            fresh.removeFirst(freshHead)
            freshHead = 0
        }
        blocked = !deferred.isEmpty || freshHead < fresh.count
        return (all, items)
    }

    /// Drops the whole resend queue (overflow, or the peer restarted). The sequence numbers
    /// in flight become void; the caller follows with a bulk transfer.
    mutating func reset() {
        heldFrom = nextSeq
        blocked = false
        entries.removeAll()
        latest.removeAll()
        fresh.removeAll()
        freshHead = 0
        resends.removeAll()
        resendSet.removeAll()
        voids.removeAll()
    }
}
