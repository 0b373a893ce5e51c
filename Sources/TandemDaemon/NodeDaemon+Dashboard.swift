import Foundation
import TandemAddress
import TandemCARP
import TandemCompiler
import TandemConfig
import TandemConfigSync
import TandemConfigSyncClient
import TandemManagement
import TandemNetlink

/// The node as the dashboard and `/metrics` see it: a snapshot built from `tandem status`
/// and the kernel's links, and the actions, each through the door its CLI command uses.
extension NodeDaemon: DashboardNode {
    /// Revisions the dashboard lists.
    static let dashboardRevisions = 10
    /// Rules in the snapshot (the dashboard shows them, /metrics exports them): a bound on
    /// the series a scrape carries, whatever the size of the ruleset.
    static let topRuleCount = 15

    public func dashboardSnapshot() async -> DashboardSnapshot {
        let status = await status()
        let transitions = await carp?.transitions() ?? []
        let interfaces = await interfaceRows()
        let revisions = await revisionRows()
        let rules = await ruleRows()
        var s = DashboardSnapshot(hostname: status.node.hostname ?? "tandem", role: role(status),
                                  maintenance: status.node.maintenance, configLoadedAt: status.node.configLoadedAt,
                                  configError: status.node.configError)
        s.carp = status.carp.map {
            DashboardSnapshot.CarpVIP(interface: $0.interface, vhid: $0.vhid, address: $0.vip, state: $0.state,
                                      advbase: $0.advbase, advskew: $0.advskew, advertisedSkew: $0.advertisedSkew,
                                      lastTransition: $0.lastTransition, lastReason: $0.lastReason)
        }
        let counters = status.carpCounters
        s.carpReceived = Double(counters.received)
        s.carpAccepted = Double(counters.accepted)
        s.carpRejections = CarpRejection.allCases.map { .init(["reason": $0.rawValue], Double(counters[$0])) }
        s.carpTransitions = transitions.map {
            .init(["interface": $0.key.interface, "vhid": "\($0.key.vhid)", "state": $0.key.state, "reason": $0.key.reason],
                  Double($0.count))
        }
        if let sync = status.sync {
            s.stateSync = .init(interface: sync.interface, peer: sync.peer, state: sync.state, localFlows: sync.localFlows,
                                remoteFlows: sync.remoteFlows, agreement: sync.agreement?.state ?? "unknown",
                                agreementLine: sync.agreement?.line ?? "agreement unknown", counters: sync.counters)
        }
        var cs = DashboardSnapshot.ConfigSync()
        if let push = status.configPush {
            cs.pushPeer = push.peer
            cs.notice = push.notice
            if let last = push.lastPush {
                activity.pushed(time: last.time, result: last.result)
                cs.lastPushTime = last.time
                cs.lastPushResult = last.result
                cs.lastPushDetail = last.error ?? (last.sections.isEmpty ? nil : last.sections.joined(separator: ", "))
            }
        }
        cs.pushes = activity.pushes
        if let received = status.management?.lastReceived {
            cs.lastReceivedTime = received.time
            cs.lastReceivedFrom = "\(received.user)@\(received.from)"
            cs.lastReceivedResult = received.result
        }
        s.configSync = cs
        s.services = (status.services ?? []).map {
            var detail = $0.pid.map { "pid \($0)" } ?? $0.state
            if $0.restarts > 0 { detail += ", \($0.restarts) restarts" }
            if let error = $0.lastError { detail += "; \(error)" }
            return .init(name: $0.name, ok: $0.state == "running", detail: detail)
        }
        s.routes = (status.routes ?? []).map { .init(name: $0.route, ok: $0.installed, detail: $0.error ?? $0.source) }
        s.interfaces = interfaces
        s.revisions = revisions
        s.rules = rules
        s.applies = activity.applies
        s.applySeconds = activity.applySeconds
        s.lastApplySeconds = activity.lastApplySeconds
        return s
    }

    /// Counts the push just recorded (`var/lib/tandem/sync/last-push`).
    func countLastPush() {
        let fields = SyncPushRecord(paths: paths).load()
        activity.pushed(time: fields["time"].flatMap(Double.init), result: fields["result"])
    }

    private func role(_ status: NodeStatus) -> String {
        if let peer = status.configPush?.peer { return "pushes its config to \(peer)" }
        return "receives its config from the peer"
    }

    /// The config's interfaces with the kernel's addresses and link state, read on the work
    /// thread (netlink dumps).
    private func interfaceRows() async -> [DashboardSnapshot.Interface] {
        guard let config = runningConfig else { return [] }
        let link = linkControl
        let wanted = config.interfaces.compactMap { i in i.device.map { (i.name, i.displayName, $0) } }
        return (try? await work.run {
            let links = try link.links()
            let addresses = try link.addresses()
            return wanted.map { name, display, device in
                guard let l = links.first(where: { $0.name == device }) else {
                    return DashboardSnapshot.Interface(name: "\(display) (\(name))", device: device, addresses: [],
                                                       link: "missing", up: false)
                }
                let mine = addresses.filter { $0.interfaceIndex == l.index && $0.scope == 0 }.map(\.network.description)
                let text = !l.isAdminUp ? "down" : (l.isUsable ? "up" : "no carrier")
                return DashboardSnapshot.Interface(name: "\(display) (\(name))", device: device, addresses: mine,
                                                   link: text, up: l.isUsable)
            }
        }) ?? []
    }

    /// The busiest rules of Tandem's table, read from the kernel's counters (only when the
    /// daemon commits a ruleset: in tests without one there is no table to read).
    private func ruleRows() async -> [DashboardSnapshot.RuleCounter] {
        guard hasRuleset else { return [] }
        let samples = (try? await work.run { try NftRuleCounters.read(.inet, table: RulesetCompiler.tableName) }) ?? []
        return Self.topRules(samples, limit: Self.topRuleCount)
    }

    /// Counters summed per comment (one config rule may become several kernel rules: one per
    /// address family, or a block and its log), busiest first; rules without a comment and
    /// rules that matched nothing are left out. A comment `tracker T: text` gives the tracker.
    static func topRules(_ samples: [RuleCounterSample], limit: Int) -> [DashboardSnapshot.RuleCounter] {
        var sums: [String: (packets: UInt64, bytes: UInt64)] = [:]
        for s in samples {
            guard let comment = s.comment, !comment.isEmpty else { continue }
            let old = sums[comment] ?? (0, 0)
            sums[comment] = (old.packets &+ s.packets, old.bytes &+ s.bytes)
        }
        return sums.filter { $0.value.packets > 0 }
            .sorted { ($0.value.packets, $1.key) > ($1.value.packets, $0.key) }
            .prefix(limit)
            .map { comment, sum in
                var tracker = "-"
                var text = comment
                if comment.hasPrefix("tracker ") {
                    let rest = comment.dropFirst(8)
                    let id = rest.prefix { $0 != ":" }
                    tracker = String(id)
                    text = String(rest.dropFirst(id.count).drop { $0 == ":" || $0 == " " })
                }
                return DashboardSnapshot.RuleCounter(tracker: tracker, description: text, packets: sum.packets, bytes: sum.bytes)
            }
    }

    /// Read again only after a reload (every commit, rollback and received push reloads):
    /// listing revisions with what changed parses each of them, too much for every poll.
    private func revisionRows() async -> [DashboardSnapshot.Revision] {
        let key = configLoadedAtForDashboard
        if let cached = revisionCache, cached.key == key { return cached.rows }
        let entries = (try? await revisions(limit: Self.dashboardRevisions)) ?? []
        let rows = entries.map {
            DashboardSnapshot.Revision(number: $0.number, time: $0.time, user: $0.user ?? "", description: $0.description ?? "",
                                       changes: $0.changes?.summary ?? ($0.error.map { "unreadable: \($0)" } ?? ""),
                                       current: $0.current)
        }
        revisionCache = (key, rows)
        return rows
    }

    public func setMaintenance(_ on: Bool, user: String) async -> ActionOutcome {
        let response = await handle(ControlRequest(command: .carpMaintenance, on: on))
        return ActionOutcome(ok: response.ok, message: response.message ?? response.error ?? "")
    }

    public func syncNow(user: String) async -> ActionOutcome {
        guard let config = runningConfig, let peer = SyncPush.target(for: config) else {
            return ActionOutcome(ok: false, message: "This node does not push its config (hasync/synchronizetoip is empty).")
        }
        guard requestPush() else { return ActionOutcome(ok: false, message: "The config push service is not running.") }
        return ActionOutcome(ok: true, message: "Pushing the running revision to \(peer); the result shows under Config sync.")
    }

    /// The networks of the `lan` interface; without one, those of every interface without a
    /// gateway (the inside ones).
    public func lanNetworks() async -> [IPNetwork] {
        guard let config = runningConfig else { return [] }
        let lan = config.interfaces.filter { $0.name == "lan" }.flatMap(\.networks)
        if !lan.isEmpty { return lan.map(\.masked) }
        return config.interfaces.filter { $0.gateway == nil && $0.gatewayV6 == nil }.flatMap(\.networks).map(\.masked)
    }

    public func metricsSettings() async -> MetricsSettings {
        runningConfig?.metrics ?? MetricsSettings()
    }
}
