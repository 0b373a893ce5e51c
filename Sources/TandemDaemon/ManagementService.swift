import Foundation
import Logging
import ServiceLifecycle
import TandemConfig
import TandemConfigSync
import TandemManagement

/// The HTTPS management endpoint in the daemon's service group. Its settings (port,
/// protocol, certificate) are read from the config at start: changing them needs a restart,
/// as pfSense restarts its web GUI. A server that cannot start (port taken, bad certificate)
/// is logged and shown in `tandem status`; the rest of the node runs on.
struct ManagementService: Service {
    let daemon: NodeDaemon
    let logger: Logger
    /// Version strings `host_firmware_version` reports.
    let versions: SyncReceiver.Versions

    func run() async throws {
        let settings: ManagementSettings
        let identity: ServerIdentity?
        do {
            let document = try await daemon.runningDocument()
            settings = ManagementSettings(webgui: document.config.system.webgui)
            identity = settings.https
                ? try ServerIdentity.load(config: document, paths: daemon.paths, hostname: document.config.system.fqdn)
                : nil
        } catch {
            await notRunning("certificate or config not usable: \(error)")
            return
        }
        let fingerprint = try? identity?.fingerprint()
        let logins = LoginGuard(logger: logger)
        let xmlrpc = SyncXMLRPCService(node: daemon, versions: versions, maximumBodySize: settings.maxBodyBytes,
                                       logger: logger)
        let dashboard = DashboardEndpoint(node: daemon, dashboard: daemon, logins: logins, sessions: DashboardSessions(),
                                          secure: settings.https)
        let endpoint = ManagementEndpoint(node: daemon, xmlrpc: xmlrpc, logins: logins, settings: settings,
                                          dashboard: dashboard)
        await daemon.setManagementStatus {
            ManagementStatus(listening: settings.url, certificate: identity?.source, fingerprint: fingerprint,
                             logins: await logins.status(), lastReceived: await xmlrpc.lastReceived(),
                             requests: endpoint.requests)
        }
        do {
            try await ManagementServer(settings: settings, identity: identity, endpoint: endpoint, logger: logger).run()
        } catch {
            await notRunning("\(settings.url): \(error)")
        }
    }

    /// Tandem's version and the running kernel's release (uname(2)).
    static func versions(firmware: String) -> SyncReceiver.Versions {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return SyncReceiver.Versions(firmware: firmware, kernel: release)
    }

    /// Logs why, shows it in status, and waits for shutdown (a service that returns early
    /// would end the whole group).
    private func notRunning(_ why: String) async {
        logger.error("management endpoint not running: \(why)")
        await daemon.setManagementStatus { ManagementStatus(listening: "not running: \(why)") }
        try? await gracefulShutdown()
    }
}
