/// A change of a flow table, in the order it must be applied.
public enum FlowChange: Sendable, Equatable {
    case update(FlowState)
    case delete(FlowKey)
}

/// Events the daemon reacts to (CARP demotion, status, logs).
public enum SyncNotice: Sendable, Equatable {
    case peerUp
    case peerDown
    case peerRestarted
    case initialBulk(InitialBulkOutcome)
    /// Report the kernel's table with `local` (the peer's flows there are this node's now).
    case adoptKernelTable
}

/// Owns the protocol core, the codec, a transport and a clock, and carries out the core's
/// actions: the daemon feeds it this node's flow changes and readiness of the socket, and
/// gets the peer's flow changes back through `onRemoteChanges` (for the conntrack mirror)
/// and protocol events through `onNotice`.
///
/// Not thread-safe: one task or thread drives it (the daemon's sync service).
public final class SyncDriver {
    public private(set) var core: SyncCore
    public let codec: SyncCodec
    public let transport: any SyncTransport
    public let clock: any SyncClock

    /// The peer's flows to install or remove, batched per call, in order.
    public var onRemoteChanges: ([FlowChange]) -> Void = { _ in }
    public var onNotice: (SyncNotice) -> Void = { _ in }

    /// Datagrams the socket refused for lack of buffer space (recovered by resends).
    public private(set) var transportDrops = 0
    public private(set) var socketErrors = 0
    public private(set) var lastSocketError: SyncSocketError?

    private var pending: [FlowChange] = []

    /// - Parameter session: the random boot id; a new one per process start, so the peer can
    ///   tell a restart (state-sync.md §7).
    /// - Parameter keys: the direction keys (`SyncKeyPair(secret:local:peer:)` in the daemon).
    ///   Datagrams larger than `configuration.maximumDatagram` (the peer builds none) are
    ///   refused before their tag is computed.
    public init(configuration: SyncConfiguration = SyncConfiguration(), scope: FlowScope = FlowScope(), keys: SyncKeyPair,
                transport: any SyncTransport, clock: any SyncClock = MonotonicSyncClock(),
                session: UInt64 = .random(in: 1...UInt64.max)) {
        core = SyncCore(configuration: configuration, scope: scope, session: session)
        codec = SyncCodec(keys: keys, tagLength: configuration.tagLength, maximumDatagram: configuration.maximumDatagram)
        self.transport = transport
        self.clock = clock
    }

    /// One key both ways, for tests and tools.
    public convenience init(configuration: SyncConfiguration = SyncConfiguration(), key: SyncKey, transport: any SyncTransport,
                            clock: any SyncClock = MonotonicSyncClock(), session: UInt64 = .random(in: 1...UInt64.max)) {
        self.init(configuration: configuration, keys: SyncKeyPair(symmetric: key), transport: transport, clock: clock,
                  session: session)
    }

    public var status: SyncStatus { core.status }
    public var nextDeadline: SyncTime? { core.nextDeadline }
    public var fileDescriptor: Int32 { transport.fileDescriptor }

    /// Greets the peer and asks it for all its flows.
    public func start() { perform([.start]) }

    public func localUpdate(_ flow: FlowState) { perform([.localUpdate(flow)]) }
    public func localDelete(_ key: FlowKey) { perform([.localDelete(key)]) }

    /// A batch of this node's changes (e.g. one read of conntrack events), sent right after.
    public func local(_ changes: [FlowChange]) {
        perform(changes.map { change in
            switch change {
            case .update(let flow): .localUpdate(flow)
            case .delete(let key): .localDelete(key)
            }
        } + [.flush])
    }

    /// This node's whole table from a fresh dump (after lost events), sent right after.
    public func localSnapshot(_ flows: [FlowState]) { perform([.localSnapshot(flows), .flush]) }

    /// Asks the peer for everything again.
    public func requestBulk() { perform([.requestBulk]) }
    public func setCarrying(_ value: Bool) { if core.carrying != value { perform([.carrying(value)]) } }

    /// Reads up to `limit` waiting datagrams (the socket is readable).
    public func readable(limit: Int = 1024) {
        var events: [SyncEvent] = []
        for _ in 0..<limit {
            let received: (bytes: [UInt8], fromPeer: Bool)?
            do {
                received = try transport.receive()
            } catch {
                record(error)
                break
            }
            guard let received else { break }
            guard received.fromPeer else {
                events.append(.rejected(.unexpectedSource))
                continue
            }
            switch codec.decode(received.bytes) {
            case .success(let d): events.append(.received(d))
            case .failure(let reason): events.append(.rejected(reason))
            }
        }
        perform(events)
    }

    /// Runs the core's timers if one is due.
    public func tick() {
        guard let deadline = core.nextDeadline, clock.now >= deadline else { return }
        perform([.tick])
    }

    /// One turn of a simple event loop: wait for the socket until the next deadline (at most
    /// `maxWait`), then read and run timers.
    public func runOnce(maxWait: Duration) {
        var wait = maxWait
        if let deadline = core.nextDeadline {
            let untilDeadline = deadline - clock.now
            if untilDeadline < wait { wait = untilDeadline }
        }
        do {
            _ = try transport.waitReadable(timeout: wait)
        } catch {
            record(error)
        }
        readable()
        tick()
    }

    private func perform(_ events: [SyncEvent]) {
        for event in events {
            for action in core.handle(event, now: clock.now) { carryOut(action) }
        }
        if !pending.isEmpty {
            let changes = pending
            pending.removeAll()
            onRemoteChanges(changes)
        }
    }

    private func carryOut(_ action: SyncAction) {
        switch action {
        case .send(let datagram):
            do {
                if try !transport.send(codec.encode(datagram)) { transportDrops += 1 }
            } catch {
                // Unreachable peer or interface down: the resend machinery recovers once the
                // path is back; keep the error for status.
                record(error)
            }
        case .apply(let flow): pending.append(.update(flow))
        case .remove(let key): pending.append(.delete(key))
        case .peerUp: onNotice(.peerUp)
        case .peerDown: onNotice(.peerDown)
        case .peerRestarted: onNotice(.peerRestarted)
        case .initialBulk(let outcome): onNotice(.initialBulk(outcome))
        case .adoptKernelTable: onNotice(.adoptKernelTable)
        }
    }

    private func record(_ error: SyncSocketError) {
        socketErrors += 1
        lastSocketError = error
    }
}
