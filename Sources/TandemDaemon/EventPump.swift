import Foundation

/// A thread that repeatedly runs a blocking, time-bounded read (`poll` with a short
/// timeout) and hands what it got to an AsyncStream, until stopped. Blocking reads stay
/// off Swift's cooperative pool, so they never delay the CARP timers.
final class EventPump<Element: Sendable>: @unchecked Sendable {
    let events: AsyncStream<Element>
    private let continuation: AsyncStream<Element>.Continuation
    private let lock = NSLock()
    private var stopRequested = false
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    init() {
        (events, continuation) = AsyncStream<Element>.makeStream(bufferingPolicy: .bufferingNewest(4096))
    }

    /// Starts `read` on a new thread; it must return within a few hundred milliseconds.
    func start(name: String, read: @escaping @Sendable () throws -> [Element], onError: @escaping @Sendable (Error) -> Void) {
        started = true
        let t = Thread { [self] in
            defer { finished.signal(); continuation.finish() }
            while !isStopping {
                do {
                    for e in try read() { continuation.yield(e) }
                } catch {
                    onError(error)
                    // A persistent error must not spin: back off briefly.
                    Thread.sleep(forTimeInterval: 0.2)
                }
            }
        }
        t.name = name
        t.start()
    }

    private var isStopping: Bool { lock.withLock { stopRequested } }

    func stop() {
        lock.withLock { stopRequested = true }
        if started { finished.wait() }
    }
}
