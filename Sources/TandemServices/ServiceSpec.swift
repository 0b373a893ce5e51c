/// A directory a daemon needs before it starts, and who must own it.
public struct ServiceDirectory: Sendable, Hashable {
    public var path: String
    /// A system user and group (`_chrony`); nil = leave as created (root).
    public var owner: String?
    public var mode: Int

    public init(_ path: String, owner: String? = nil, mode: Int = 0o755) {
        self.path = path
        self.owner = owner
        self.mode = mode
    }
}

/// A file copied into place before the first check when it is not there yet: state the
/// daemon then keeps up to date itself (Unbound's RFC 5011 trust anchor).
public struct ServiceSeed: Sendable, Hashable {
    public var source: String
    public var destination: String

    public init(source: String, destination: String) {
        self.source = source
        self.destination = destination
    }
}

/// How a daemon takes a changed file.
public enum ReloadMethod: Sendable, Hashable {
    /// Send the signal: the daemon re-reads its `-c` file in place (Kea's and Unbound's
    /// SIGHUP; kea-dhcp4(8), unbound(8)).
    case signal(Int32)
    /// Stop and start again: chronyd has no reload of its configuration file (chronyd(8)).
    case restart
}

/// One daemon as the config asks for it: the rendered file, how to run it, how to check a
/// file with the program's own parser (settings read but not applied are the validator's
/// warnings, so `tandem check` shows them with their position). A value:
/// the supervisor compares the new spec with the running one to decide on a reload.
public struct ServiceSpec: Sendable, Hashable {
    public var kind: ServiceKind
    public var configPath: String
    public var contents: String
    /// The program and its arguments, foreground (no daemon mode).
    public var command: [String]
    public var environment: [String: String]
    /// The program's check mode on `configPath`: exit 0 = usable.
    public var check: [String]
    public var reload: ReloadMethod
    public var directories: [ServiceDirectory]
    public var seeds: [ServiceSeed]

    public init(kind: ServiceKind, configPath: String, contents: String, command: [String],
                environment: [String: String] = [:], check: [String], reload: ReloadMethod,
                directories: [ServiceDirectory] = [], seeds: [ServiceSeed] = []) {
        self.kind = kind
        self.configPath = configPath
        self.contents = contents
        self.command = command
        self.environment = environment
        self.check = check
        self.reload = reload
        self.directories = directories
        self.seeds = seeds
    }

    /// Same program, same way of running it: only the file differs, so a reload is enough.
    public func runsLike(_ other: ServiceSpec) -> Bool {
        kind == other.kind && command == other.command && environment == other.environment
            && configPath == other.configPath
    }
}

/// How a running daemon takes a new spec.
public enum ServiceChange: Sendable, Hashable {
    case reload(signal: Int32)
    /// Stop and start again; `why` goes to the log.
    case restart(why: String)
}

extension ServiceSpec {
    /// What a daemon running `self` needs to take `new`: a pure decision on the two specs.
    /// A different program or way of running it, or a daemon without a reload, restarts;
    /// Unbound restarts when the new file changes what it binds (`UnboundRebind`).
    public func change(to new: ServiceSpec) -> ServiceChange {
        guard runsLike(new) else { return .restart(why: "its command changed") }
        guard case .signal(let sig) = new.reload else { return .restart(why: "it has no reload") }
        if kind == .dns, case .restart(let setting) = UnboundRebind.decision(old: contents, new: new.contents) {
            return .restart(why: "\(setting) changed, which a reload does not rebind")
        }
        return .reload(signal: sig)
    }
}
