import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import TandemCARP
import TandemConfig
import TandemNetlink
import TandemStateSync

/// Feeds CARP: received advertisements and link changes, each from its own pump thread,
/// in arrival order. On graceful shutdown (SIGTERM) it makes the node bow out before the
/// process exits.
struct CarpEventService: Service {
    let daemon: NodeDaemon
    let logger: Logger

    func run() async throws {
        let packets = EventPump<ReceivedCarpPacket>()
        let links = EventPump<LinkEvent>()
        let monitor = try LinkMonitor()
        let box = daemon.packetIO
        let log = logger
        packets.start(name: "tandem-carp-rx", read: {
            guard let io = box.current else {
                // CARP is being restarted by a reload: wait for the new sockets.
                Thread.sleep(forTimeInterval: 0.05)
                return []
            }
            return try io.receive(timeoutMilliseconds: 200)
        },
                      onError: { log.error("receiving CARP packets: \($0)") })
        let watch = MonitorBox(monitor)
        links.start(name: "tandem-link-watch", read: {
            guard try watch.monitor.wait(timeoutMilliseconds: 200) else { return [] }
            return try watch.monitor.readEvents()
        }, onError: { log.error("watching links: \($0)") })

        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await p in packets.events { await daemon.dispatch(.packet(p)) }
                }
                group.addTask {
                    for await e in links.events { await daemon.linkEvent(e) }
                }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            // Bow out first, then stop the pumps (which ends the task group above).
            Task {
                await daemon.shutdown()
                packets.stop()
                links.stop()
            }
        }
        log.notice("CARP stopped")
    }
}

/// LinkMonitor is used from the pump thread only.
private final class MonitorBox: @unchecked Sendable {
    let monitor: LinkMonitor
    init(_ m: LinkMonitor) { monitor = m }
}

/// The control socket: `status`, `carp-maintenance`, `reload`.
struct ControlService: Service {
    let daemon: NodeDaemon
    let path: String
    let logger: Logger

    func run() async throws {
        let daemon = self.daemon
        let server = try ControlServer(path: path) { request in await daemon.handle(request) }
        server.start()
        logger.info("control socket \(path)")
        try? await gracefulShutdown()
        server.stop()
    }
}

/// SIGHUP reloads the config (STYLE.md §11: a signal becomes an event, not a handler
/// mutating globals).
struct ReloadService: Service {
    let daemon: NodeDaemon
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withGracefulShutdownHandler {
            for await _ in signals.cancelOnGracefulShutdown() {
                logger.notice("SIGHUP: reloading the config")
                await daemon.reload()
            }
        } onGracefulShutdown: {}
    }
}

/// Runs a node until SIGTERM/SIGINT.
public enum DaemonRunner {
    /// - Parameter firmwareVersion: Tandem's version, which `host_firmware_version` reports.
    public static func run(paths: NodePaths, dependencies: NodeDaemon.Dependencies, logger: Logger,
                           firmwareVersion: String = "unknown") async throws {
        try FileManager.default.createDirectory(atPath: paths.runDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let services = NodeServices(paths: paths, routes: dependencies.link as? any RouteControl, logger: logger)
        let daemon = NodeDaemon(paths: paths, dependencies: dependencies, logger: logger, services: services)
        let resuming: [CarpGroupID: UInt64]
        do {
            resuming = try HandoverFiles(paths: paths).take()
        } catch {
            logger.error("handover: \(error); starting CARP as usual")
            resuming = [:]
        }
        try await daemon.start(resuming: resuming)
        // Ready only now: the ruleset is committed and CARP runs (sd_notify(3)), so units
        // ordered after tandem.service start with the firewall in place.
        let notifier = SystemdNotifier()
        let status = "config applied; CARP started\(resuming.isEmpty ? "" : " (handover: \(resuming.count) vhid(s) resumed)")"
        if let error = notifier.send([("READY", "1"), ("STATUS", status), ("MAINPID", "\(getpid())")]) {
            logger.error("sd_notify READY=1 failed: errno \(error)")
        }
        // First in the group, so it stops last: the daemons outlive CARP's bow-out.
        var extra: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: NodeServicesService(services: services, daemon: daemon, logger: logger)),
        ]
        do {
            if let (settings, filter) = try await daemon.stateSyncSetup() {
                extra.append(.init(service: StateSyncService(settings: settings, filter: filter, daemon: daemon, logger: logger,
                                                                demoteUntilBulk: resuming.isEmpty)))
            }
        } catch {
            logger.error("state sync not started: \(error)")
        }
        if let interval = notifier.watchdogInterval {
            extra.append(.init(service: WatchdogService(daemon: daemon, notifier: notifier, interval: interval, logger: logger)))
        }
        let (commits, trigger) = ConfigPushService.makeStream()
        await daemon.setPushTrigger(trigger)
        // Each push is counted by result for /metrics as soon as it is recorded.
        let pusher = ConfigPushService(paths: paths, logger: logger, commits: commits)
        extra.append(.init(service: ConfigPushService(commits: commits) {
            await pusher.push()
            await daemon.countLastPush()
        }))
        extra.append(.init(service: CommitConfirmService(daemon: daemon)))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            // A ServiceGroup shuts services down one by one in reverse order: CARP comes last
            // so that on SIGTERM it bows out first, before anything else is waited for.
            services: extra + [
                .init(service: ManagementService(daemon: daemon, logger: logger,
                                                 versions: ManagementService.versions(firmware: firmwareVersion))),
                .init(service: ControlService(daemon: daemon, path: paths.controlSocket, logger: logger)),
                .init(service: ReloadService(daemon: daemon, logger: logger)),
                .init(service: CarpEventService(daemon: daemon, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        await daemon.completeHandover()
    }
}

/// `WATCHDOG=1` every half `WatchdogSec=` while the daemon's actors answer; STOPPING=1 on
/// the way out (sd_notify(3)).
struct WatchdogService: Service {
    let daemon: NodeDaemon
    let notifier: SystemdNotifier
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Early in the group, so it stops late: the pings go on while CARP bows out.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await daemon.heartbeat()
                if let error = notifier.send([("WATCHDOG", "1")]) {
                    logger.warning("sd_notify WATCHDOG=1 failed: errno \(error)")
                }
                try await Task.sleep(for: interval)
            }
        }
        notifier.send([("STOPPING", "1")])
    }
}
