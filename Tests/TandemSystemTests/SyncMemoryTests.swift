import Testing
import TandemSystem

@Suite struct SyncMemoryTests {
    /// The binding reaches glibc's mallopt, which answers 1 for a threshold it takes.
    @Test func mmapThresholdIsAccepted() {
        #expect(SyncMemory.keepLargeBlocksMapped())
        #expect(SyncMemory.keepLargeBlocksMapped(from: 1 << 20))
        #expect(SyncMemory.keepLargeBlocksMapped())
    }
}
