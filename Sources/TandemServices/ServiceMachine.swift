/// One supervised daemon as a value (STYLE.md §3): `handle(event, at: now)` returns what
/// the driver must do and never reads a clock, starts a process or touches a file. The
/// rules, in the order a daemon's life meets them:
///
/// * a wanted spec is first written beside the live file and checked with the program's
///   own check mode; only a file that passes replaces the live one;
/// * not running → start; running and only the file changed → reload (signal) where the
///   program re-reads in place and the change needs no new process (`ServiceSpec.change`),
///   else stop and start again;
/// * a file that fails its check is refused: the running daemon keeps the old file and
///   the error is shown until a later config passes;
/// * an unexpected exit restarts after a back-off that doubles from 1 s to 60 s and
///   resets once a run lasted `stableAfter`;
/// * stopping sends SIGTERM, and SIGKILL if the process is still there `killAfter` later;
/// * after `shutdown` nothing is started again.
public struct ServiceMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum Phase: Sendable, Hashable {
        case stopped
        /// A candidate file is being checked; nothing runs yet.
        case checking
        case starting
        case running(pid: Int32)
        /// A running daemon's replacement file is being checked.
        case checkingReplacement(pid: Int32)
        /// Waiting until `until` to start again after an exit.
        case backingOff(until: Instant)
        /// SIGTERM sent; `restart` says whether to start again once it is gone.
        case stopping(pid: Int32, restart: Bool, killAt: Instant)
        /// The wanted file was refused and nothing runs.
        case refused
    }

    public let kind: ServiceKind
    public private(set) var phase: Phase = .stopped
    /// The spec the running process (or the next start) uses: its file passed the check.
    public private(set) var active: ServiceSpec?
    /// The spec the config asks for; nil = not wanted.
    public private(set) var wanted: ServiceSpec?
    public private(set) var restarts = 0
    public private(set) var reloads = 0
    public private(set) var refusals = 0
    public private(set) var lastError: String?
    public private(set) var startedAt: Instant?
    public private(set) var isShutDown = false
    private var backoff: Duration?

    public var initialBackoff: Duration = .seconds(1)
    public var maximumBackoff: Duration = .seconds(60)
    public var stableAfter: Duration = .seconds(60)
    public var killAfter: Duration = .seconds(5)

    public init(kind: ServiceKind) { self.kind = kind }

    public var pid: Int32? {
        switch phase {
        case .running(let pid), .checkingReplacement(let pid), .stopping(let pid, _, _): pid
        default: nil
        }
    }

    public mutating func handle(_ event: ServiceEvent, at now: Instant) -> [ServiceAction<Instant>] {
        switch event {
        case .configure(let spec): return configure(spec, now: now)
        case .checked(let spec, let ok, let output):
            // A result for a file the config no longer asks for is stale.
            guard spec == wanted else { return [] }
            return checked(ok: ok, output: output, now: now)
        case .started(let pid):
            guard phase == .starting else {
                // Unwanted by the time it came up (configure(nil) or shutdown meanwhile).
                phase = .running(pid: pid)
                return stop(now: now, restart: false)
            }
            phase = .running(pid: pid)
            startedAt = now
            return [.log("\(kind) started (pid \(pid))")]
        case .startFailed(let why):
            guard phase == .starting else { return [] }
            lastError = "start failed: \(why)"
            return scheduleRestart(now: now)
        case .exited(let pid, let status): return exited(pid: pid, status: status, now: now)
        case .wakeUp: return wakeUp(now: now)
        case .shutdown:
            isShutDown = true
            wanted = nil
            return stop(now: now, restart: false)
        }
    }

    private mutating func configure(_ spec: ServiceSpec?, now: Instant) -> [ServiceAction<Instant>] {
        guard !isShutDown else { return [] }
        let previous = wanted
        wanted = spec
        guard let spec else {
            active = nil
            lastError = nil
            switch phase {
            case .stopped, .refused, .checking, .backingOff:
                phase = .stopped
                return previous == nil ? [] : [.log("\(kind) no longer configured")]
            case .starting, .running, .checkingReplacement, .stopping:
                return stop(now: now, restart: false)
            }
        }
        if spec == active, pid != nil || phase == .starting { return [] }
        if spec == previous, phase == .refused { return [] }
        switch phase {
        case .stopped, .refused:
            phase = .checking
            return [.check(spec)]
        case .backingOff:
            // Check the new file now; the back-off still applies to the start.
            return [.check(spec)]
        case .running(let pid):
            phase = .checkingReplacement(pid: pid)
            return [.check(spec)]
        case .checking, .checkingReplacement, .starting, .stopping:
            // A check or start is under way; its result is compared with `wanted`.
            return [.check(spec)]
        }
    }

    private mutating func checked(ok: Bool, output: String, now: Instant) -> [ServiceAction<Instant>] {
        guard let spec = wanted else { return [] }
        guard ok else {
            refusals += 1
            lastError = "check refused the new file: \(output)"
            let log: ServiceAction<Instant> = .log("\(kind): \(spec.check.first ?? "check") refused the rendered file, keeping the running one: \(output)")
            switch phase {
            case .checking: phase = .refused
            case .checkingReplacement(let pid): phase = .running(pid: pid)
            default: break
            }
            return [log]
        }
        lastError = nil
        switch phase {
        case .checking, .refused:
            active = spec
            phase = .starting
            return [.install(spec), .start(spec)]
        case .backingOff:
            active = spec
            return [.install(spec)]
        case .checkingReplacement(let pid), .running(let pid):
            let old = active
            active = spec
            if spec == old { phase = .running(pid: pid); return [] }
            let change = old?.change(to: spec) ?? .restart(why: "nothing was active")
            if case .reload(let sig) = change {
                phase = .running(pid: pid)
                reloads += 1
                return [.install(spec), .signal(pid: pid, sig), .log("\(kind) reloading (pid \(pid))")]
            }
            let why = if case .restart(let why) = change { why } else { "" }
            phase = .stopping(pid: pid, restart: true, killAt: now.advanced(by: killAfter))
            return [.install(spec), .signal(pid: pid, 15), .wakeUp(at: now.advanced(by: killAfter)),
                    .log("\(kind) restarting for the new file: \(why)")]
        case .stopping(let pid, _, let killAt):
            active = spec
            phase = .stopping(pid: pid, restart: true, killAt: killAt)
            return [.install(spec)]
        case .starting, .stopped:
            active = spec
            return [.install(spec)]
        }
    }

    private mutating func exited(pid: Int32, status: String, now: Instant) -> [ServiceAction<Instant>] {
        switch phase {
        case .stopping(let p, let restart, _) where p == pid:
            startedAt = nil
            if restart, !isShutDown, let spec = active, wanted != nil {
                phase = .starting
                return [.log("\(kind) stopped (\(status))"), .start(spec)]
            }
            phase = .stopped
            return [.log("\(kind) stopped (\(status))")]
        case .running(let p) where p == pid, .checkingReplacement(let p) where p == pid:
            lastError = "exited unexpectedly: \(status)"
            if let startedAt, startedAt.duration(to: now) >= stableAfter { backoff = nil }
            return scheduleRestart(now: now)
        default:
            return []
        }
    }

    private mutating func scheduleRestart(now: Instant) -> [ServiceAction<Instant>] {
        startedAt = nil
        guard !isShutDown, active != nil else { phase = .stopped; return [] }
        let delay = backoff.map { min($0 * 2, maximumBackoff) } ?? initialBackoff
        backoff = delay
        restarts += 1
        let until = now.advanced(by: delay)
        phase = .backingOff(until: until)
        return [.wakeUp(at: until), .log("\(kind) \(lastError ?? "stopped"); restarting in \(delay)")]
    }

    private mutating func wakeUp(now: Instant) -> [ServiceAction<Instant>] {
        switch phase {
        case .backingOff(let until) where now >= until:
            guard let spec = active else { phase = .stopped; return [] }
            phase = .starting
            return [.start(spec)]
        case .stopping(let pid, _, let killAt) where now >= killAt:
            return [.signal(pid: pid, 9), .log("\(kind) (pid \(pid)) ignored SIGTERM; sent SIGKILL")]
        default:
            return []
        }
    }

    private mutating func stop(now: Instant, restart: Bool) -> [ServiceAction<Instant>] {
        switch phase {
        case .running(let pid), .checkingReplacement(let pid):
            let killAt = now.advanced(by: killAfter)
            phase = .stopping(pid: pid, restart: restart, killAt: killAt)
            return [.signal(pid: pid, 15), .wakeUp(at: killAt)]
        case .stopping(let pid, _, let killAt):
            phase = .stopping(pid: pid, restart: restart, killAt: killAt)
            return []
        case .starting:
            // The start's `.started` will find `wanted` empty: stop it then.
            phase = .stopped
            return []
        case .stopped, .checking, .backingOff, .refused:
            phase = .stopped
            return []
        }
    }
}

public enum ServiceEvent: Sendable, Hashable {
    /// The config asks for this spec (nil: for no such service).
    case configure(ServiceSpec?)
    /// The result of a `.check` of `spec`: whether the program accepted it, and its output.
    case checked(ServiceSpec, ok: Bool, output: String)
    case started(pid: Int32)
    case startFailed(String)
    /// The process ended (`status`: "exit 1", "signal 9").
    case exited(pid: Int32, status: String)
    case wakeUp
    /// The daemon is stopping: stop the service and never start it again.
    case shutdown
}

public enum ServiceAction<Instant: InstantProtocol>: Sendable, Hashable {
    /// Write the spec's file beside the live one and run its check on it.
    case check(ServiceSpec)
    /// Move the checked file over the live one.
    case install(ServiceSpec)
    /// Create the spec's directories and start its command.
    case start(ServiceSpec)
    case signal(pid: Int32, Int32)
    case wakeUp(at: Instant)
    case log(String)
}
