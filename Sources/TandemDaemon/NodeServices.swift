import Foundation
import Logging
import TandemAddress
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
    /// Installs the short-lived unreachable route to a silent Kea partner (`KeaTakeover.steps`).
    private let routeControl: (any RouteControl)?
    private let nodePaths: NodePaths
    private let queue = DispatchQueue(label: "tandem-node-services", qos: .utility)

    public init(paths: NodePaths, host: (any ServiceHost)? = nil, routes: (any RouteControl)? = nil, logger: Logger) {
        self.routes = routes.map { NodeRoutes(control: $0, logger: logger) }
        routeControl = routes
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
        let haPlan = KeaRenderer.haPlan(config)
        // A block left by a daemon killed in the middle of a takeover (milliseconds long)
        // would cut Kea off its partner for good.
        if let haPlan { try? routeControl?.deleteRoute(Self.partnerBlock(haPlan)) }
        state.set(plan: haPlan, socket: planner.paths.keaControlSocket)
        await supervisor.apply(specs)
    }

    func status() async -> [ServiceStatus] { await supervisor.status() }

    func shutdown() async { await supervisor.shutdown() }

    /// One round of the Kea takeover rule (`KeaTakeover`), given whether CARP holds the
    /// DHCP interface's VIP here. Errors are logged once per distinct message. The socket
    /// calls block (up to a probe of the partner and Kea's answer), so they run on a queue
    /// of their own, off the cooperative pool that runs CARP's timers.
    func followCarp(masterOf: (String) -> Bool?) async {
        guard let (plan, socket) = state.get(), let master = masterOf(plan.interface) else { return }
        guard await supervisor.machine(.dhcp4)?.pid != nil else { return }
        let outcome: Result<String?, Error> = await withCheckedContinuation { c in
            queue.async { [self] in
                c.resume(returning: Result { try takeover(plan: plan, socket: socket, master: master) })
            }
        }
        switch outcome {
        case .success(let done?):
            logger.notice("Kea HA: \(done)")
            state.setError(nil)
        case .success(nil):
            state.setError(nil)
        case .failure(let error):
            if state.setError("\(error)") { logger.warning("Kea HA: \(error)") }
        }
    }

    /// Longest wait for the partner's HA listener to answer a TCP connect: on a LAN a live
    /// host's kernel answers a SYN in well under a millisecond, busy or not.
    static let partnerProbeMilliseconds: Int32 = 200

    static func partnerBlock(_ plan: KeaHAPlan) -> KernelRoute {
        .unreachable(IPNetwork(address: .v4(plan.partnerAddress), prefixLength: 32)!, protocolNumber: NodeRoutes.protocolNumber)
    }

    /// Carries `KeaTakeover`'s decision out (blocking). Returns what was done, or nil.
    private func takeover(plan: KeaHAPlan, socket: String, master: Bool) throws -> String? {
        let kea = KeaControl(socketPath: socket)
        let haState = try kea.haState()
        guard let command = KeaTakeover.command(carpMaster: master, role: plan.role, state: haState) else { return nil }
        let started = UnixSocket.monotonicMilliseconds()
        // Without route control (tests) the silent-partner path cannot be taken.
        let probe: KeaTakeover.PartnerProbe = command == .maintenanceStart && routeControl != nil
            ? TCPProbe.probe(plan.partnerAddress, port: plan.partnerPort, milliseconds: Self.partnerProbeMilliseconds)
            : .connected
        let block = Self.partnerBlock(plan)
        var blocked = false
        defer {
            // Never leave the block behind, whatever failed in between.
            if blocked { try? routeControl?.deleteRoute(block) }
        }
        let steps = KeaTakeover.steps(for: command, state: haState, partner: probe)
        guard !steps.isEmpty else { return nil }
        for step in steps {
            switch step {
            case .blockPartner:
                try routeControl?.addRoute(block)
                blocked = true
            case .send(let c):
                // Kea answers at once when the partner replies or is refused by the kernel;
                // 15 s covers its own 10 s wait for a partner that cannot be refused.
                _ = try KeaControl(socketPath: socket, timeoutMilliseconds: 15_000).send(c.rawValue)
            case .unblockPartner:
                try routeControl?.deleteRoute(block)
                blocked = false
            }
        }
        let took = UnixSocket.monotonicMilliseconds() - started
        return "\(command.rawValue) (CARP \(master ? "MASTER" : "BACKUP") on \(plan.interface), HA state was \(haState)"
            + (probe == .silent ? ", partner \(plan.partnerAddress) silent for \(Self.partnerProbeMilliseconds) ms: refused by an unreachable route meanwhile" : "")
            + ", \(took) ms)"
    }

    /// Puts back routes a link took away (netlink calls, off the cooperative pool).
    func reconcileRoutes() async {
        guard let routes else { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            queue.async { routes.reconcile(); c.resume() }
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
                await services.reconcileRoutes()
            }
        }
        await services.shutdown()
        logger.notice("services stopped")
    }
}

private extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
