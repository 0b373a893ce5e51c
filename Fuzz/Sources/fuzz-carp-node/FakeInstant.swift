/// A fake clock's instant: time since the run began. The harness moves it; nothing reads a
/// real clock, so a crash input replays exactly.
struct FakeInstant: InstantProtocol {
    var sinceStart: Duration

    static let zero = FakeInstant(sinceStart: .zero)

    func advanced(by duration: Duration) -> FakeInstant { FakeInstant(sinceStart: sinceStart + duration) }
    func duration(to other: FakeInstant) -> Duration { other.sinceStart - sinceStart }
    static func < (a: FakeInstant, b: FakeInstant) -> Bool { a.sinceStart < b.sinceStart }
}
