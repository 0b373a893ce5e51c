import Testing
import TandemAddress
@testable import TandemManagement

@Suite struct LoginLimiterTests {
    let attacker = IPAddress("203.0.113.66")!
    let peer = IPAddress("198.51.100.2")!

    @Test func locksAfterFiveFailuresAndOnlyThatAddress() {
        var l = LoginLimiter()
        for i in 0..<4 { #expect(l.recordFailure(attacker, now: Double(i)) == nil) }
        #expect(l.recordFailure(attacker, now: 4) == 60)
        #expect(l.admit(attacker, now: 5) == .refuse(retryAfter: 59))
        #expect(l.admit(peer, now: 5) == .check)
        #expect(l.admit(attacker, now: 64) == .check)
        #expect(l.totalRefused == 1 && l.totalLockouts == 1)
    }

    @Test func aThousandFailuresCostOneLockoutEachRound() {
        var l = LoginLimiter()
        var checked = 0
        for i in 0..<1000 {
            let t = Double(i) * 0.01
            if l.admit(attacker, now: t) == .check { checked += 1; l.recordFailure(attacker, now: t) }
        }
        #expect(checked == 5)
        #expect(l.totalRefused == 995)
        #expect(l.admit(peer, now: 10) == .check)
    }

    @Test func repeatOffencesDoubleUpToTheCap() {
        var l = LoginLimiter(policy: .init(maxFailures: 1, window: 60, lockout: 60, maxLockout: 200))
        #expect(l.recordFailure(attacker, now: 0) == 60)
        _ = l.admit(attacker, now: 61)
        #expect(l.recordFailure(attacker, now: 61) == 120)
        _ = l.admit(attacker, now: 182)
        #expect(l.recordFailure(attacker, now: 182) == 200)
    }

    @Test func successForgivesAndMakesTheAddressKnown() {
        var l = LoginLimiter()
        for i in 0..<3 { l.recordFailure(peer, now: Double(i)) }
        l.recordSuccess(peer)
        #expect(l.entries[peer] == nil)
        #expect(l.isKnown(peer) && !l.isKnown(attacker))
    }

    @Test func tableIsBoundedAndEvictsUnlockedFirst() {
        var l = LoginLimiter(policy: .init(maxFailures: 2, capacity: 3))
        l.recordFailure(attacker, now: 0); l.recordFailure(attacker, now: 0) // locked
        for i in 1...5 { l.recordFailure(IPAddress("192.0.2.\(i)")!, now: Double(i)) }
        #expect(l.entries.count == 3)
        #expect(l.admit(attacker, now: 6) != .check)
    }
}
