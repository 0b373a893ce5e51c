import Foundation
import Logging
import ServiceLifecycle
import TandemAddress
import TandemNetlink
import TandemStateSync
import TandemSystem

/// Mirrors the conntrack table to the peer (DESIGN.md item 5): this node's forwarded flows
/// from ctnetlink events go to the `SyncDriver`; the peer's flows come back and are injected
/// with their NAT bindings. The driver is not thread-safe and every call blocks briefly, so
/// all of it runs on one dedicated thread. Until the initial bulk from the peer has arrived
/// (or timed out) CARP stays demoted, so a returning node does not take the VIPs before it
/// holds the states (state-sync.md; pfSense's pfsync demotion).
struct StateSyncService: Service {
    static let demotionSource = "state sync"

    let settings: StateSyncSettings
    let filter: FlowFilter
    let daemon: NodeDaemon
    let logger: Logger
    /// False after a handover: the kernel's table never left this node, only the daemon
    /// was replaced, so there is no bulk to wait for before holding the VIPs.
    var demoteUntilBulk = true

    func run() async throws {
        if demoteUntilBulk {
            await daemon.dispatch(.setDemotion(source: Self.demotionSource, value: 240))
        }
        let worker = SyncWorker(settings: settings, filter: filter, daemon: daemon, logger: logger)
        worker.start()
        try? await gracefulShutdown()
        worker.stop()
    }
}

final class SyncWorker: @unchecked Sendable {
    private let settings: StateSyncSettings
    private let filter: FlowFilter
    private let daemon: NodeDaemon
    private let logger: Logger
    private let lock = NSLock()
    private var stopRequested = false
    private let finished = DispatchSemaphore(value: 0)

    init(settings: StateSyncSettings, filter: FlowFilter, daemon: NodeDaemon, logger: Logger) {
        self.settings = settings
        self.filter = filter
        self.daemon = daemon
        self.logger = logger
    }

    func start() {
        let t = Thread { [self] in
            defer { finished.signal() }
            do { try loop() } catch {
                logger.error("state sync stopped: \(error)")
                publish(StateSyncSection(interface: settings.device, peer: settings.peer.description, state: "error: \(error)"))
                undemote()
            }
        }
        t.name = "tandem-state-sync"
        t.start()
    }

    func stop() {
        lock.withLock { stopRequested = true }
        finished.wait()
    }

    private var stopping: Bool { lock.withLock { stopRequested } }

    private func loop() throws {
        if !SyncMemory.keepLargeBlocksMapped() {
            logger.warning("state sync: mallopt(M_MMAP_THRESHOLD) refused; freed table memory may stay resident")
        }
        let table = try ConntrackKernelTable()
        // Unreliable delivery, so an overrun is reported (ENOBUFS) and repaired from a dump.
        // Reliable delivery hides it: an undelivered NEW event waits for the flow's next
        // packet, and an idle flow is never synced (measured: 100,000 entries created at full
        // speed, 12,000 never reached the peer). conntrackd's default is the same
        // (state-sync.md §2.7); the 32 MiB buffer holds ~40k events of backlog.
        let monitor = try ConntrackEventMonitor(ignoringEventsOf: [table], reliable: false, receiveBufferBytes: 32 << 20)
        let driver = try SyncDriver(settings: settings, scope: filter.scope)
        let log = logger
        driver.onRemoteChanges = { changes in Self.inject(changes, into: table, logger: log) }
        var peerAlive = false
        var adoptKernelTable = false
        driver.onNotice = { [self] notice in
            switch notice {
            case .peerUp: peerAlive = true; logger.notice("state sync: peer \(settings.peer) up")
            case .peerDown:
                // The flows this node took over from the peer are in its kernel but only in
                // the core's remote cache; adopt them as local, so the bulk the restarted
                // peer asks for carries them (pfsync sends every state, state-sync.md §1.4).
                peerAlive = false; adoptKernelTable = true
                logger.warning("state sync: peer \(settings.peer) down")
            case .peerRestarted: logger.notice("state sync: peer \(settings.peer) restarted")
            case .adoptKernelTable:
                // The peer restarted while this node carries its flows: the core keeps only
                // hashes of them, the kernel has their states.
                adoptKernelTable = true
            case .initialBulk(let outcome):
                logger.notice("state sync: initial bulk \(outcome == .completed ? "received" : "timed out"); CARP demotion lifted")
                // The status first, then the demotion lifted, in that order: a `tandem status`
                // that shows CARP taking over never shows the bulk still pending (the regular
                // publication comes every 200 ms only).
                var done = section(driver.status, peerAlive: peerAlive, now: driver.clock.now)
                if done.state == "initial bulk pending" { done.state = "peer up" }
                undemote(after: done)
            }
        }
        // Everything this node holds now, then greet the peer and ask for its flows.
        driver.local(try table.dump().filter(filter.shouldSync).map(FlowChange.update))
        driver.start()
        logger.info("state sync on \(settings.device) \(settings.local) ↔ \(settings.peer):\(settings.port)")

        var fds = [pollfd(fd: driver.fileDescriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: monitor.fileDescriptor, events: Int16(POLLIN), revents: 0)]
        var lastPublish = ContinuousClock.now
        // After an overrun the table is dumped once the event queue has been emptied (until
        // then the kernel drops events without reporting it again) and at most once a second:
        // under a sustained overload every dump would overrun again, and one later dump
        // covers them all.
        var resyncDue: ContinuousClock.Instant?
        var lastResync = ContinuousClock.now - .seconds(1)
        while !stopping {
            // Wake for the socket, a conntrack event, the driver's next timer or at most
            // 100 ms (to notice stop()).
            // Rounded up: a deadline less than a millisecond away must not become a zero
            // timeout, or the loop spins through poll until it passes (measured: most of the
            // backup's excess CPU, with an ack deadline every 20 ms).
            var wait: Int32 = 100
            if let deadline = driver.nextDeadline {
                let (seconds, attoseconds) = (deadline - driver.clock.now).components
                let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
                wait = Int32(max(0, min(100, (nanoseconds + 999_999) / 1_000_000)))
            }
            for i in fds.indices { fds[i].revents = 0 }
            if poll(&fds, nfds_t(fds.count), wait) < 0 && errno != EINTR {
                throw NetlinkError("poll(state sync)", errno: errno)
            }
            // Read only what poll flagged (POLLERR/POLLHUP included: the read reports them);
            // each read is bounded, and what it leaves keeps the descriptor readable for the
            // next turn.
            let syncReadable = fds[0].revents != 0
            let eventsReadable = fds[1].revents != 0
            var changes: [FlowChange] = []
            for event in eventsReadable ? try monitor.receiveQueued() : [] {
                switch event {
                case .new(let f), .update(let f): if filter.shouldSync(f) { changes.append(.update(f)) }
                case .destroy(let f): if filter.shouldSync(f) { changes.append(.delete(f.key)) }
                case .resyncNeeded:
                    if resyncDue == nil {
                        logger.warning("state sync: conntrack events lost; resynchronising from a dump of the table")
                        resyncDue = max(.now, lastResync + .seconds(1))
                    }
                }
            }
            if !changes.isEmpty { driver.local(changes) }
            // An event socket that poll did not flag is empty.
            if let due = resyncDue, ContinuousClock.now >= due, !eventsReadable || monitor.drained {
                // The table as it is now, after what came before the overrun: flows whose
                // destroy event was lost go too.
                resyncDue = nil
                lastResync = .now
                driver.localSnapshot(try table.dump().filter(filter.shouldSync))
            }
            driver.setCarrying(daemon.mastership.isMaster)
            if syncReadable { driver.readable() }
            driver.tick()
            // Asked for by a notice of this turn's datagrams or timers.
            if adoptKernelTable {
                adoptKernelTable = false
                driver.local(try table.dump().filter(filter.shouldSync).map(FlowChange.update))
            }
            if ContinuousClock.now - lastPublish > .milliseconds(200) {
                publish(section(driver.status, peerAlive: peerAlive, now: driver.clock.now))
                lastPublish = .now
            }
        }
    }

    /// The peer's changes into the kernel table, with their NAT bindings; failures are
    /// logged per flow and do not stop the rest.
    static func inject(_ changes: [FlowChange], into table: ConntrackKernelTable, logger: Logger) {
        var updates: [FlowState] = []
        var deletes: [FlowKey] = []
        for change in changes {
            switch change {
            case .update(let f): updates.append(f)
            case .delete(let k): deletes.append(k)
            }
        }
        do {
            for (flow, result) in zip(updates, try table.apply(updates)) {
                if case .failure(let error) = result { logger.warning("state sync: inject \(flow.key): \(error)") }
            }
            if !deletes.isEmpty { _ = try table.delete(deletes) }
        } catch {
            logger.error("state sync: conntrack: \(error)")
        }
    }

    private func section(_ s: SyncStatus, peerAlive: Bool, now: SyncTime) -> StateSyncSection {
        let c = s.counters
        let a = s.agreement
        func ago(_ t: SyncTime?) -> Double? { t.map { let d = now - $0; return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 } }
        let agreement = StateSyncAgreement(state: a.state.rawValue, forSeconds: ago(a.since), checkedSecondsAgo: ago(a.checked),
                                           peerFlows: a.peerFlows, replicaFlows: a.replicaFlows)
        let state = s.initialBulkPending ? "initial bulk pending" : (s.peerAlive || peerAlive ? "peer up" : "peer down")
        // Every rejection and refusal by reason (STYLE §13), next to the totals.
        var byReason: [String: Int] = [:]
        for (reason, n) in c.rejected { byReason["rejected." + reason.rawValue] = n }
        for (reason, n) in c.flowsRefused { byReason["peerFlowsRefused." + reason.rawValue] = n }
        return StateSyncSection(
            interface: settings.device, peer: settings.peer.description, state: state,
            localFlows: s.localFlows, remoteFlows: s.remoteFlows,
            counters: ["datagramsSent": c.datagramsSent, "datagramsReceived": c.datagramsReceived,
                       "recordsSent": c.recordsSent, "recordsReceived": c.recordsReceived,
                       "recordsResent": c.recordsResent, "nacksSent": c.nacksSent, "nacksReceived": c.nacksReceived,
                       "bulksSent": c.bulksSent, "bulksReceived": c.bulksReceived, "peerRestarts": c.peerRestarts,
                       "voidsSent": c.voidsSent, "digestsSent": c.digestsSent, "digestsCompared": c.digestsCompared,
                       "digestsSkipped": c.digestsSkipped, "disagreements": c.disagreements,
                       "bulksRequestedOnDisagreement": c.bulksRequestedOnDisagreement,
                       "rejected": c.rejectedTotal, "peerFlowsRefused": c.refusedTotal,
                       "peerTimeoutsCapped": c.timeoutsCapped, "recordsOutOfWindow": c.recordsOutOfWindow,
                       "duplicateRecords": c.duplicateRecords, "resendQueueOverflows": c.resendQueueOverflows,
                       // A level, not a count: records sent and not yet acknowledged (the lag
                       // /metrics exports as tandem_statesync_lag_records).
                       "resendQueue": s.resendQueue].merging(byReason) { a, _ in a },
            agreement: agreement)
    }

    private func publish(_ section: StateSyncSection) {
        let daemon = self.daemon
        Task { await daemon.setSyncStatus(section) }
    }

    private func undemote(after section: StateSyncSection? = nil) {
        let daemon = self.daemon
        Task {
            if let section { await daemon.setSyncStatus(section) }
            await daemon.dispatch(.setDemotion(source: StateSyncService.demotionSource, value: 0))
        }
    }
}
