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
/// does (state-sync.md §2.7 "Loop avoidance", `src/origin.c`). A socket filter does the same
/// test in the kernel, so on the backup, where every injected peer flow raises an event, those
/// events neither wake the sync thread nor take room in the receive buffer; the check here
/// stays for a kernel that refuses the filter.
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
        /// Drop the events of `ignoredPortIDs` in the kernel with a socket filter.
        public var kernelFilter: Bool

        public init(reliable: Bool = true, receiveBufferBytes: Int32 = 8 << 20, ignoredPortIDs: Set<UInt32> = [],
                    kernelFilter: Bool = true) {
            self.reliable = reliable
            self.receiveBufferBytes = receiveBufferBytes
            self.ignoredPortIDs = ignoredPortIDs
            self.kernelFilter = kernelFilter
        }
    }

    public struct Counters: Sendable, Hashable {
        public var events = 0
        /// Events caused by our own requests that reached this socket and were skipped here
        /// (none while `filtersInKernel`).
        public var ownEventsIgnored = 0
        /// ENOBUFS overruns reported.
        public var overruns = 0
        /// Messages that were not a conntrack entry Tandem replicates.
        public var unusable = 0
    }

    private let socket: NetlinkSocket
    private let buffer: UnsafeMutableRawBufferPointer
    public private(set) var ignoredPortIDs: Set<UInt32>
    /// Whether the kernel drops the events of `ignoredPortIDs` before they are queued.
    public private(set) var filtersInKernel = false
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
        if options.kernelFilter, !ignoredPortIDs.isEmpty {
            // Refused (no CONFIG_BPF?): the check in `decode` still skips them.
            filtersInKernel = (try? s.attachFilter(Self.ownEventFilter(ignoring: ignoredPortIDs))) != nil
        }
    }

    /// A classic BPF program that rejects a message whose nlmsg_pid is one of `portIDs` and
    /// accepts the rest. Every conntrack event is its own skb with one message, so the
    /// program sees its header at offset 0. BPF loads words in network byte order while the
    /// header is in host order, hence the byte swap of the constants.
    static func ownEventFilter(ignoring portIDs: Set<UInt32>) -> [sock_filter] {
        let ports = portIDs.sorted()
        let pidOffset = UInt32(MemoryLayout<nlmsghdr>.offset(of: \.nlmsg_pid)!)
        var program = [sock_filter(code: UInt16(BPF_LD | BPF_W | BPF_ABS), jt: 0, jf: 0, k: pidOffset)]
        for (i, port) in ports.enumerated() {
            // Taken: skip the remaining comparisons and the accept, to the reject.
            let toReject = UInt8(ports.count - i)
            let wire = UInt32(bigEndian: port)
            program.append(sock_filter(code: UInt16(BPF_JMP | BPF_JEQ | BPF_K), jt: toReject, jf: 0, k: wire))
        }
        program.append(sock_filter(code: UInt16(BPF_RET | BPF_K), jt: 0, jf: 0, k: UInt32.max))
        program.append(sock_filter(code: UInt16(BPF_RET | BPF_K), jt: 0, jf: 0, k: 0))
        return program
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
        drained = false
        guard try netlink({ try socket.waitReadable(timeoutMilliseconds: timeoutMilliseconds) }) else {
            drained = true
            return []
        }
        return try receiveQueued()
    }

    /// What is queued now, without a poll first: for a loop whose own poll reported the
    /// descriptor readable.
    public func receiveQueued() throws(NetlinkError) -> [ConntrackEvent] {
        var events: [ConntrackEvent] = []
        drained = false
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
