import Testing
@testable import TandemStateSync

@Suite struct SendStreamTests {
    static let a = Flows.tcp(1).key, b = Flows.tcp(2).key

    @Test func untransmittedRecordMergesAndTransmittedOneIsSuperseded() {
        var s = SendStream(limit: 8)
        let first = s.enqueue(flow: Self.a)
        let again = s.enqueue(flow: Self.a)
        #expect(first == .queued)
        #expect(again == .merged)
        _ = s.drain(window: 100)
        let superseding = s.enqueue(flow: Self.a)
        #expect(superseding == .queued)
        #expect(s.count == 1)
        #expect(s.nextSeq == 3)
        // Seq 1 was superseded by seq 2: a NACK for it gets a void.
        let requeued = s.negativeAcknowledge(SequenceRange(1, 2))
        #expect(requeued == 0, "seq 2 is still queued for its first transmission")
        let (voids, items) = s.drain(window: 100)
        #expect(voids == [SequenceRange(1, 1)])
        #expect(items.map(\.seq) == [2])
    }

    /// A flow queued but not yet sent when a bulk starts: the bulk's record of it comes after
    /// the start marker (the receiver counts only those as part of the bulk and prunes the
    /// rest at its end); the earlier record is sent as well.
    @Test func bulkDoesNotMergeIntoARecordAheadOfItsStartMarker() {
        var s = SendStream(limit: 8)
        let before = s.enqueue(flow: Self.a)
        s.enqueue(marker: .bulkStart(1))
        let bulk = s.enqueue(flow: Self.a)
        let again = s.enqueue(flow: Self.a)
        s.enqueue(marker: .bulkEnd(1))
        #expect(before == .queued)
        #expect(bulk == .queued)
        #expect(again == .merged, "behind the marker, records merge again")
        let (_, items) = s.drain(window: 100)
        #expect(items.map(\.item) == [.flow(Self.a), .bulkStart(1), .flow(Self.a), .bulkEnd(1)])
        let moved = s.acknowledge(upTo: 5)
        #expect(moved)
        #expect(s.count == 0)
    }

    @Test func overflowRefusesAndResetVoidsEverythingInFlight() {
        var s = SendStream(limit: 4)
        for i in 0..<4 { _ = s.enqueue(flow: Flows.tcp(i).key) }
        #expect(s.count == 4)
        let fifth = s.enqueue(flow: Flows.tcp(9).key)
        #expect(fifth == .overflow)
        s.reset()
        #expect(s.heldFrom == 5)
        // A receiver that joined late asks from 1: one void reaches the whole dropped span.
        let requeued = s.negativeAcknowledge(SequenceRange(1, 2))
        #expect(requeued == 0)
        let drained = s.drain(window: 100)
        #expect(drained.voids == [SequenceRange(1, 4)])
    }

    @Test func windowHoldsBackRecordsUntilAcknowledged() {
        var s = SendStream(limit: 100)
        for i in 0..<10 { _ = s.enqueue(flow: Flows.tcp(i).key) }
        let first = s.drain(window: 4).items.map(\.seq)
        #expect(first == [1, 2, 3, 4])
        #expect(s.blocked)
        let closed = s.drain(window: 4).items
        #expect(closed.isEmpty)
        let moved = s.acknowledge(upTo: 3)
        #expect(moved)
        #expect(!s.blocked)
        let next = s.drain(window: 4).items.map(\.seq)
        #expect(next == [5, 6])
        let old = s.acknowledge(upTo: 2)
        #expect(!old, "an old ack moves nothing")
    }

    @Test func acknowledgementDropsEntries() {
        var s = SendStream(limit: 100)
        _ = s.enqueue(flow: Self.a)
        _ = s.enqueue(flow: Self.b)
        _ = s.drain(window: 100)
        s.acknowledge(upTo: 3)
        #expect(s.count == 0)
        let fresh = s.enqueue(flow: Self.a)
        #expect(fresh == .queued, "a fresh record after the ack")
    }
}
