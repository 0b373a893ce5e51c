import Foundation
import TandemServices

/// A hand-advanced monotonic instant.
struct FakeInstant: InstantProtocol, CustomStringConvertible {
    var sinceStart: Duration
    static let zero = FakeInstant(sinceStart: .zero)
    func advanced(by duration: Duration) -> FakeInstant { FakeInstant(sinceStart: sinceStart + duration) }
    func duration(to other: FakeInstant) -> Duration { other.sinceStart - sinceStart }
    static func < (a: FakeInstant, b: FakeInstant) -> Bool { a.sinceStart < b.sinceStart }
    var description: String { "t+\(sinceStart)" }
}

final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value = FakeInstant.zero
    var now: FakeInstant { lock.withLock { value } }
    func advance(_ d: Duration) { lock.withLock { value = value.advanced(by: d) } }
}

/// Records what the supervisor asks for. A file whose text contains `INVALID` fails its
/// check; processes are numbers that "exit" when a test says so, or on SIGTERM/SIGKILL
/// unless told to ignore SIGTERM.
final class FakeServiceHost: ServiceHost, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var log: [String] = []
    /// Live file per config path.
    private(set) var installed: [String: String] = [:]
    private var candidates: [String: String] = [:]
    private var nextPid: Int32 = 100
    private var exits: [Int32: @Sendable (Int32, String) async -> Void] = [:]
    private(set) var running: Set<Int32> = []
    var ignoreSIGTERM = false
    var failStart = false

    func check(_ spec: ServiceSpec) -> (ok: Bool, output: String) {
        lock.withLock {
            log.append("check \(spec.kind)")
            candidates[spec.configPath] = spec.contents
            return spec.contents.contains("INVALID") ? (false, "line 2: INVALID is not a directive") : (true, "")
        }
    }

    func install(_ spec: ServiceSpec) throws {
        lock.withLock {
            log.append("install \(spec.kind)")
            installed[spec.configPath] = candidates[spec.configPath]
        }
    }

    func start(_ spec: ServiceSpec, onExit: @escaping @Sendable (Int32, String) async -> Void) throws -> Int32 {
        try lock.withLock {
            if failStart { log.append("start \(spec.kind) failed"); throw ServiceHostError(operation: "start", path: spec.command[0], detail: "ENOENT") }
            nextPid += 1
            exits[nextPid] = onExit
            running.insert(nextPid)
            log.append("start \(spec.kind) \(nextPid)")
            return nextPid
        }
    }

    func signal(_ pid: Int32, _ signal: Int32) {
        let ends: Bool = lock.withLock {
            log.append("signal \(pid) \(signal)")
            return signal == 9 || (signal == 15 && !ignoreSIGTERM)
        }
        if ends { pendingExits.append((pid, "signal \(signal)")) }
    }

    /// Exits caused by signals, delivered when the test calls `deliverExits()` (as the
    /// real host delivers them from another thread, after the signal call returned).
    private var pendingExits: [(Int32, String)] = []

    func deliverExits() async {
        let due = lock.withLock { let d = pendingExits; pendingExits = []; return d }
        for (pid, status) in due { await exit(pid, status) }
    }

    /// The process ends on its own (a crash).
    func exit(_ pid: Int32, _ status: String) async {
        let handler: (@Sendable (Int32, String) async -> Void)? = lock.withLock {
            guard running.remove(pid) != nil else { return nil }
            return exits.removeValue(forKey: pid)
        }
        await handler?(pid, status)
    }

    func take() -> [String] { lock.withLock { let l = log; log = []; return l } }
}

/// A spec for the supervisor tests: the text is what changes between configs.
func spec(_ kind: ServiceKind, _ text: String, reload: ReloadMethod = .signal(1)) -> ServiceSpec {
    ServiceSpec(kind: kind, configPath: "/srv/t/\(kind).conf", contents: text, command: ["/usr/sbin/\(kind)", "-c", "/srv/t/\(kind).conf"],
                check: ["/usr/sbin/\(kind)", "-t", "/srv/t/\(kind).conf"], reload: reload)
}
