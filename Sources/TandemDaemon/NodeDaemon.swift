import Foundation
import Logging
import TandemAddress
import TandemCARP
import TandemConfig
import TandemManagement
import TandemNetlink
import TandemServices
import TandemStateSync
import TandemSystem

/// The node: the running config, its plan, the CARP groups, and the answers to control
/// requests. The services in `DaemonServices.swift` only feed it events.
public actor NodeDaemon {
    public struct Dependencies: Sendable {
        public var config: any ConfigSource
        public var link: any LinkControl
        public var makePacketIO: CarpPacketIOFactory
        public var ruleset: (any RulesetApplier)?

        public init(config: any ConfigSource, link: any LinkControl, makePacketIO: @escaping CarpPacketIOFactory,
                    ruleset: (any RulesetApplier)? = nil) {
            self.config = config
            self.link = link
            self.makePacketIO = makePacketIO
            self.ruleset = ruleset
        }
    }

    public let paths: NodePaths
    private let deps: Dependencies
    let logger: Logger
    private var config: Config?
    private var plan: NodePlan?
    private var configLoadedAt: Date?
    private var configError: String?
    private var syncStatus: StateSyncSection?
    /// The management endpoint's status, when it runs (set by `ManagementService`).
    private var managementStatus: (@Sendable () async -> ManagementStatus)?
    public private(set) var carp: CarpService?
    /// Loading, validating and committing configs runs here, off the cooperative pool that
    /// CARP's timers share (`OffPool`).
    let work = OffPool(label: "tandem-daemon-work")
    private let reloadGate = AsyncGate()
    /// What the running CARP packet I/O was opened for (`NodePlan.carpSocketShape`).
    private var openSockets: [String: String] = [:]
    /// The packet I/O of the running CARP groups, for the receive pump.
    nonisolated let packetIO = PacketIOBox()
    /// Whether CARP holds any vhid as MASTER, as of the last event it handled.
    public nonisolated let mastership = Mastership()
    /// Told after each reload, so `ConfigPushService` pushes the new revision to the peer.
    private var pushTrigger: AsyncStream<Void>.Continuation?
    /// Applies and pushes counted for the dashboard and /metrics.
    var activity = NodeActivity()
    /// The dashboard's revision rows, with the load time they were read for.
    var revisionCache: (key: Date?, rows: [DashboardSnapshot.Revision])?
    var configLoadedAtForDashboard: Date? { configLoadedAt }

    func setPushTrigger(_ trigger: AsyncStream<Void>.Continuation) { pushTrigger = trigger }
    /// A pending `tandem apply --confirm` and the last expiry (`NodePaths.commitConfirm`).
    var commitConfirm = CommitConfirm()

    /// `tandem sync now` from the dashboard: the push service pushes the current revision,
    /// as after a commit. False when no push service runs.
    func requestPush() -> Bool {
        guard let pushTrigger else { return false }
        pushTrigger.yield()
        return true
    }
    /// The supervised daemons (Kea, Unbound, chrony); nil when the daemon runs without them.
    public nonisolated let services: NodeServices?

    public init(paths: NodePaths, dependencies: Dependencies, logger: Logger, services: NodeServices? = nil) {
        self.paths = paths
        self.deps = dependencies
        self.logger = logger
        self.services = services
    }

    /// Loads and applies the config and starts CARP. Throws when the first config cannot
    /// be loaded: there is nothing sensible to run. `resuming`: the vhids a handed-over
    /// predecessor was master of (`Handover`).
    public func start(resuming: [CarpGroupID: UInt64] = [:]) async throws {
        do {
            commitConfirm = try CommitConfirm.load(paths)
            pinRestorePoint()
            if let p = commitConfirm.pending {
                logger.notice("commit-confirm pending from before the restart: revision \(p.restore) is restored at \(NodeStatus.clock(p.deadline)) UTC unless confirmed")
            }
        } catch {
            logger.error("commit-confirm: \(error)")
        }
        let config = try deps.config.load()
        let plan = try NodePlan(config: config)
        await apply(config: config, plan: plan)
        // A handover resumes CARP before the services start (~1 s for Kea, Unbound and
        // chronyd): the peer's master-down interval is running since the last advertisement.
        if resuming.isEmpty { await services?.apply(config) }
        let io = try deps.makePacketIO(plan)
        let carp = try CarpService(plan: plan, link: deps.link, io: io, logger: logger, mastership: mastership,
                                   resuming: resuming)
        if !resuming.isEmpty {
            logger.notice("handover: resuming \(resuming.keys.sorted().map(\.description).joined(separator: " ")) as master")
        }
        self.carp = carp
        openSockets = plan.carpSocketShape
        packetIO.set(io)
        await carp.start()
        if !resuming.isEmpty { await services?.apply(config) }
    }

    /// SIGHUP or a `reload` request: re-read the config, apply it, and restart CARP only if
    /// its groups changed. A config that fails to load leaves the running one in place.
    @discardableResult
    public func reload() async -> Result<String, Error> {
        // One reload at a time: the work below suspends, and a second reload must not apply
        // an older file after a newer one.
        await reloadGate.enter()
        let result = await reloadOnce()
        await reloadGate.leave()
        return result
    }

    private func reloadOnce() async -> Result<String, Error> {
        let config: Config
        let plan: NodePlan
        let source = deps.config
        do {
            (config, plan) = try await work.run {
                let config = try source.load()
                return (config, try NodePlan(config: config))
            }
        } catch {
            configError = "\(error)"
            logger.error("reload failed, keeping the running config: \(error)")
            return .failure(error)
        }
        let previous = self.plan
        await apply(config: config, plan: plan)
        await services?.apply(config)
        pushTrigger?.yield()
        // Preemption and sub-second timing are fixed per machine (FreeBSD: sysctls; OPNsense
        // asks for a reboot after changing `disablepreempt`): a change restarts CARP.
        let modeChanged = previous?.carpPreempt != plan.carpPreempt || previous?.carpSubsecond != plan.carpSubsecond
        if previous?.carpGroups != plan.carpGroups, !modeChanged, let carp, let previous,
           plan.carpSocketShape.allSatisfy({ openSockets[$0.key] == $0.value }) {
            do {
                let summary = try await carp.reconfigure(plan)
                logger.notice("\(summary)")
            } catch {
                configError = "\(error)"
                return .failure(error)
            }
            if previous.maintenance != plan.maintenance { await carp.process(.setMaintenance(plan.maintenance)) }
        } else if previous?.carpGroups != plan.carpGroups || modeChanged {
            logger.notice("CARP groups changed: restarting CARP")
            await carp?.process(.shutdown)
            do {
                packetIO.set(nil)
                let io = try deps.makePacketIO(plan)
                let fresh = try CarpService(plan: plan, link: deps.link, io: io, logger: logger, mastership: mastership)
                carp = fresh
                openSockets = plan.carpSocketShape
                packetIO.set(io)
                await fresh.start()
            } catch {
                configError = "\(error)"
                return .failure(error)
            }
        } else if previous?.maintenance != plan.maintenance {
            await carp?.process(.setMaintenance(plan.maintenance))
        }
        return .success("reloaded")
    }

    /// SIGTERM: bow out of every vhid (advertise the worst priority so the peer takes over
    /// at once, DESIGN.md "The daemon") and remove the VIPs. When a handover was requested
    /// (`Handover`: a package upgrade restarts the daemon) CARP instead goes on advertising
    /// while the other services stop, until `completeHandover()` just before the exit.
    public func shutdown() async {
        if HandoverFiles(paths: paths).takeRequest(), carp != nil {
            handingOver = true
            logger.notice("handover requested: CARP keeps advertising until the exit, without bowing out")
            return
        }
        await carp?.process(.shutdown)
    }

    private var handingOver = false

    /// The last step of a handover: one more advertisement from each master, CARP stopped
    /// with its VIPs in place, and the masters written down for the successor. It runs as
    /// late as possible, because the peer's master-down interval starts at that
    /// advertisement and must outlast the successor's start.
    func completeHandover() async {
        guard handingOver, let carp else { return }
        let masters = await carp.handOver()
        let files = HandoverFiles(paths: paths)
        do {
            try files.write(masters)
            logger.notice("handover: stopped without bowing out; master of \(masters.isEmpty ? "no vhid" : masters.keys.sorted().map(\.description).joined(separator: " "))")
        } catch {
            logger.error("handover: could not write \(files.paths.handover): \(error); the VIPs stay, the next daemon starts as backup")
        }
    }

    /// The watchdog's probe: returns once this actor and CARP's have each run a job, so a
    /// wedged event loop stops the WATCHDOG=1 pings and systemd restarts the daemon.
    func heartbeat() async {
        _ = await carp?.interfaces
    }

    public func dispatch(_ event: CarpNodeEvent) async {
        await carp?.process(event)
    }

    public func linkEvent(_ event: LinkEvent) async {
        await carp?.linkEvent(event)
    }

    public func handle(_ request: ControlRequest) async -> ControlResponse {
        switch request.command {
        case .status:
            return ControlResponse(ok: true, status: await status())
        case .reload:
            switch await reload() {
            case .success(let message): return ControlResponse(ok: true, message: message)
            case .failure(let error): return .failure("reload failed: \(error)")
            }
        case .confirm:
            return await commitConfirmStep(.confirm) ?? .failure("no answer")
        case .armConfirm:
            return await commitConfirmStep(.arm(restore: request.revision ?? 0, applied: request.applied ?? 0,
                                                seconds: request.seconds ?? 0, user: request.user)) ?? .failure("no answer")
        case .carpMaintenance:
            let on = request.on ?? false
            do {
                // Persist first: the mode must survive a restart (carp.md §13 item 12).
                try deps.config.setCarpMaintenance(on)
            } catch {
                return .failure("could not record maintenance mode in the config: \(error)")
            }
            plan?.maintenance = on
            config?.carpMaintenanceMode = on
            await carp?.process(.setMaintenance(on))
            logger.notice("CARP maintenance mode \(on ? "on" : "off")")
            return ControlResponse(ok: true, message: "CARP maintenance mode \(on ? "on: every VIP advertises advskew 254" : "off")")
        }
    }

    public func status() async -> NodeStatus {
        let carpStatus = await carp?.status()
        let summary = NodeSummary(hostname: plan?.hostname, root: paths.root.isEmpty ? "/" : paths.root,
                                  pid: getpid(), configLoadedAt: configLoadedAt?.timeIntervalSince1970,
                                  configError: configError, maintenance: plan?.maintenance ?? false)
        var status = NodeStatus(node: summary, carp: carpStatus?.vips ?? [], carpCounters: carpStatus?.counters ?? CarpCounters(),
                                sync: syncStatus)
        status.services = await services?.status()
        status.routes = services?.routes?.status()
        status.management = await managementStatus?()
        status.configPush = ConfigPushStatus.read(paths: paths, config: config)
        status.commitConfirm = commitConfirm
        return status
    }

    /// The running config (nil before the first load).
    var runningConfig: Config? { config }

    /// The link adapter, for the dashboard's interface list.
    nonisolated var linkControl: any LinkControl { deps.link }
    /// Whether this daemon commits a ruleset (and so has rule counters to show).
    nonisolated var hasRuleset: Bool { deps.ruleset != nil }

    func setManagementStatus(_ source: @escaping @Sendable () async -> ManagementStatus) {
        managementStatus = source
    }

    /// Per config interface name with CARP VIPs: whether this node is MASTER of any of them.
    func carpStates() async -> [String: Bool] {
        guard let config, let carp else { return [:] }
        let vips = await carp.status().vips
        var out: [String: Bool] = [:]
        for iface in config.interfaces {
            guard let device = iface.device else { continue }
            let mine = vips.filter { $0.interface == device }
            if !mine.isEmpty { out[iface.name] = mine.contains { $0.state == CarpState.master.rawValue } }
        }
        return out
    }

    /// Stores the sync section of `tandem status`. (Whether this node carries the traffic,
    /// state sync reads from `mastership`, which CARP keeps current.)
    func setSyncStatus(_ section: StateSyncSection) {
        syncStatus = section
    }

    /// State sync as the running config asks for it, and which flows it carries
    /// (`FlowScope.node`). Read once at start: changing it needs a restart.
    func stateSyncSetup() throws -> (StateSyncSettings, FlowFilter)? {
        guard let config, let plan, let settings = try NodePlan.stateSync(config) else { return nil }
        let scope = FlowScope.node(plan, settings: settings) { name in
            (try? Sysctl.read(["net", "netfilter", name])).flatMap { UInt32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return (settings, FlowFilter(scope: scope))
    }

    /// Interface addresses, sysctls and the ruleset. Each failure is logged and the rest
    /// still applied: a missing interface must not keep CARP from running on the others.
    private func apply(config: Config, plan: NodePlan) async {
        let started = ContinuousClock.now
        defer { activity.applied(seconds: (ContinuousClock.now - started).seconds) }
        for setting in plan.sysctls {
            do { try deps.link.writeSysctl(setting.components, value: setting.value) } catch {
                logger.warning("sysctl \(setting): \(error)")
            }
        }
        for iface in plan.interfaceAddresses {
            do {
                let added = try deps.link.configureInterface(named: iface.device, addresses: iface.addresses)
                if !added.isEmpty {
                    logger.info("\(iface.device): added \(added.map(\.description).joined(separator: ", "))")
                }
            } catch {
                logger.error("\(iface.device): configuring addresses: \(error)")
            }
        }
        if let ruleset = deps.ruleset {
            do { let summary = try await work.run { try ruleset.apply(config) }; logger.info("ruleset: \(summary)") } catch {
                logger.error("ruleset: \(error)")
            }
        }
        self.config = config
        self.plan = plan
        configLoadedAt = Date()
        configError = nil
    }
}

/// The current packet I/O, swapped when a reload restarts CARP; read by the receive pump.
final class PacketIOBox: @unchecked Sendable {
    private let lock = NSLock()
    private var io: (any CarpPacketIO)?
    func set(_ value: (any CarpPacketIO)?) { lock.withLock { io = value } }
    var current: (any CarpPacketIO)? { lock.withLock { io } }
}
