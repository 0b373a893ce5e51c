import Foundation

/// Hosts a `SyncDriver` on a thread of its own: `run()` blocks in poll(2) on the sync socket
/// and a wake-up eventfd until the next protocol deadline, so the daemon can hand over this
/// node's flow changes from any thread (`submit`) and read a status snapshot at any time.
/// The driver's callbacks run on the loop thread.
///
/// The driver itself stays single-threaded: only `run()` touches it once it has started.
public final class SyncLoop: @unchecked Sendable {
    private let driver: SyncDriver
    private let wakeFD: Int32
    private let lock = NSLock()
    // Guarded by `lock`:
    private var inbox: [FlowChange] = []
    private var bulkRequested = false
    private var stopping = false
    private var snapshot: SyncStatus
    private var lastError: SyncSocketError?

    /// Set `driver.onRemoteChanges` and `driver.onNotice` before calling `run()`.
    public init(driver: SyncDriver) throws(SyncSocketError) {
        self.driver = driver
        wakeFD = try Syscall.eventFD()
        snapshot = driver.status
    }

    deinit { Syscall.close(wakeFD) }

    /// This node's flow changes, from any thread; sent in the loop's next turn.
    public func submit(_ changes: [FlowChange]) {
        guard !changes.isEmpty else { return }
        lock.withLock { inbox.append(contentsOf: changes) }
        wake()
    }

    /// Ask the peer for all its flows again, from any thread.
    public func requestBulk() {
        lock.withLock { bulkRequested = true }
        wake()
    }

    /// Makes `run()` return after its current turn.
    public func stop() {
        lock.withLock { stopping = true }
        wake()
    }

    /// The protocol's status as of the end of the loop's last turn.
    public var status: SyncStatus { lock.withLock { snapshot } }
    public var lastSocketError: SyncSocketError? { lock.withLock { lastError } }

    /// Runs the protocol until `stop()`. Call once, on a dedicated thread.
    public func run(maxWait: Duration = .seconds(1)) {
        driver.start()
        while true {
            let (changes, bulk, stop) = lock.withLock { () -> ([FlowChange], Bool, Bool) in
                defer { inbox.removeAll(); bulkRequested = false }
                return (inbox, bulkRequested, stopping)
            }
            if stop { break }
            if !changes.isEmpty { driver.local(changes) }
            if bulk { driver.requestBulk() }
            var wait = maxWait
            if let deadline = driver.nextDeadline {
                let untilDeadline = deadline - driver.clock.now
                if untilDeadline < wait { wait = untilDeadline }
            }
            let ms = Int32(clamping: (wait.syncNanoseconds + 999_999) / 1_000_000)
            var failure: SyncSocketError?
            do {
                try Syscall.waitReadable([driver.fileDescriptor, wakeFD], timeoutMilliseconds: ms)
                try Syscall.drain(wakeFD)
            } catch {
                failure = error
            }
            driver.readable()
            driver.tick()
            let status = driver.status
            lock.withLock {
                snapshot = status
                if let failure { lastError = failure }
            }
        }
    }

    private func wake() {
        // A failed wake-up only delays the change to the next deadline (at most `maxWait`).
        try? Syscall.signal(wakeFD)
    }
}
