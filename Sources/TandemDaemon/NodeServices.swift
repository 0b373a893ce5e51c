import Foundation
import Logging
import ServiceLifecycle
import TandemConfig
import TandemNetlink
import TandemServices

/// The node's supervised daemons (Kea, Unbound, chrony) and routes: renders them from each
/// loaded config, runs the daemons through the `ServiceSupervisor`, keeps the routes in the
/// kernel, and moves Kea's HA service with CARP.
public final class NodeServices: Sendable {
    public typealias Supervisor = ServiceSupervisor<ContinuousClock.Instant>
    let supervisor: Supervisor
    let planner: ServicePlanner
    private let state = HAStateBox()
    private let logger: Logger
    let routes: NodeRoutes?
    private let nodePaths: NodePaths

    public init(paths: NodePaths, host: (any ServiceHost)? = nil, routes: (any RouteControl)? = nil, logger: Logger) {
        self.routes = routes.map { NodeRoutes(control: $0, logger: logger) }
        nodePaths = paths
        let servicePaths = ServicePaths(paths)
        // Debian's multiarch hook directory for this machine's architecture.
        let hooks = ["/usr/lib/x86_64-linux-gnu/kea/hooks", "/usr/lib/aarch64-linux-gnu/kea/hooks", "/usr/lib/kea/hooks"]
            .first { FileManager.default.fileExists(atPath: $0) } ?? ServicePlanner.debianKeaHooks
        planner = ServicePlanner(paths: servicePaths, keaHooksDirectory: hooks)
        let log = logger
        supervisor = Supervisor(host: host ?? PosixServiceHost(paths: servicePaths), now: { ContinuousClock.now },
                                log: { log.notice("\($0)") })
        self.logger = logger
    }

    /// Renders `config`'s services and hands them to the supervisor; installs its routes.
    func apply(_ config: Config) async {
        HostName.apply(config.system, paths: nodePaths, logger: logger)
        routes?.set(RoutePlanner.plan(config))
        let specs = planner.plan(config)
        state.set(plan: KeaRenderer.haPlan(config), socket: planner.paths.keaControlSocket)
        await supervisor.apply(specs)
    }

    func status() async -> [ServiceStatus] { await supervisor.status() }

    func shutdown() async { await supervisor.shutdown() }

    /// One round of the Kea takeover rule (`KeaTakeover`), given whether CARP holds the
    /// DHCP interface's VIP here. Errors are logged once per distinct message.
    func followCarp(masterOf: (String) -> Bool?) async {
        guard let (plan, socket) = state.get(), let master = masterOf(plan.interface) else { return }
        guard await supervisor.machine(.dhcp4)?.pid != nil else { return }
        let control = KeaControl(socketPath: socket)
        do {
            let haState = try control.haState()
            guard let command = KeaTakeover.command(carpMaster: master, role: plan.role, state: haState) else { return }
            _ = try control.send(command.rawValue)
            logger.notice("Kea HA: \(command.rawValue) (CARP \(master ? "MASTER" : "BACKUP") on \(plan.interface), HA state was \(haState))")
            state.setError(nil)
        } catch {
            if state.setError("\(error)") { logger.warning("Kea HA: \(error)") }
        }
    }
}

private final class HAStateBox: @unchecked Sendable {
    private let lock = NSLock()
    private var plan: KeaHAPlan?
    private var socket = ""
    private var lastError: String?

    func set(plan: KeaHAPlan?, socket: String) { lock.withLock { self.plan = plan; self.socket = socket } }
    func get() -> (KeaHAPlan, String)? { lock.withLock { plan.map { ($0, socket) } } }
    /// Returns whether the error is new.
    @discardableResult
    func setError(_ e: String?) -> Bool { lock.withLock { defer { lastError = e }; return e != nil && e != lastError } }
}

/// Ticks the supervisor (restart back-offs, SIGKILL escalation) and applies the Kea
/// takeover rule; on shutdown stops every daemon. Listed first in the ServiceGroup so it
/// stops last, after CARP has bowed out.
struct NodeServicesService: Service {
    let services: NodeServices
    let daemon: NodeDaemon
    let logger: Logger

    func run() async throws {
        var round = 0
        var lastStates: [String: Bool]?
        while !Task.isCancelledOrShuttingDown {
            try? await Task.sleep(for: .milliseconds(250))
            await services.supervisor.tick()
            round += 1
            let states = await daemon.carpStates()
            // At once on a CARP change, else every 2 s.
            if states != lastStates || round % 8 == 0 {
                lastStates = states
                await services.followCarp(masterOf: { states[$0] })
                services.routes?.reconcile()
            }
        }
        await services.shutdown()
        logger.notice("services stopped")
    }
}

private extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
