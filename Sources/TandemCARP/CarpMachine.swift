import TandemAddress

/// The CARP state machine of one vhid (FreeBSD `ip_carp.c` semantics: `carp_input_c`, `carp_master_down_locked`, `carp_setrun`) as a
/// value: `handle(event, at: now)` returns the new state's actions and never reads a clock,
/// starts a timer or touches a socket. The driver carries the actions out and feeds the
/// machine `.wakeUp` when the instant it asked for has come.
///
/// Generic over the clock's instant so tests drive it with a fake clock and the daemon
/// with `ContinuousClock` (monotonic, so a wall-clock step cannot fire or delay a takeover).
public struct CarpMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public private(set) var config: CarpGroupConfig
    public private(set) var state: CarpState = .initial
    public private(set) var linkUp = false
    public private(set) var maintenance: Bool
    public private(set) var demotion: Int
    /// After `.shutdown` the vhid ignores everything.
    public private(set) var isStopped = false
    /// Whether the first link-up enters MASTER at once instead of BACKUP: the previous
    /// daemon was master and exited without bowing out (a handover), so the VIPs are still
    /// in place and the peer, which heard it until moments ago, is BACKUP. Waiting for
    /// master-down here would let the peer take over and hand the traffic back and forth.
    public private(set) var resumesAsMaster: Bool
    /// The counter the next advertisement carries: random at start, then +1 per
    /// advertisement (FreeBSD `sc_counter`). Never adopted from the peer, so an
    /// echo of ours is recognisable by it.
    public private(set) var nextCounter: UInt64
    public private(set) var lastSentCounter: UInt64?
    /// When the current timer (master-down in BACKUP, next advertisement in MASTER) is due.
    public private(set) var deadline: Instant?
    /// The most recent transitions, oldest first, at most `transitionHistoryLimit`.
    public private(set) var transitions: [CarpTransition<Instant>] = []
    public static var transitionHistoryLimit: Int { 32 }
    /// When this master last re-announced its VIPs because it heard a slower master.
    private var lastReannounce: Instant?
    /// Advertisements left until the second announcement after taking over (OpenBSD
    /// `sc_delayed_arp` = 2 "to deal with some L3 switches"; pfSense sends two GARPs).
    private var advertisementsUntilSecondAnnounce: Int?

    public init(config: CarpGroupConfig, initialCounter: UInt64, maintenance: Bool = false, demotion: Int = 0,
                resumesAsMaster: Bool = false) {
        self.config = config
        self.resumesAsMaster = resumesAsMaster
        self.nextCounter = initialCounter
        self.maintenance = maintenance
        self.demotion = demotion
    }

    /// advskew before demotion: 254 in maintenance mode, else the configured one.
    public var configuredSkew: UInt8 { maintenance ? CarpTiming.maintenanceSkew : config.advskew }
    /// advskew as advertised: with demotion, capped at 240 (FreeBSD `DEMOTE_ADVSKEW`).
    public var advertisedSkew: UInt8 { CarpTiming.sentSkew(configured: configuredSkew, demotion: demotion) }
    public var advertisementInterval: Duration {
        CarpTiming.advertisementInterval(advbase: config.advbase, advskew: advertisedSkew)
    }
    public var masterDownInterval: Duration {
        CarpTiming.masterDownInterval(advbase: config.advbase, advskew: configuredSkew)
    }
    /// The least time between two re-announcements to a slower master: the advertisement
    /// interval, at least a second (the slower master advertises at most once per interval
    /// of its own, and sub-second timing must not make it a flood).
    public var reannounceInterval: Duration { max(advertisementInterval, .seconds(1)) }

    public mutating func handle(_ event: CarpEvent, at now: Instant) -> [CarpAction<Instant>] {
        guard !isStopped else { return [] }
        switch event {
        case .linkChanged(let up): return linkChanged(up: up, now: now)
        case .advertisementReceived(let ad): return received(ad, now: now)
        case .wakeUp: return wakeUp(now: now)
        case .setMaintenance(let on):
            let before = advertisedSkew
            maintenance = on
            return advertiseIfChanged(from: before, now: now)
        case .setDemotion(let value):
            let before = advertisedSkew
            demotion = value
            return advertiseIfChanged(from: before, now: now)
        case .shutdown: return shutdown(now: now)
        case .handOver:
            let actions = state == .master ? [advertise()] : []
            deadline = nil
            isStopped = true
            return actions
        }
    }

    // MARK: - Events

    private mutating func linkChanged(up: Bool, now: Instant) -> [CarpAction<Instant>] {
        linkUp = up
        if !up { resumesAsMaster = false }
        switch (up, state) {
        case (true, .initial):
            // Only the very first link-up resumes; a later one is an ordinary start.
            if resumesAsMaster {
                resumesAsMaster = false
                return enterMaster(now: now, reason: .resumedAfterHandover)
            }
            return enterBackup(now: now, reason: .initializationComplete)
        case (false, .master):
            return [.removeAddresses(config.addresses)] + enterInit(now: now, reason: .linkDown)
        case (false, .backup):
            return enterInit(now: now, reason: .linkDown)
        default:
            return []
        }
    }

    /// FreeBSD `carp_input_c`: priorities compared as timevals,
    /// (advbase, advskew/256), ours with demotion applied.
    private mutating func received(_ ad: CarpAdvertisement, now: Instant) -> [CarpAction<Instant>] {
        let theirs = CarpTiming.priority(advbase: ad.advbase, advskew: ad.advskew)
        let ours = CarpTiming.priority(advbase: config.advbase, advskew: advertisedSkew)
        switch state {
        case .initial:
            return []
        case .master:
            // BSD has no tie-break: an equal advertisement also makes the master step down.
            if theirs <= ours {
                return [.removeAddresses(config.addresses)]
                    + enterBackup(now: now, reason: .moreFrequentAdvertisement)
            }
            // A slower master exists, e.g. after a split brain heals: stay master and
            // re-announce, so ARP caches that followed the loser come back (keepalived issue #166).
            // At most once per `reannounceInterval`: every slower advertisement (or a flood
            // of forged ones from ever new sources) would otherwise be answered by a
            // broadcast of gratuitous ARPs and NAs.
            if let last = lastReannounce, now < last.advanced(by: reannounceInterval) { return [] }
            lastReannounce = now
            return [.announce(config.vipAddresses)]
        case .backup:
            if config.preempt && theirs > ours {
                return enterMaster(now: now, reason: .preemptingSlowerMaster)
            }
            // A master this slow would time out anyway (this is how a bow-out's 255/255 is
            // taken over at once, preempt or not).
            if theirs > masterWillTimeOutThreshold {
                return enterMaster(now: now, reason: .masterWillTimeOut)
            }
            return armTimer(now.advanced(by: masterDownInterval))
        }
    }

    /// FreeBSD compares against (3 × advbase s, our advskew/256 s); with advbase 0 the
    /// master-down interval itself in 1/256 s. In `Int`: 3 × advbase exceeds a `UInt8` from
    /// advbase 86 on, and FreeBSD compares `struct timeval`s, which do not overflow either.
    private var masterWillTimeOutThreshold: Int {
        if config.advbase == 0 { return 3 * max(Int(configuredSkew), 1) }
        return 3 * Int(config.advbase) * 256 + Int(advertisedSkew)
    }

    private mutating func wakeUp(now: Instant) -> [CarpAction<Instant>] {
        guard let due = deadline else { return [] }
        guard now >= due else { return [.wakeUp(at: due)] }
        switch state {
        case .initial:
            return []
        case .backup:
            return enterMaster(now: now, reason: .masterTimedOut)
        case .master:
            var actions = [advertise()]
            if let left = advertisementsUntilSecondAnnounce {
                if left <= 1 {
                    actions.append(.announce(config.vipAddresses))
                    advertisementsUntilSecondAnnounce = nil
                } else {
                    advertisementsUntilSecondAnnounce = left - 1
                }
            }
            return actions + armTimer(now.advanced(by: advertisementInterval))
        }
    }

    /// A master whose advertised priority changed tells the peer at once instead of at the
    /// next tick (FreeBSD `carp_demote_adj` → `carp_send_ad_all`), so a demoted or
    /// maintenance master is preempted without waiting.
    private mutating func advertiseIfChanged(from before: UInt8, now: Instant) -> [CarpAction<Instant>] {
        guard state == .master, advertisedSkew != before else { return [] }
        return [advertise()] + armTimer(now.advanced(by: advertisementInterval))
    }

    private mutating func shutdown(now: Instant) -> [CarpAction<Instant>] {
        var actions: [CarpAction<Instant>] = []
        if state == .master {
            actions.append(advertise(advbase: CarpTiming.bowOutAdvbase, advskew: CarpTiming.bowOutAdvskew))
            actions.append(.removeAddresses(config.addresses))
        }
        if state != .initial {
            actions += enterInit(now: now, reason: .shutdown)
        }
        isStopped = true
        return actions
    }

    // MARK: - Transitions

    private mutating func enterMaster(now: Instant, reason: CarpTransitionReason) -> [CarpAction<Instant>] {
        // Addresses first so the gratuitous ARP that follows announces something that is
        // there; then advertise at once (FreeBSD `carp_master_down_locked`).
        var actions = [record(.master, now: now, reason: reason)]
        actions.append(.addAddresses(config.addresses))
        actions.append(advertise())
        actions.append(.announce(config.vipAddresses))
        advertisementsUntilSecondAnnounce = 2
        return actions + armTimer(now.advanced(by: advertisementInterval))
    }

    private mutating func enterBackup(now: Instant, reason: CarpTransitionReason) -> [CarpAction<Instant>] {
        advertisementsUntilSecondAnnounce = nil
        return [record(.backup, now: now, reason: reason)] + armTimer(now.advanced(by: masterDownInterval))
    }

    private mutating func enterInit(now: Instant, reason: CarpTransitionReason) -> [CarpAction<Instant>] {
        advertisementsUntilSecondAnnounce = nil
        deadline = nil
        return [record(.initial, now: now, reason: reason)]
    }

    private mutating func record(_ next: CarpState, now: Instant, reason: CarpTransitionReason) -> CarpAction<Instant> {
        let transition = CarpTransition(time: now, vhid: config.vhid, interface: config.interface,
                                        from: state, to: next, reason: reason)
        state = next
        transitions.append(transition)
        if transitions.count > Self.transitionHistoryLimit { transitions.removeFirst() }
        return .transition(transition)
    }

    private mutating func armTimer(_ at: Instant) -> [CarpAction<Instant>] {
        deadline = at
        return [.wakeUp(at: at)]
    }

    private mutating func advertise(advbase: UInt8? = nil, advskew: UInt8? = nil) -> CarpAction<Instant> {
        let counter = nextCounter
        nextCounter &+= 1
        lastSentCounter = counter
        let ad = CarpAdvertisement.signed(vhid: config.vhid, advbase: advbase ?? config.advbase,
                                          advskew: advskew ?? advertisedSkew, counter: counter,
                                          key: config.key, addresses: config.vipAddresses)
        return .send(ad, families: config.families)
    }
}

extension CarpMachine {
    /// The context the receive ladder needs for this vhid.
    public var receiveContext: CarpReceiveContext {
        CarpReceiveContext(key: config.key, addresses: config.vipAddresses, lastSentCounter: lastSentCounter)
    }
}
