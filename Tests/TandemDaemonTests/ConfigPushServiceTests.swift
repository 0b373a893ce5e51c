import Testing
@testable import TandemDaemon

/// Commits in quick succession coalesce: those made while a push runs become one more push.
@Suite struct ConfigPushServiceTests {
    actor Counter {
        var pushes = 0
        func next() -> Int {
            pushes += 1
            return pushes
        }
    }

    @Test func commitsDuringAPushBecomeOneMorePush() async throws {
        let (commits, trigger) = ConfigPushService.makeStream()
        let counter = Counter()
        let service = ConfigPushService(commits: commits) {
            if await counter.next() == 1 {
                // Five commits land while the first push is on the wire.
                for _ in 0..<5 { trigger.yield() }
                trigger.finish()
            }
        }
        trigger.yield()
        try await service.run()
        #expect(await counter.pushes == 2)
    }
}
