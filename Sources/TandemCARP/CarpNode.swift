import TandemAddress

/// Identifies a vhid: vhids are unique per layer-2 segment, so the same number may appear
/// on two interfaces (pfSense checks vhid uniqueness per interface).
public struct CarpGroupID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var interface: String
    public var vhid: UInt8

    public init(interface: String, vhid: UInt8) {
        self.interface = interface
        self.vhid = vhid
    }

    public static func < (a: Self, b: Self) -> Bool { (a.interface, a.vhid) < (b.interface, b.vhid) }
    public var description: String { "\(vhid)@\(interface)" }
}

/// Node-wide inputs: what the daemon feeds the node.
public enum CarpNodeEvent: Sendable, Hashable {
    /// A packet read from a CARP socket; it goes through the receive ladder first.
    case packet(ReceivedCarpPacket)
    /// An interface's link changed. Its vhids go to INIT/BACKUP, and every down interface
    /// that carries a vhid demotes the whole node by 240 (FreeBSD `ifdown_demotion_factor`),
    /// so the peer takes over the other vhids too instead of splitting roles.
    case link(interface: String, up: Bool)
    /// A wake-up of one vhid is due.
    case wakeUp(CarpGroupID)
    /// Persistent maintenance mode on or off for every vhid.
    case setMaintenance(Bool)
    /// An extra demotion from another part of the node, by source name (e.g. state sync
    /// during a bulk update, as pfsync's `carp_demotion_factor`). 0 removes it.
    case setDemotion(source: String, value: Int)
    /// The node's own interface addresses (not VIPs), to drop echoes of our advertisements.
    case setOwnAddresses(Set<IPAddress>)
    /// Whether sending a vhid's advertisement worked. The third failure since the last
    /// recovery demotes the node by 240 until three sends in a row succeed (FreeBSD
    /// `carp_send_ad_error`, `CARP_SENDAD_MAX_ERRORS` / `CARP_SENDAD_MIN_SUCCESS`,
    /// `senderr_demotion_factor`).
    case sendResult(CarpGroupID, succeeded: Bool)
    /// Bow out of every vhid (SIGTERM).
    case shutdown
    /// Stop every vhid for a successor daemon without bowing out (`CarpEvent.handOver`).
    case handOver
}

/// All vhids of a node, with the shared parts FreeBSD keeps globally: the demotion, the
/// packet counters and the receive ladder. Pure, like `CarpMachine`.
public struct CarpNode<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public private(set) var machines: [CarpGroupID: CarpMachine<Instant>] = [:]
    public private(set) var counters = CarpCounters()
    public private(set) var ownAddresses: Set<IPAddress> = []
    public private(set) var downInterfaces: Set<String> = []
    public private(set) var demotionSources: [String: Int] = [:]
    public private(set) var maintenance: Bool
    /// Per vhid: the counters accepted from each source (`CarpReplayGuard`).
    public private(set) var replayGuards: [CarpGroupID: CarpReplayGuard] = [:]
    /// Per vhid: consecutive send failures, and successes since the last failure.
    public private(set) var sendHealth: [CarpGroupID: (failures: Int, successes: Int)] = [:]
    static var sendFailuresToDemote: Int { 3 }
    static var sendSuccessesToRecover: Int { 3 }

    /// `initialCounter` gives each vhid's first counter; the daemon passes random values
    /// (FreeBSD `arc4random`), tests fixed ones.
    /// `resumingAsMaster`: the vhids a handed-over predecessor was master of
    /// (`CarpMachine.resumesAsMaster`).
    public init(groups: [CarpGroupConfig], maintenance: Bool = false, resumingAsMaster: Set<CarpGroupID> = [],
                initialCounter: (CarpGroupID) -> UInt64 = { _ in .random(in: .min ... .max) }) {
        self.maintenance = maintenance
        for config in groups {
            let id = CarpGroupID(interface: config.interface, vhid: config.vhid)
            machines[id] = CarpMachine(config: config, initialCounter: initialCounter(id), maintenance: maintenance,
                                       resumesAsMaster: resumingAsMaster.contains(id))
        }
    }

    /// Link-down demotion plus every other source (FreeBSD `V_carp_demotion`).
    public var demotion: Int {
        let interfaces = Set(machines.keys.map(\.interface))
        let linkDemotion = downInterfaces.intersection(interfaces).count * CarpTiming.linkDownDemotion
        return demotionSources.values.reduce(linkDemotion, +)
    }

    public mutating func handle(_ event: CarpNodeEvent, at now: Instant) -> [(CarpGroupID, CarpAction<Instant>)] {
        switch event {
        case .packet(let packet):
            return receive(packet, now: now)
        case .link(let interface, let up):
            if up { downInterfaces.remove(interface) } else { downInterfaces.insert(interface) }
            // The interface's own vhids first, so a master there drops to INIT without trying
            // to advertise the new demotion on a dead link; then every other master
            // advertises the changed skew at once.
            var out: [(CarpGroupID, CarpAction<Instant>)] = []
            for id in machines.keys.sorted() where id.interface == interface {
                out += dispatch(.linkChanged(up: up), to: id, now: now)
            }
            return out + applyDemotion(now: now)
        case .wakeUp(let id):
            return dispatch(.wakeUp, to: id, now: now)
        case .setMaintenance(let on):
            maintenance = on
            return broadcast(.setMaintenance(on), now: now)
        case .setDemotion(let source, let value):
            demotionSources[source] = value == 0 ? nil : value
            return applyDemotion(now: now)
        case .setOwnAddresses(let addresses):
            ownAddresses = addresses
            return []
        case .sendResult(let id, let succeeded):
            return sendResult(id, succeeded: succeeded, now: now)
        case .shutdown:
            return broadcast(.shutdown, now: now)
        case .handOver:
            return broadcast(.handOver, now: now)
        }
    }

    /// A reload's groups. pfSense's `restore_config_section` leaves a CARP VIP whose
    /// password, advskew, advbase and addresses are unchanged alone, so a config push does not
    /// make it flap (`pfsense/pfsense:src/usr/local/www/xmlrpc.php`, the `$oldvips`
    /// fingerprint compare): here an unchanged group keeps its machine, state and timers. A
    /// group that disappeared bows out and takes its addresses off (its machine's shutdown);
    /// a changed one does that and starts again; a new one starts in INIT and is told its
    /// link's state, as at start. Returns the changed ids and the actions to carry out.
    public mutating func reconfigure(groups: [CarpGroupConfig], linkUp: (String) -> Bool, at now: Instant,
                                     initialCounter: (CarpGroupID) -> UInt64 = { _ in .random(in: .min ... .max) })
        -> (started: [CarpGroupID], stopped: [CarpGroupID], actions: [(CarpGroupID, CarpAction<Instant>)]) {
        let wanted = Dictionary(groups.map { (CarpGroupID(interface: $0.interface, vhid: $0.vhid), $0) },
                                uniquingKeysWith: { first, _ in first })
        var actions: [(CarpGroupID, CarpAction<Instant>)] = []
        var stopped: [CarpGroupID] = []
        for id in machines.keys.sorted() where wanted[id] != machines[id]?.config {
            actions += dispatch(.shutdown, to: id, now: now)
            machines[id] = nil
            sendHealth[id] = nil
            replayGuards[id] = nil
            demotionSources["send errors \(id)"] = nil
            stopped.append(id)
        }
        let before = demotion
        let fresh = wanted.keys.filter { machines[$0] == nil }.sorted()
        for id in fresh {
            if linkUp(id.interface) { downInterfaces.remove(id.interface) } else { downInterfaces.insert(id.interface) }
        }
        let started = fresh
        for id in fresh {
            machines[id] = CarpMachine(config: wanted[id]!, initialCounter: initialCounter(id), maintenance: maintenance,
                                       demotion: demotion)
        }
        // The demotion counts down links of interfaces that carry a vhid: that set may have changed.
        if demotion != before { actions += applyDemotion(now: now) }
        for id in started {
            actions += dispatch(.linkChanged(up: linkUp(id.interface)), to: id, now: now)
        }
        return (started, stopped, actions)
    }

    private mutating func sendResult(_ id: CarpGroupID, succeeded: Bool, now: Instant) -> [(CarpGroupID, CarpAction<Instant>)] {
        var health = sendHealth[id] ?? (0, 0)
        let source = "send errors \(id)"
        var changed = false
        if succeeded {
            if health.failures > 0 {
                health.successes += 1
                if health.successes >= Self.sendSuccessesToRecover {
                    changed = demotionSources[source] != nil
                    demotionSources[source] = nil
                    health = (0, 0)
                }
            }
        } else {
            counters.sendErrors += 1
            health.failures += 1
            health.successes = 0
            if health.failures == Self.sendFailuresToDemote {
                demotionSources[source] = CarpTiming.linkDownDemotion
                changed = true
            }
        }
        sendHealth[id] = health
        return changed ? applyDemotion(now: now) : []
    }

    private mutating func receive(_ packet: ReceivedCarpPacket, now: Instant) -> [(CarpGroupID, CarpAction<Instant>)] {
        let verdict = CarpReceiveValidation.validate(packet, ownAddresses: ownAddresses) { vhid in
            let id = CarpGroupID(interface: packet.interface, vhid: vhid)
            guard var context = machines[id]?.receiveContext else { return nil }
            context.replay = replayGuards[id] ?? CarpReplayGuard()
            return context
        }
        counters.count(verdict)
        guard case .success(let ad) = verdict else { return [] }
        let id = CarpGroupID(interface: packet.interface, vhid: ad.vhid)
        replayGuards[id, default: CarpReplayGuard()].accept(ad.counter, from: packet.source)
        return dispatch(.advertisementReceived(ad), to: id, now: now)
    }

    private mutating func applyDemotion(now: Instant) -> [(CarpGroupID, CarpAction<Instant>)] {
        broadcast(.setDemotion(demotion), now: now)
    }

    private mutating func broadcast(_ event: CarpEvent, now: Instant) -> [(CarpGroupID, CarpAction<Instant>)] {
        machines.keys.sorted().flatMap { dispatch(event, to: $0, now: now) }
    }

    private mutating func dispatch(_ event: CarpEvent, to id: CarpGroupID, now: Instant) -> [(CarpGroupID, CarpAction<Instant>)] {
        guard machines[id] != nil else { return [] }
        let actions = machines[id]!.handle(event, at: now)
        for case .send(_, let families) in actions { counters.sent += UInt64(families.count) }
        // Entering MASTER means the other nodes were declared down or outranked, entering
        // INIT leaves the election: either way what they send next may start a new count
        // (a restarted peer's counter is random).
        for case .transition(let t) in actions where t.to != .backup { replayGuards[id]?.forgetSources() }
        return actions.map { (id, $0) }
    }
}
