import Dispatch

/// Drives one `ServiceMachine` per daemon: feeds it the config's specs, process exits and
/// wake-ups, and carries its actions out through a `ServiceHost`. The only door through
/// which Tandem runs a supervised program (STYLE.md §15).
///
/// It reads time only through `now` and keeps no timers: the caller calls `tick()` (the
/// daemon every 250 ms, tests after moving their clock), which delivers the wake-ups that
/// are due. The host's blocking calls (a check runs the program, a start spawns it) run on
/// a queue of their own, not on the cooperative pool whose two threads also run CARP's
/// advertisement timers.
public actor ServiceSupervisor<Instant: InstantProtocol> where Instant.Duration == Duration {
    private var machines: [ServiceKind: ServiceMachine<Instant>] = [:]
    private var wakeUps: [ServiceKind: Instant] = [:]
    private let host: any ServiceHost
    private let now: @Sendable () -> Instant
    private let log: @Sendable (String) -> Void
    private let blocking = DispatchQueue(label: "tandem-services", qos: .utility)

    public init(host: any ServiceHost, now: @escaping @Sendable () -> Instant, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.host = host
        self.now = now
        self.log = log
        for kind in ServiceKind.allCases { machines[kind] = ServiceMachine(kind: kind) }
    }

    /// The services the config asks for; a kind not in `specs` is stopped.
    public func apply(_ specs: [ServiceSpec]) async {
        for kind in ServiceKind.allCases {
            await handle(kind, .configure(specs.first { $0.kind == kind }))
        }
    }

    /// Delivers the wake-ups that are due.
    public func tick() async {
        let t = now()
        for (kind, at) in wakeUps where at <= t {
            wakeUps[kind] = nil
            await handle(kind, .wakeUp)
        }
    }

    /// Stops every service for good. Returns once none runs, or after `limit` (the
    /// machines escalate to SIGKILL after their `killAfter`).
    public func shutdown(limit: Duration = .seconds(8)) async {
        for kind in ServiceKind.allCases { await handle(kind, .shutdown) }
        let deadline = now().advanced(by: limit)
        while machines.values.contains(where: { $0.pid != nil }), now() < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            await tick()
        }
    }

    public func status() -> [ServiceStatus] {
        ServiceKind.allCases.compactMap { kind in
            guard let m = machines[kind], m.wanted != nil || m.pid != nil || m.lastError != nil else { return nil }
            return m.status
        }
    }

    public func machine(_ kind: ServiceKind) -> ServiceMachine<Instant>? { machines[kind] }

    /// A process of ours ended (the host's `onExit`).
    public func exited(_ kind: ServiceKind, pid: Int32, status: String) async {
        await handle(kind, .exited(pid: pid, status: status))
    }

    /// Feeds one event and carries out its actions. The machine is updated before any
    /// action runs, so an event that arrives while an action awaits sees the new state.
    private func handle(_ kind: ServiceKind, _ event: ServiceEvent) async {
        guard var machine = machines[kind] else { return }
        let actions = machine.handle(event, at: now())
        machines[kind] = machine
        for action in actions { await perform(kind, action) }
    }

    private func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in blocking.async { c.resume(returning: body()) } }
    }

    private func perform(_ kind: ServiceKind, _ action: ServiceAction<Instant>) async {
        let host = self.host
        switch action {
        case .check(let spec):
            let result = await offPool { host.check(spec) }
            await handle(kind, .checked(spec, ok: result.ok, output: result.output))
        case .install(let spec):
            let failure: String? = await offPool {
                do { try host.install(spec); return nil } catch { return "\(error)" }
            }
            if let failure { log("\(kind): installing \(spec.configPath): \(failure)") }
        case .start(let spec):
            let started: Result<Int32, ServiceHostError> = await offPool {
                do {
                    return .success(try host.start(spec) { [weak self] pid, status in
                        await self?.exited(kind, pid: pid, status: status)
                    })
                } catch let e as ServiceHostError {
                    return .failure(e)
                } catch {
                    return .failure(ServiceHostError(operation: "start", path: spec.command.first ?? "", detail: "\(error)"))
                }
            }
            switch started {
            case .success(let pid): await handle(kind, .started(pid: pid))
            case .failure(let error): await handle(kind, .startFailed("\(error)"))
            }
        case .signal(let pid, let sig):
            host.signal(pid, sig)
        case .wakeUp(let at):
            wakeUps[kind] = at
        case .log(let line):
            log(line)
        }
    }
}
