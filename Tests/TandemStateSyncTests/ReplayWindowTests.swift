import Testing
@testable import TandemStateSync

@Suite struct ReplayWindowTests {
    @Test func acceptsEachNumberOnce() {
        var w = ReplayWindow(size: 128)
        for n: UInt64 in [1, 2, 5, 3, 4, 100, 50] {
            #expect(w.allows(n), "\(n)")
            w.accept(n)
            #expect(!w.allows(n), "\(n) again")
        }
        #expect(w.allows(99))
        #expect(!w.allows(0))
    }

    @Test func rejectsOlderThanTheWindow() {
        var w = ReplayWindow(size: 64)
        w.accept(1000)
        #expect(w.allows(937))
        #expect(!w.allows(936))
        w.accept(937)
        w.accept(1001)
        #expect(!w.allows(937))
        #expect(!w.allows(1000))
        #expect(w.allows(999))
    }

    @Test func shiftsAcrossWords() {
        var w = ReplayWindow(size: 256)
        for n in stride(from: UInt64(1), through: 300, by: 3) { w.accept(n) }
        for n in UInt64(45)...300 {
            #expect(w.allows(n) == (n % 3 != 1), "\(n)")
        }
        w.accept(1000)  // jump further than the window: everything older is gone
        #expect(!w.allows(700))
        #expect(w.allows(999))
    }
}
