/// A fake clock's instant: time since the test began. Nothing here reads a real clock.
struct FakeInstant: InstantProtocol, CustomStringConvertible {
    var sinceStart: Duration

    static let zero = FakeInstant(sinceStart: .zero)

    static func seconds(_ s: Double) -> FakeInstant { FakeInstant(sinceStart: .milliseconds(Int64(s * 1000))) }
    /// `n`/256 s past zero, CARP's skew unit.
    static func steps(_ n: Int) -> FakeInstant { FakeInstant(sinceStart: .nanoseconds(Int64(n) * 3_906_250)) }

    func advanced(by duration: Duration) -> FakeInstant { FakeInstant(sinceStart: sinceStart + duration) }
    func duration(to other: FakeInstant) -> Duration { other.sinceStart - sinceStart }
    static func < (a: FakeInstant, b: FakeInstant) -> Bool { a.sinceStart < b.sinceStart }

    var description: String { "t+\(sinceStart)" }
}
