@testable import TandemStateSync
import TandemTestSupport

/// An in-memory transport: what one end sends lands in the other's inbox, minus losses drawn
/// from a seeded generator.
final class FakeTransport: SyncTransport {
    var inbox: [(bytes: [UInt8], fromPeer: Bool)] = []
    weak var peer: FakeTransport?
    var sent: [[UInt8]] = []
    var loss = 0.0
    var rng = SplitMix64(seed: 42)

    static func pair() -> (FakeTransport, FakeTransport) {
        let a = FakeTransport(), b = FakeTransport()
        a.peer = b
        b.peer = a
        return (a, b)
    }

    func send(_ datagram: [UInt8]) throws(SyncSocketError) -> Bool {
        sent.append(datagram)
        if Double.random(in: 0..<1, using: &rng) >= loss { peer?.inbox.append((datagram, true)) }
        return true
    }

    func receive() throws(SyncSocketError) -> (bytes: [UInt8], fromPeer: Bool)? {
        inbox.isEmpty ? nil : inbox.removeFirst()
    }

    func waitReadable(timeout: Duration) throws(SyncSocketError) -> Bool { !inbox.isEmpty }

    var fileDescriptor: Int32 { -1 }
}

/// A clock the test moves by hand.
final class ManualClock: SyncClock {
    var now = SyncTime(nanoseconds: 5_000_000_000)
}
