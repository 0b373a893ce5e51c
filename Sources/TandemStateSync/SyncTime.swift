/// A point on the sync core's monotonic timeline, in nanoseconds from an arbitrary origin.
///
/// The protocol core never reads a clock (DESIGN "Protocol logic is sans-I/O"): every event
/// carries `now`, and the driver or a test decides what `now` is.
public struct SyncTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static let zero = SyncTime(nanoseconds: 0)

    public static func < (lhs: SyncTime, rhs: SyncTime) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: SyncTime, rhs: Duration) -> SyncTime {
        SyncTime(nanoseconds: lhs.nanoseconds &+ rhs.syncNanoseconds)
    }

    /// Time elapsed from `rhs` to `lhs`; zero when `rhs` is later.
    public static func - (lhs: SyncTime, rhs: SyncTime) -> Duration {
        lhs.nanoseconds >= rhs.nanoseconds ? .nanoseconds(Int64(lhs.nanoseconds - rhs.nanoseconds)) : .zero
    }

    public var description: String {
        let ms = nanoseconds / 1_000_000
        return "\(ms / 1000).\(String(ms % 1000 + 1000).dropFirst())s"
    }
}

extension Duration {
    /// Non-negative whole nanoseconds (negative durations count as zero).
    var syncNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}

/// Where the driver reads `now` from: the monotonic clock in production, a hand-advanced
/// value in tests.
public protocol SyncClock: AnyObject {
    var now: SyncTime { get }
}

/// The system's monotonic clock (CLOCK_MONOTONIC via `ContinuousClock`).
public final class MonotonicSyncClock: SyncClock {
    private let origin = ContinuousClock.now

    public init() {}

    public var now: SyncTime {
        SyncTime(nanoseconds: (ContinuousClock.now - origin).syncNanoseconds)
    }
}
