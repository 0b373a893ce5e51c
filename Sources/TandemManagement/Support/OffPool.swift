import Dispatch

/// Runs blocking work (parsing a config, fsync, a ruleset commit) on a thread of its own and
/// awaits it. Swift's cooperative pool has one thread per core (two here); a task that blocks
/// one of them for tens of milliseconds delays every other task queued there, CARP's
/// advertisement timers among them.
public struct OffPool: Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label, qos: .utility)
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
