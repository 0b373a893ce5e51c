/// The effects the supervisor needs, behind one protocol (STYLE.md §2): the real one
/// (`PosixServiceHost`) runs programs, a fake in the tests records what was asked.
public protocol ServiceHost: Sendable {
    /// Writes `spec`'s file beside the live one (`<file>.new`) and runs the program's check
    /// mode on it: whether it passed, and what the program printed.
    func check(_ spec: ServiceSpec) -> (ok: Bool, output: String)
    /// Moves the checked file over the live one.
    func install(_ spec: ServiceSpec) throws
    /// Creates the spec's directories and starts its command; `onExit` is called once when
    /// the process has ended, with its pid and "exit N" or "signal N".
    func start(_ spec: ServiceSpec, onExit: @escaping @Sendable (Int32, String) async -> Void) throws -> Int32
    func signal(_ pid: Int32, _ signal: Int32)
}

/// What `tandem status` shows of one service.
public struct ServiceStatus: Sendable, Codable, Equatable {
    public var name: String
    /// `running`, `starting`, `stopped`, `stopping`, `checking`, `backing off`, `refused`.
    public var state: String
    public var pid: Int32?
    public var restarts: Int
    public var reloads: Int
    /// Rendered files the program's check mode refused (the old one kept running).
    public var refusals: Int
    public var lastError: String?
    public var configPath: String?

    public init(name: String, state: String, pid: Int32? = nil, restarts: Int = 0, reloads: Int = 0,
                refusals: Int = 0, lastError: String? = nil, configPath: String? = nil) {
        self.name = name
        self.state = state
        self.pid = pid
        self.restarts = restarts
        self.reloads = reloads
        self.refusals = refusals
        self.lastError = lastError
        self.configPath = configPath
    }
}

extension ServiceMachine {
    public var status: ServiceStatus {
        let state: String
        switch phase {
        case .stopped: state = "stopped"
        case .checking: state = "checking"
        case .starting: state = "starting"
        case .running, .checkingReplacement: state = "running"
        case .backingOff: state = "backing off"
        case .stopping: state = "stopping"
        case .refused: state = "refused"
        }
        return ServiceStatus(name: kind.rawValue, state: state, pid: pid, restarts: restarts, reloads: reloads,
                             refusals: refusals, lastError: lastError, configPath: (active ?? wanted)?.configPath)
    }
}
