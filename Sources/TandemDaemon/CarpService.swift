import Foundation
import Logging
import ServiceLifecycle
import TandemAddress
import TandemCARP
import TandemNetlink

/// Runs the node's CARP groups (carp.md §6): feeds the pure `CarpNode` with packets, link
/// changes, timer expiries and operator commands, and carries its actions out — VIPs added
/// and removed exactly through the link adapter, advertisements and announcements through
/// the packet I/O, wake-ups as sleeping tasks. Handling an event never awaits, so the
/// actor processes one event completely before the next.
public actor CarpService {
    public typealias Instant = ContinuousClock.Instant

    private var node: CarpNode<Instant>
    private var groups: [CarpGroupID: CarpGroupPlan]
    private let link: any LinkControl
    public nonisolated let io: any CarpPacketIO
    private let clock = ContinuousClock()
    private let logger: Logger
    private var timers: [CarpGroupID: Task<Void, Never>] = [:]
    private var lastTransitions: [CarpGroupID: (time: Date, reason: String)] = [:]
    /// Transitions since this service started, by vhid, new state and reason (for /metrics).
    private var transitionCounts: [CarpTransitionCount.Key: UInt64] = [:]
    private var linkUp: [String: Bool] = [:]
    private var stopped = false
    private let mastership: Mastership?

    /// The vhids a handed-over predecessor was master of: they keep their VIPs and enter
    /// MASTER at their first link-up (`CarpMachine.resumesAsMaster`).
    private let resuming: Set<CarpGroupID>

    /// `resuming`: the vhids to resume as master, each with the counter to continue from.
    public init(plan: NodePlan, link: any LinkControl, io: any CarpPacketIO, logger: Logger,
                mastership: Mastership? = nil, resuming: [CarpGroupID: UInt64] = [:]) throws {
        self.link = link
        self.io = io
        self.logger = logger
        self.mastership = mastership
        let (groups, configs) = try Self.groups(of: plan, logger: logger)
        self.groups = groups
        self.resuming = Set(resuming.keys).intersection(groups.keys)
        self.node = CarpNode(groups: configs, maintenance: plan.maintenance, resumingAsMaster: self.resuming,
                             initialCounter: { resuming[$0] ?? .random(in: .min ... .max) })
    }

    /// The plan's groups as the CARP node takes them.
    static func groups(of plan: NodePlan, logger: Logger) throws -> ([CarpGroupID: CarpGroupPlan], [CarpGroupConfig]) {
        var groups: [CarpGroupID: CarpGroupPlan] = [:]
        var configs: [CarpGroupConfig] = []
        for g in plan.carpGroups {
            let key = CarpKey(password: g.password)
            if key.wasTruncated {
                logger.warning("CARP vhid \(g.vhid) on \(g.device): password longer than 19 bytes is truncated as BSD does")
            }
            configs.append(try CarpGroupConfig(vhid: g.vhid, interface: g.device, advbase: g.advbase, advskew: g.advskew,
                                               key: key, addresses: g.addresses, preempt: plan.carpPreempt,
                                               allowsSubsecond: plan.carpSubsecond))
            groups[CarpGroupID(interface: g.device, vhid: g.vhid)] = g
        }
        return (groups, configs)
    }

    /// A reload whose CARP groups changed while the packet I/O still fits (same interfaces
    /// and families): unchanged vhids run on untouched, so a config push does not make them
    /// flap; removed ones bow out and take their VIPs off; new or changed ones start
    /// (`CarpNode.reconfigure`). Returns a summary for the log.
    public func reconfigure(_ plan: NodePlan) throws -> String {
        let (groups, configs) = try Self.groups(of: plan, logger: logger)
        let links = (try? link.links()) ?? []
        let up = { (name: String) in links.first { $0.name == name }?.isUsable ?? false }
        let result = node.reconfigure(groups: configs, linkUp: up, at: clock.now)
        for id in result.stopped {
            timers[id]?.cancel()
            timers[id] = nil
            lastTransitions[id] = nil
        }
        carryOut(result.actions)
        self.groups = groups
        for name in interfaces where linkUp[name] == nil { linkUp[name] = up(name) }
        refreshOwnAddresses()
        let unchanged = groups.count - result.started.count
        return "CARP reconfigured: \(unchanged) vhid(s) untouched"
            + (result.stopped.isEmpty ? "" : ", stopped \(result.stopped.map(\.description).joined(separator: " "))")
            + (result.started.isEmpty ? "" : ", started \(result.started.map(\.description).joined(separator: " "))")
    }

    /// The interfaces that carry a vhid.
    public var interfaces: Set<String> { Set(groups.keys.map(\.interface)) }

    /// Start-up: remove the VIPs a crashed predecessor may have left (carp.md §13 item 3),
    /// tell the node its own addresses (to drop echoes), then the links' state, which
    /// moves each vhid from INIT to BACKUP.
    public func start() {
        for (id, group) in groups.sorted(by: { $0.key < $1.key }) where !resuming.contains(id) {
            guard let index = interfaceIndex(id.interface) else { continue }
            for address in group.addresses {
                do {
                    if try link.dropAddress(address, interfaceIndex: index) {
                        logger.notice("\(id): removed stale VIP \(address) left behind by a previous run")
                    }
                } catch {
                    logger.error("\(id): could not remove stale VIP \(address): \(error)")
                }
            }
        }
        refreshOwnAddresses()
        let links = (try? link.links()) ?? []
        for name in interfaces.sorted() {
            let up = links.first { $0.name == name }?.isUsable ?? false
            if !up { logger.warning("interface \(name) is down or missing: its vhids stay in INIT") }
            process(.link(interface: name, up: up))
        }
    }

    /// A handover (package upgrade): a last advertisement, then stop without bowing out,
    /// leaving the VIPs of the vhids in MASTER in place; returns those vhids with the
    /// counter each continues from, for the next daemon to resume.
    public func handOver() -> [CarpGroupID: UInt64] {
        guard !stopped else { return [:] }
        let ids = node.machines.filter { $0.value.state == .master }.map(\.key)
        carryOut(node.handle(.handOver, at: clock.now))
        var masters: [CarpGroupID: UInt64] = [:]
        for id in ids { masters[id] = node.machines[id]?.nextCounter }
        stopped = true
        for t in timers.values { t.cancel() }
        timers.removeAll()
        return masters
    }

    /// Handles one event and carries out the node's actions.
    public func process(_ event: CarpNodeEvent) {
        guard !stopped else { return }
        if case .link(let name, let up) = event {
            guard linkUp[name] != up else { return }
            linkUp[name] = up
        }
        carryOut(node.handle(event, at: clock.now))
        mastership?.set(node.machines.values.contains { $0.state == .master })
        if case .shutdown = event {
            stopped = true
            for t in timers.values { t.cancel() }
            timers.removeAll()
        }
    }

    /// Carries out the node's actions, feeding each send's result back.
    private func carryOut(_ first: [(CarpGroupID, CarpAction<Instant>)]) {
        var actions = first
        // Every send's result goes back to the node, for its send-error demotion (FreeBSD
        // `carp_send_ad_error`). A result can change the demotion, which makes the masters
        // advertise at once; those sends are reported too. Only the third failure and the
        // third success after failures change anything, so this settles within two rounds;
        // the bound is a guard.
        for _ in 0..<4 where !actions.isEmpty {
            var results: [(CarpGroupID, Bool)] = []
            for (id, action) in actions {
                if let succeeded = perform(action, for: id) { results.append((id, succeeded)) }
            }
            actions = results.flatMap { node.handle(.sendResult($0.0, succeeded: $0.1), at: clock.now) }
        }
        mastership?.set(node.machines.values.contains { $0.state == .master })
    }

    /// A link-monitor event: link changes feed the node; a VIP removed behind our back
    /// while MASTER is put back.
    public func linkEvent(_ event: LinkEvent) {
        switch event {
        case .linkChanged(let info) where interfaces.contains(info.name):
            process(.link(interface: info.name, up: info.isUsable))
        case .linkRemoved(_, let name) where interfaces.contains(name):
            process(.link(interface: name, up: false))
        case .addressRemoved(let address):
            for (id, group) in groups where group.addresses.contains(address.network)
                && node.machines[id]?.state == .master && interfaceIndex(id.interface) == address.interfaceIndex {
                logger.warning("\(id): VIP \(address.network) was removed by someone else while MASTER; adding it back")
                addAddresses([address.network], for: id)
            }
        case .addressAdded, .resynchronize:
            refreshOwnAddresses()
            if case .resynchronize = event {
                for name in interfaces.sorted() {
                    let up = (try? link.link(named: name))??.isUsable ?? false
                    process(.link(interface: name, up: up))
                }
            }
        default:
            break
        }
    }

    public func status() -> (vips: [CarpVIPStatus], counters: CarpCounters) {
        var out: [CarpVIPStatus] = []
        for (id, machine) in node.machines.sorted(by: { $0.key < $1.key }) {
            let last = lastTransitions[id]
            for address in machine.config.addresses {
                out.append(CarpVIPStatus(
                    interface: id.interface, vhid: Int(id.vhid), vip: address.description,
                    state: machine.state.rawValue, advbase: Int(machine.config.advbase),
                    advskew: Int(machine.configuredSkew), advertisedSkew: Int(machine.advertisedSkew),
                    demotion: machine.demotion, maintenance: machine.maintenance,
                    lastTransition: last.map { $0.time.timeIntervalSince1970 }, lastReason: last?.reason))
            }
        }
        return (out, node.counters)
    }

    public var maintenance: Bool { node.maintenance }

    /// Transitions counted since start, in a stable order.
    public func transitions() -> [CarpTransitionCount] {
        transitionCounts.map { CarpTransitionCount(key: $0.key, count: $0.value) }
            .sorted { ($0.key.interface, $0.key.vhid, $0.key.state, $0.key.reason) < ($1.key.interface, $1.key.vhid, $1.key.state, $1.key.reason) }
    }

    // MARK: - Actions

    /// Carries out one action; for a send, returns whether it worked.
    private func perform(_ action: CarpAction<Instant>, for id: CarpGroupID) -> Bool? {
        switch action {
        case .send(let ad, let families):
            var succeeded = true
            for family in families.sorted(by: { $0.rawValue < $1.rawValue }) {
                do {
                    try io.send(ad, interface: id.interface, family: family)
                } catch {
                    succeeded = false
                    logger.error("\(id): sending advertisement over \(family): \(error)")
                }
            }
            return succeeded
        case .addAddresses(let addresses):
            addAddresses(addresses, for: id)
        case .removeAddresses(let addresses):
            guard let index = interfaceIndex(id.interface) else { return nil }
            for address in addresses {
                do { try link.dropAddress(address, interfaceIndex: index) } catch {
                    logger.error("\(id): removing VIP \(address): \(error)")
                }
            }
        case .announce(let addresses):
            do { try io.announce(addresses, interface: id.interface) } catch {
                logger.error("\(id): announcing \(addresses.map(\.description).joined(separator: ", ")): \(error)")
            }
        case .wakeUp(let at):
            schedule(id, at: at)
        case .transition(let t):
            lastTransitions[id] = (Date(), t.reason.rawValue)
            transitionCounts[.init(interface: id.interface, vhid: Int(id.vhid), state: t.to.rawValue, reason: t.reason.rawValue),
                             default: 0] += 1
            logger.notice("\(t.logLine)")
        }
        return nil
    }

    private func addAddresses(_ addresses: [IPNetwork], for id: CarpGroupID) {
        guard let index = interfaceIndex(id.interface) else { return }
        for address in addresses {
            do { try link.ensureAddress(address, interfaceIndex: index) } catch {
                logger.error("\(id): adding VIP \(address): \(error)")
            }
        }
    }

    /// One pending wake-up per vhid; a new request replaces the old (CarpAction.wakeUp).
    private func schedule(_ id: CarpGroupID, at deadline: Instant) {
        timers[id]?.cancel()
        let clock = self.clock
        timers[id] = Task { [weak self] in
            do { try await clock.sleep(until: deadline, tolerance: .milliseconds(1)) } catch { return }
            await self?.process(.wakeUp(id))
        }
    }

    private func interfaceIndex(_ name: String) -> Int32? {
        do {
            guard let info = try link.link(named: name) else {
                logger.error("interface \(name) does not exist")
                return nil
            }
            return info.index
        } catch {
            logger.error("looking up interface \(name): \(error)")
            return nil
        }
    }

    /// Every address on the node that is not one of our VIPs: advertisements from these
    /// are our own echoes (carp.md §13 item 6).
    private func refreshOwnAddresses() {
        let vips = Set(groups.values.flatMap(\.addresses).map(\.address))
        guard let all = try? link.addresses() else { return }
        let own = Set(all.map(\.network.address)).subtracting(vips)
        if own != node.ownAddresses { process(.setOwnAddresses(own)) }
    }
}

/// How often a vhid entered a state for a reason.
public struct CarpTransitionCount: Sendable, Hashable {
    public struct Key: Sendable, Hashable {
        public var interface: String
        public var vhid: Int
        public var state: String
        public var reason: String
    }

    public var key: Key
    public var count: UInt64
}
