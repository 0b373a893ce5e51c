import Foundation

/// The dashboard's template data: the snapshot with every value turned into the text the
/// page shows (times as UTC clock times with their age, badges as CSS classes). Pure, given
/// `now`; the templates only place these strings.
struct DashboardView: Sendable {
    struct Carp: Sendable {
        var interface: String
        var vhid: Int
        var address: String
        var state: String
        var badge: String
        var advskew: String
        var transition: String
        var reason: String
    }

    struct Row: Sendable {
        var name: String
        var badge: String
        var status: String
        var detail: String
    }

    struct Interface: Sendable {
        var name: String
        var device: String
        var addresses: String
        var badge: String
        var link: String
    }

    struct Rule: Sendable {
        var tracker: String
        var description: String
        var packets: String
        var bytes: String
    }

    struct Revision: Sendable {
        var number: Int
        var time: String
        var user: String
        var description: String
        var changes: String
        var current: Bool
    }

    struct Sync: Sendable {
        var peer: String
        var interface: String
        var state: String
        var badge: String
        var localFlows: Int
        var remoteFlows: Int
        var agreement: String
        var agreementBadge: String
    }

    var hostname: String
    var role: String
    var user: String
    var csrf: String
    var maintenance: Bool
    var maintenanceNext: String
    var configLoaded: String
    var configError: String?
    var carp: [Carp]
    var carpEmpty: Bool
    var carpCounters: String
    var sync: Sync?
    var pushPeer: String?
    var lastPush: String
    var lastPushBadge: String
    var pushNotice: String?
    var lastReceived: String
    var services: [Row]
    var servicesEmpty: Bool
    var interfaces: [Interface]
    var rules: [Rule]
    var rulesEmpty: Bool
    var revisions: [Revision]
    var revisionsEmpty: Bool
    var canRollback: Bool
    var applies: String
    var updated: String
    var message: String?
    var messageClass: String

    init(_ s: DashboardSnapshot, user: String, csrf: String, now: Double, canRollback: Bool,
         message: ActionOutcome? = nil) {
        hostname = s.hostname
        role = s.role
        self.user = user
        self.csrf = csrf
        maintenance = s.maintenance
        maintenanceNext = s.maintenance ? "off" : "on"
        configLoaded = Self.when(s.configLoadedAt, now: now)
        configError = s.configError
        carp = s.carp.map {
            Carp(interface: $0.interface, vhid: $0.vhid, address: $0.address, state: $0.state,
                 badge: Self.badge(state: $0.state),
                 advskew: $0.advertisedSkew == $0.advskew ? "\($0.advskew)" : "\($0.advskew) (advertised \($0.advertisedSkew))",
                 transition: Self.when($0.lastTransition, now: now), reason: $0.lastReason ?? "")
        }
        carpEmpty = s.carp.isEmpty
        let rejected = s.carpRejections.reduce(0) { $0 + $1.value }
        carpCounters = "\(Int(s.carpReceived)) advertisements received, \(Int(s.carpAccepted)) accepted, \(Int(rejected)) rejected"
        sync = s.stateSync.map {
            Sync(peer: $0.peer, interface: $0.interface, state: $0.state, badge: $0.state == "peer up" ? "ok" : "bad",
                 localFlows: $0.localFlows, remoteFlows: $0.remoteFlows, agreement: $0.agreementLine,
                 agreementBadge: $0.agreement == "agree" ? "ok" : $0.agreement == "differ" ? "bad" : "warn")
        }
        let cs = s.configSync
        pushPeer = cs.pushPeer
        if let result = cs.lastPushResult {
            lastPush = "\(result) \(Self.when(cs.lastPushTime, now: now))" + (cs.lastPushDetail.map { ": \($0)" } ?? "")
            lastPushBadge = result == "pushed" ? "ok" : "bad"
        } else {
            lastPush = cs.pushPeer == nil ? "this node does not push" : "no push yet"
            lastPushBadge = "idle"
        }
        pushNotice = cs.notice
        if let result = cs.lastReceivedResult {
            lastReceived = "\(Self.when(cs.lastReceivedTime, now: now)) from \(cs.lastReceivedFrom ?? "?"): \(result)"
        } else {
            lastReceived = "none since start"
        }
        services = s.services.map { Row(name: $0.name, badge: $0.ok ? "ok" : "bad", status: $0.ok ? "running" : "down", detail: $0.detail) }
            + s.routes.map { Row(name: "route \($0.name)", badge: $0.ok ? "ok" : "bad", status: $0.ok ? "installed" : "missing",
                                 detail: $0.detail) }
        servicesEmpty = services.isEmpty
        interfaces = s.interfaces.map {
            Interface(name: $0.name, device: $0.device, addresses: $0.addresses.joined(separator: ", "),
                      badge: $0.up ? "ok" : "bad", link: $0.link)
        }
        rules = s.rules.map {
            Rule(tracker: $0.tracker, description: $0.description, packets: Self.count($0.packets), bytes: Self.bytes($0.bytes))
        }
        rulesEmpty = rules.isEmpty
        revisions = s.revisions.map {
            Revision(number: $0.number, time: Self.when($0.time, now: now), user: $0.user, description: $0.description,
                     changes: $0.changes, current: $0.current)
        }
        revisionsEmpty = revisions.isEmpty
        self.canRollback = canRollback
        applies = s.lastApplySeconds.map { String(format: "%d applies, last took %.0f ms", s.applies, $0 * 1000) }
            ?? "\(s.applies) applies"
        updated = Self.clock(now)
        self.message = message?.message
        messageClass = message?.ok == false ? "bad" : "ok"
    }

    static func badge(state: String) -> String {
        switch state {
        case "MASTER": "master"
        case "BACKUP": "backup"
        default: "init"
        }
    }

    /// `HH:MM:SS UTC (N s ago)`, or "never".
    static func when(_ t: Double?, now: Double) -> String {
        guard let t else { return "never" }
        let age = max(0, now - t)
        let ago: String
        switch age {
        case ..<60: ago = "\(Int(age)) s ago"
        case ..<3600: ago = "\(Int(age / 60)) min ago"
        case ..<86400: ago = "\(Int(age / 3600)) h ago"
        default: ago = "\(Int(age / 86400)) d ago"
        }
        return "\(clock(t)) (\(ago))"
    }

    static func clock(_ t: Double) -> String {
        ManagementStatus.clock(t)
    }

    static func count(_ n: UInt64) -> String {
        switch n {
        case ..<10_000: "\(n)"
        case ..<10_000_000: "\(n / 1000)k"
        default: "\(n / 1_000_000)M"
        }
    }

    static func bytes(_ n: UInt64) -> String {
        switch n {
        case ..<10_240: "\(n) B"
        case ..<10_485_760: "\(n / 1024) KiB"
        case ..<10_737_418_240: "\(n / 1_048_576) MiB"
        default: "\(n / 1_073_741_824) GiB"
        }
    }
}
