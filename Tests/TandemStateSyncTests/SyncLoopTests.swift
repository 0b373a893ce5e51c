import Foundation
import Testing
import TandemAddress
import TandemTestSupport
@testable import TandemStateSync

/// Two loops on their own threads, real sockets in two namespaces: changes submitted from the
/// test thread reach the peer's mirror callback.
@Suite(.serialized) struct SyncLoopTests {
    /// The peer's flows as the loop thread reports them, readable from the test thread.
    final class Mirror: @unchecked Sendable {
        private let lock = NSLock()
        private var flows: [FlowKey: FlowState] = [:]
        func apply(_ changes: [FlowChange]) {
            lock.withLock {
                for change in changes {
                    switch change {
                    case .update(let flow): flows[flow.key] = flow
                    case .delete(let key): flows[key] = nil
                    }
                }
            }
        }
        var snapshot: [FlowKey: FlowState] { lock.withLock { flows } }
    }

    static func start(_ loop: SyncLoop) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            loop.run(maxWait: .milliseconds(200))
            done.signal()
        }
        thread.start()
        return done
    }

    /// Polls `condition` every 10 ms for at most `limit` (a bounded wait on real time).
    static func wait(_ limit: Duration, _ condition: () -> Bool) -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + limit
        while clock.now < end {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    @Test(.needsNetworkNamespaces) func submittedChangesReachThePeer() throws {
        let nsA = try NetworkNamespace(purpose: "syncloop-a")
        let nsB = try NetworkNamespace(purpose: "syncloop-b")
        defer { nsA.delete(); nsB.delete() }
        try connect(nsA, "sync0", "203.0.113.1/30", nsB, "sync0", "203.0.113.2/30")
        let a = IPAddress("203.0.113.1")!, b = IPAddress("203.0.113.2")!
        let key = try SyncKey(secret: Array("pw".utf8))
        let driverA = SyncDriver(key: key, transport: try nsA.run { try UDPSyncTransport(local: a, peer: b, device: "sync0") })
        let driverB = SyncDriver(key: key, transport: try nsB.run { try UDPSyncTransport(local: b, peer: a, device: "sync0") })
        let mirrorB = Mirror()
        driverB.onRemoteChanges = { mirrorB.apply($0) }
        let loopA = try SyncLoop(driver: driverA)
        let loopB = try SyncLoop(driver: driverB)
        let doneA = Self.start(loopA)
        let doneB = Self.start(loopB)
        defer {
            loopA.stop()
            loopB.stop()
            _ = doneA.wait(timeout: .now() + 5)
            _ = doneB.wait(timeout: .now() + 5)
        }

        #expect(Self.wait(.seconds(5)) { !loopB.status.initialBulkPending })
        loopA.submit((0..<500).map { .update(Flows.tcp($0)) })
        loopA.submit((0..<100).map { .delete(Flows.tcp($0).key) })
        #expect(Self.wait(.seconds(10)) { mirrorB.snapshot.count == 400 })
        #expect(Set(mirrorB.snapshot.keys) == Set((100..<500).map { Flows.tcp($0).key }))
        #expect(Self.wait(.seconds(5)) { loopA.status.resendQueue == 0 })
        #expect(loopA.lastSocketError == nil)
    }
}
