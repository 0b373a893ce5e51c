import Testing
@testable import TandemStateSync

@Suite struct SyncDriverTests {
    final class Node {
        let driver: SyncDriver
        let transport: FakeTransport
        /// The mirror's view: the peer's flows as the callbacks delivered them.
        var mirror: [FlowKey: FlowState] = [:]
        var notices: [SyncNotice] = []

        init(_ transport: FakeTransport, clock: ManualClock, secret: String, session: UInt64) {
            self.transport = transport
            driver = SyncDriver(key: try! SyncKey(secret: Array(secret.utf8)), transport: transport, clock: clock, session: session)
            driver.onRemoteChanges = { [unowned self] changes in
                for change in changes {
                    switch change {
                    case .update(let flow): mirror[flow.key] = flow
                    case .delete(let key): mirror[key] = nil
                    }
                }
            }
            driver.onNotice = { [unowned self] in notices.append($0) }
        }
    }

    /// Steps both drivers on the manual clock until `duration` passed (bounded).
    static func run(_ nodes: [Node], _ clock: ManualClock, for duration: Duration) {
        let end = clock.now + duration
        for _ in 0..<100_000 {
            for n in nodes { n.driver.readable() }
            for n in nodes { n.driver.tick() }
            if nodes.contains(where: { !$0.transport.inbox.isEmpty }) { continue }
            guard let next = nodes.compactMap({ $0.driver.nextDeadline }).min(), next <= end else { break }
            clock.now = max(clock.now, next)
        }
        clock.now = max(clock.now, end)
    }

    @Test func mirrorsFlowsThroughTheCallbacks() {
        let clock = ManualClock()
        let (ta, tb) = FakeTransport.pair()
        ta.loss = 0.05
        tb.loss = 0.05
        let a = Node(ta, clock: clock, secret: "pw", session: 1)
        let b = Node(tb, clock: clock, secret: "pw", session: 2)
        a.driver.start()
        b.driver.start()
        Self.run([a, b], clock, for: .milliseconds(100))
        #expect(b.notices.contains(.initialBulk(.completed)))
        a.driver.local((0..<500).map { .update(Flows.tcp($0)) })
        a.driver.local((0..<100).map { .delete(Flows.tcp($0 * 3).key) })
        Self.run([a, b], clock, for: .seconds(3))
        #expect(b.mirror == a.driver.core.localFlows)
        #expect(b.mirror.count == 400)
        #expect(a.driver.status.resendQueue == 0)
    }

    @Test func wrongKeyAndForeignSourceAreCountedAndIgnored() {
        let clock = ManualClock()
        let (ta, tb) = FakeTransport.pair()
        let a = Node(ta, clock: clock, secret: "right", session: 1)
        let b = Node(tb, clock: clock, secret: "wrong", session: 2)
        a.driver.start()
        b.driver.start()
        b.driver.local([.update(Flows.tcp(1))])
        ta.inbox.append((tb.sent.last!, false))
        Self.run([a, b], clock, for: .seconds(2))
        #expect(a.mirror.isEmpty)
        #expect(a.driver.status.counters.rejected[.badAuthentication, default: 0] >= 2)
        #expect(a.driver.status.counters.rejected[.unexpectedSource] == 1)
        #expect(a.driver.status.peerSession == nil)
        Self.run([a, b], clock, for: .seconds(30))
        #expect(a.notices == [.initialBulk(.timedOut)])
    }

    /// A datagram larger than the configured maximum (1472: the peer builds none larger) is
    /// refused as oversized before its tag is computed, even with a valid tag; the driver
    /// used to accept anything up to 65,507 bytes and HMAC it first.
    @Test func datagramOverTheMaximumIsRefusedBeforeAuthentication() {
        let clock = ManualClock()
        let (ta, tb) = FakeTransport.pair()
        let a = Node(ta, clock: clock, secret: "pw", session: 1)
        a.driver.start()
        let big = SyncDatagram(session: 2, peerSession: 0, packet: 1, sent: 41, ack: 0,
                               records: (1...40).map { .update(seq: UInt32($0), Flows.tcp(Int($0))) })
        let bytes = SyncCodec(key: try! SyncKey(secret: Array("pw".utf8))).encode(big)
        #expect(bytes.count > SyncConfiguration().maximumDatagram)
        ta.inbox.append((bytes, true))
        a.driver.readable()
        #expect(a.driver.status.counters.rejected[.oversized] == 1)
        #expect(a.driver.status.peerSession == nil)
        _ = tb
    }
}
