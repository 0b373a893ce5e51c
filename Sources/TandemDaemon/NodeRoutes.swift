import Foundation
import Logging
import TandemAddress
import TandemNetlink
import TandemServices

/// The routes the config asks for, kept in the kernel: installed with Tandem's own
/// `rtm_protocol` in the main table, so that a dump by that protocol lists exactly what
/// Tandem installed and nothing else is ever removed (ip-route(8) `proto`; the kernel
/// matches the protocol on delete). Reconciled on every config load and every few seconds,
/// which puts back routes the kernel dropped with a link that went down.
final class NodeRoutes: @unchecked Sendable {
    /// Not in iproute2's `rt_protos` and above RTPROT_STATIC (4): opaque to the kernel.
    static let protocolNumber: UInt8 = 200
    private let control: any RouteControl
    private let logger: Logger
    private let lock = NSLock()
    private var planned: [PlannedRoute] = []
    private var errors: [String: String] = [:]
    private var installed: Set<String> = []

    init(control: any RouteControl, logger: Logger) {
        self.control = control
        self.logger = logger
    }

    func set(_ routes: [PlannedRoute]) {
        lock.withLock { planned = routes }
        reconcile()
    }

    /// Brings the owned routes in line with the plan; each failure is kept for the status
    /// and logged when it first appears.
    func reconcile() {
        let plan = lock.withLock { planned }
        let owned: [KernelRoute]
        do {
            owned = try control.routes(protocolNumber: Self.protocolNumber, table: KernelRoute.mainTable)
        } catch {
            note("*", "listing routes: \(error)")
            return
        }
        let changes = RouteChanges(planned: plan, owned: owned.map { ($0.destination, $0.gateway) })
        for r in owned where changes.remove.contains(where: { $0.destination == r.destination && $0.gateway == r.gateway }) {
            do {
                try control.deleteRoute(r)
                logger.notice("route \(r) removed: no longer in the config")
            } catch {
                note(r.description, "removing: \(error)")
            }
        }
        var now: Set<String> = Set(owned.map { Self.key($0.destination, $0.gateway) })
        for p in changes.add {
            let route = KernelRoute(destination: p.destination, gateway: p.gateway, protocolNumber: Self.protocolNumber)
            do {
                try control.addRoute(route)
                now.insert(Self.key(p.destination, p.gateway))
                logger.notice("route \(p) installed")
                lock.withLock { errors[p.description] = nil }
            } catch let error as NetlinkError where error.errno == EEXIST {
                note(p.description, "a route to \(p.destination.masked) that Tandem did not install is in the way")
            } catch {
                note(p.description, "\(error)")
            }
        }
        lock.withLock {
            installed = now
            for p in plan where now.contains(Self.key(p.destination, p.gateway)) { errors[p.description] = nil }
        }
    }

    func status() -> [RouteStatus] {
        lock.withLock {
            planned.map { p in
                RouteStatus(route: (p.destination.prefixLength == 0 ? "default" : p.destination.masked.description) + " via \(p.gateway)",
                            source: p.source, installed: installed.contains(Self.key(p.destination, p.gateway)),
                            error: errors[p.description])
            }
        }
    }

    private func note(_ key: String, _ message: String) {
        let fresh = lock.withLock { () -> Bool in
            defer { errors[key] = message }
            return errors[key] != message
        }
        if fresh { logger.warning("route \(key): \(message)") }
    }

    private static func key(_ d: IPNetwork, _ g: IPAddress?) -> String { "\(d.masked) \(g.map(\.description) ?? "-")" }
}
