import Foundation

/// A pure computation run on a thread of its own while the caller does other work; `value`
/// waits for it. `tandem apply` uses it to keep both cores busy: validating while compiling,
/// recompiling the last applied config while checking the new one.
final class Background<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the worker before `done` is signalled, read only after waiting.
    private var result: Value?

    init(_ work: @escaping @Sendable () -> Value) {
        Thread.detachNewThread { [self] in
            result = work()
            done.signal()
        }
    }

    /// Blocks until the work finished (once; later calls return at once).
    lazy var value: Value = {
        done.wait()
        return result!
    }()
}
