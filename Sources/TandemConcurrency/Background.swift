import Foundation

/// A pure computation run on a thread of its own while the caller does other work; `value`
/// waits for it. `tandem apply` uses it to keep both cores busy: validating while compiling,
/// recompiling the last applied config while checking the new one, serializing the revision
/// while the kernel takes the batch.
public final class Background<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var work: (@Sendable () -> Value)?
    // Written once by the worker before `done` is first signalled, read only after waiting.
    private var result: Value?

    /// Starts `work` at once.
    public convenience init(_ work: @escaping @Sendable () -> Value) {
        self.init(work, startingNow: true)
    }

    /// Work that starts at the first `start()` (or `value`): for work that should wait
    /// until a core is free. (A factory, not an init: `Background { … }` must never resolve
    /// to a deferred start.)
    public static func deferred(_ work: @escaping @Sendable () -> Value) -> Background {
        Background(work, startingNow: false)
    }

    private init(_ work: @escaping @Sendable () -> Value, startingNow: Bool) {
        self.work = work
        if startingNow { start() }
    }

    /// Starts the work unless it has started already.
    public func start() {
        guard let work = lock.withLock({ () -> (@Sendable () -> Value)? in defer { self.work = nil }; return self.work }) else {
            return
        }
        Thread.detachNewThread { [self] in
            result = work()
            done.signal()
        }
    }

    /// Blocks until the work finished. Any number of threads may ask: each waiter passes
    /// the signal on to the next one.
    public var value: Value {
        start()
        done.wait()
        done.signal()
        return result!
    }
}
