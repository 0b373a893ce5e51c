#if canImport(Glibc)
import Glibc
#endif
import CMnl
import TandemStateSync

/// A change in the kernel's conntrack table.
public enum ConntrackEvent: Sendable, Hashable {
    case new(FlowState)
    case update(FlowState)
    case destroy(FlowState)
    /// Events were lost (the socket overran and reported ENOBUFS): the receiver no longer
    /// knows the table and must dump it again (state-sync.md §0.4, §2.7).
    case resyncNeeded
}

/// Where conntrack events come from; the mirror polls it. A fake replays scripted events.
public protocol ConntrackEventSource: AnyObject {
    /// Waits up to `timeoutMilliseconds` (0 = only what is queued) and returns what arrived.
    func receive(timeoutMilliseconds: Int32) throws(NetlinkError) -> [ConntrackEvent]
}

/// Subscribes to ctnetlink NEW/UPDATE/DESTROY events in the network namespace it was created
/// in (state-sync.md §4.3).
///
/// Reliability: asks for reliable delivery (NETLINK_BROADCAST_ERROR + NETLINK_NO_ENOBUFS: the
/// kernel keeps undelivered event bits and retries destroy events) and a large receive buffer.
/// If reliable mode is off or refused and the socket overruns, `receive` reports
/// `.resyncNeeded` once per overrun.
///
/// Own insertions: the kernel stamps an event caused by a ctnetlink request with the
/// requesting socket's port id (nlmsg_pid; 0 for events caused by packets), so events whose
/// port id belongs to one of our injecting sockets are dropped here and counted. This is
/// exact — no comparison with what was injected, no timing window — and is what conntrackd
/// does (state-sync.md §2.7 "Loop avoidance", `src/origin.c`).
public final class ConntrackEventMonitor: ConntrackEventSource {
    public struct Options: Sendable {
        /// Ask for reliable delivery. Measured (kernel 6.18, 4 KiB buffer, 2,000 entries
        /// injected by another socket while nobody read): 6 NEW events arrived and no ENOBUFS
        /// was reported — undelivered NEW bits wait for the flow's next event — while the
        /// 2,000 DESTROY events were redelivered at about 100/s. Reliable mode therefore
        /// hides loss instead of reporting it: keep the buffer large and the periodic
        /// consistency sweep (state-sync.md §0.4) either way.
        public var reliable: Bool
        /// SO_RCVBUF(FORCE) in bytes.
        public var receiveBufferBytes: Int32
        /// Port ids whose events are ours (see `ConntrackKernelTable.portID`).
        public var ignoredPortIDs: Set<UInt32>

        public init(reliable: Bool = true, receiveBufferBytes: Int32 = 8 << 20, ignoredPortIDs: Set<UInt32> = []) {
            self.reliable = reliable
            self.receiveBufferBytes = receiveBufferBytes
            self.ignoredPortIDs = ignoredPortIDs
        }
    }

    public struct Counters: Sendable, Hashable {
        public var events = 0
        /// Events caused by our own requests, skipped.
        public var ownEventsIgnored = 0
        /// ENOBUFS overruns reported.
        public var overruns = 0
        /// Messages that were not a conntrack entry Tandem replicates.
        public var unusable = 0
    }

    private let socket: NetlinkSocket
    private let buffer: UnsafeMutableRawBufferPointer
    public var ignoredPortIDs: Set<UInt32>
    /// Whether the kernel accepted reliable delivery.
    public let isReliable: Bool
    public private(set) var counters = Counters()
    /// The last `receive` emptied the socket. After an overrun the kernel drops further
    /// events without reporting ENOBUFS again until the queue has been emptied (netlink's
    /// congested state, `netlink_overrun` / `netlink_rcv_wake`), so a resynchronising dump
    /// must wait for this to cover them.
    public private(set) var drained = false

    /// NF_NETLINK_CONNTRACK_NEW | UPDATE | DESTROY (legacy bind bitmask).
    static let groups: UInt32 = 0x1 | 0x2 | 0x4

    public init(options: Options = Options()) throws(NetlinkError) {
        let s = try netlink({ try NetlinkSocket(bus: NETLINK_NETFILTER, groups: Self.groups) })
        var reliable = false
        if options.reliable {
            reliable = (try? s.setOption(NETLINK_BROADCAST_ERROR, 1)) != nil
                && (try? s.setOption(NETLINK_NO_ENOBUFS, 1)) != nil
        }
        try netlink({ try s.setBufferSizes(receive: options.receiveBufferBytes) })
        try netlink({ try s.setNonBlocking() })
        socket = s
        isReliable = reliable
        ignoredPortIDs = options.ignoredPortIDs
        buffer = .allocate(byteCount: 256 * 1024, alignment: 8)
    }

    /// A monitor that skips the events caused by `tables`' own requests (the mirror's
    /// injections).
    public convenience init(ignoringEventsOf tables: [ConntrackKernelTable], reliable: Bool = true,
                            receiveBufferBytes: Int32 = 8 << 20) throws(NetlinkError) {
        try self.init(options: Options(reliable: reliable, receiveBufferBytes: receiveBufferBytes,
                                       ignoredPortIDs: Set(tables.map(\.portID))))
    }

    deinit { buffer.deallocate() }

    /// For the daemon's poll/epoll loop.
    public var fileDescriptor: Int32 { socket.fileDescriptor }

    public func receive(timeoutMilliseconds: Int32) throws(NetlinkError) -> [ConntrackEvent] {
        var events: [ConntrackEvent] = []
        drained = false
        guard try netlink({ try socket.waitReadable(timeoutMilliseconds: timeoutMilliseconds) }) else {
            drained = true
            return events
        }
        // Drain what is queued, bounded so one busy burst cannot starve the caller.
        for _ in 0..<256 {
            let n: Int
            do {
                guard let got = try netlink({ try socket.receive(into: buffer, operation: "conntrack events") }) else {
                    drained = true
                    break
                }
                n = got
            } catch where error.errno == ENOBUFS {
                counters.overruns += 1
                if events.last != .resyncNeeded { events.append(.resyncNeeded) }
                continue
            }
            decode(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: &events)
        }
        return events
    }

    private func decode(_ datagram: UnsafeRawBufferPointer, into events: inout [ConntrackEvent]) {
        for h in ConntrackMessage.headers(in: datagram) where h.type >> 8 == ConntrackMessage.subsystem {
            if h.portID != 0, ignoredPortIDs.contains(h.portID) {
                counters.ownEventsIgnored += 1
                continue
            }
            guard case .flow(let flow) = ConntrackMessage.flow(h, in: datagram) else {
                counters.unusable += 1
                continue
            }
            counters.events += 1
            events.append(Self.classify(h, flow))
        }
    }

    /// IPCTNL_MSG_CT_NEW with NLM_F_CREATE|NLM_F_EXCL is a new entry, without them an
    /// update; IPCTNL_MSG_CT_DELETE a destroy (libnetfilter_conntrack
    /// `__parse_message_type`, state-sync.md §4.1).
    static func classify(_ h: ConntrackMessage.Header, _ flow: FlowState) -> ConntrackEvent {
        switch h.type & 0xff {
        case ConntrackMessage.Kind.delete.rawValue: return .destroy(flow)
        default:
            let createExcl = ConntrackMessage.create | ConntrackMessage.exclusive
            return h.flags & createExcl == createExcl ? .new(flow) : .update(flow)
        }
    }
}
