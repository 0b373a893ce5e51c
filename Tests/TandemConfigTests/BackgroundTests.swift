import Foundation
import Testing
import TandemConcurrency

@Suite struct BackgroundTests {
    /// Several threads wait for the same work at once (an edit's revision and its commit both
    /// wait for the stamp): every one of them gets the value, none is left waiting.
    @Test func everyThreadWaitingForTheValueGetsIt() {
        for round in 0..<50 {
            let work = Background { () -> Int in
                usleep(UInt32(round % 5) * 200)
                return round
            }
            let waiters = 4
            let got = DispatchSemaphore(value: 0)
            let lock = NSLock()
            nonisolated(unsafe) var values: [Int] = []
            for _ in 0..<waiters {
                Thread.detachNewThread {
                    let v = work.value
                    lock.withLock { values.append(v) }
                    got.signal()
                }
            }
            var finished = 0
            for _ in 0..<waiters where got.wait(timeout: .now() + 5) == .success { finished += 1 }
            #expect(finished == waiters, "round \(round): \(finished) of \(waiters) waiters returned")
            #expect(lock.withLock { values } == Array(repeating: round, count: finished))
            #expect(work.value == round)
        }
    }

    @Test func deferredWorkStartsOnlyWhenAskedFor() {
        let lock = NSLock()
        nonisolated(unsafe) var ran = false
        let work = Background.deferred { () -> Int in
            lock.withLock { ran = true }
            return 7
        }
        usleep(20_000)
        #expect(lock.withLock { ran } == false)
        #expect(work.value == 7)
        #expect(work.value == 7)
    }
}
