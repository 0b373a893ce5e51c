#if canImport(Glibc)
import Glibc
#endif
import CMnl
import TandemAddress
import TandemStateSync

/// The kernel's conntrack table over ctnetlink, in the network namespace the object was
/// created in (open it inside `NetworkNamespace.run` for a test namespace; state-sync.md §5
/// "Network namespaces"). Not thread-safe: one owner (the mirror) drives it.
public final class ConntrackKernelTable: ConntrackTable {
    private let socket: NetlinkSocket
    private let sendBuffer: UnsafeMutableRawBufferPointer
    private let receiveBuffer: UnsafeMutableRawBufferPointer

    /// The netlink port id of this table's socket. The kernel stamps the events caused by
    /// our own requests with it, which is how `ConntrackEventMonitor` recognises and skips
    /// them (state-sync.md §2.7 "Loop avoidance").
    public var portID: UInt32 { socket.portID }

    /// How often a request answered EAGAIN is retried (nf_nat or a helper being loaded on
    /// demand, state-sync.md §4.2 "Create").
    static let eagainRetries = 5

    public init() throws(NetlinkError) {
        let s = try netlink({ try NetlinkSocket(bus: NETLINK_NETFILTER) })
        // ACKs without the echoed request: a batch's acknowledgements take a quarter of the
        // room (NETLINK_CAP_ACK = 10). Best effort: older kernels simply echo.
        try? s.setOption(10, 1)
        // A batch of requests is answered by one ACK per message; size the buffer so a full
        // batch's answers never overflow it.
        try netlink({ try s.setBufferSizes(send: 1 << 20, receive: 4 << 20) })
        // The kernel always answers a request; a bound on the wait turns a lost answer into
        // an error instead of a hang.
        try netlink({ try s.setReceiveTimeout(milliseconds: 10_000) })
        socket = s
        sendBuffer = .allocate(byteCount: 64 * 1024, alignment: 8)
        receiveBuffer = .allocate(byteCount: 256 * 1024, alignment: 8)
    }

    deinit {
        sendBuffer.deallocate()
        receiveBuffer.deallocate()
    }

    // MARK: - Requests

    /// Sends one request per index in `indices`, packed into as few datagrams as fit, and
    /// returns each one's errno (0 = done). Requests answered EAGAIN are sent again.
    /// `onMessage` receives the data messages answering a request (a GET's entry).
    func perform(_ indices: [Int], operation: String,
                 encode: (Int, UInt32, UnsafeMutableRawPointer) throws(NetlinkError) -> Int,
                 onMessage: (Int, ConntrackMessage.Header, UnsafeRawBufferPointer) -> Void = { _, _, _ in })
        throws(NetlinkError) -> [Int: Int32] {
        var results: [Int: Int32] = [:]
        var pending = indices
        for _ in 0...Self.eagainRetries {
            guard !pending.isEmpty else { break }
            var retry: [Int] = []
            var next = 0
            while next < pending.count {
                var bySequence: [UInt32: Int] = [:]
                var offset = 0
                while next < pending.count, offset + ConntrackMessage.maximumSize <= sendBuffer.count {
                    let seq = socket.sequence()
                    offset += try encode(pending[next], seq, sendBuffer.baseAddress! + offset)
                    bySequence[seq] = pending[next]
                    next += 1
                }
                try netlink({ try socket.send(UnsafeRawBufferPointer(rebasing: sendBuffer[0..<offset]), operation: operation) })
                try collectAcknowledgements(&bySequence, operation: operation, onMessage: onMessage) { index, code in
                    if code == EAGAIN { retry.append(index) } else { results[index] = code }
                }
            }
            pending = retry
        }
        for index in pending { results[index] = EAGAIN }
        return results
    }

    /// Reads until every sequence number in `waiting` has its ACK or error.
    private func collectAcknowledgements(_ waiting: inout [UInt32: Int], operation: String,
                                         onMessage: (Int, ConntrackMessage.Header, UnsafeRawBufferPointer) -> Void,
                                         _ answer: (Int, Int32) -> Void) throws(NetlinkError) {
        while !waiting.isEmpty {
            guard let n = try netlink({ try socket.receive(into: receiveBuffer, operation: operation) }) else {
                throw NetlinkError(operation, errno: ETIMEDOUT, context: "no answer from ctnetlink")
            }
            let datagram = UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<n])
            for h in ConntrackMessage.headers(in: datagram) {
                if h.type == ConntrackMessage.error {
                    if let index = waiting.removeValue(forKey: h.sequence) {
                        answer(index, ConntrackMessage.errorCode(h, in: datagram))
                    }
                } else if let index = waiting[h.sequence] {
                    onMessage(index, h, datagram)
                }
            }
        }
    }

    func single(_ flow: FlowState, kind: ConntrackMessage.Kind, flags: UInt16,
                        purpose: ConntrackPurpose, operation: String) throws(NetlinkError) -> Int32 {
        let results = try perform([0], operation: operation) { _, seq, at throws(NetlinkError) in
            let object = try ConntrackObject(flow: flow, for: purpose)
            return try ConntrackMessage.write(at: at, kind: kind, flags: flags, sequence: seq,
                                              family: Self.family(flow.family), object: object)
        }
        return results[0] ?? EPROTO
    }

    static func family(_ f: IPFamily?) -> UInt8 {
        switch f {
        case .ipv4: ConntrackObject.afINET
        case .ipv6: ConntrackObject.afINET6
        case nil: 0
        }
    }

    func check(_ code: Int32, _ operation: String, _ flow: FlowState) throws(NetlinkError) {
        guard code == 0 else { throw NetlinkError(operation, errno: code, context: flow.conntrackDescription) }
    }

    // MARK: - ConntrackTable

    public func create(_ flow: FlowState) throws(NetlinkError) {
        let f = ConntrackInjection.forCreation(flow)
        let flags = ConntrackMessage.request | ConntrackMessage.ack | ConntrackMessage.create | ConntrackMessage.exclusive
        let code = try perform([0], operation: "ctnetlink create") { _, seq, at throws(NetlinkError) in
            try ConntrackMessage.writeCreate(at: at, flags: flags, sequence: seq, flow: f)
        }[0] ?? EPROTO
        try check(code, "ctnetlink create", flow)
    }

    public func update(_ flow: FlowState) throws(NetlinkError) {
        let flags = ConntrackMessage.request | ConntrackMessage.ack
        var code = try single(flow, kind: .new, flags: flags, purpose: .update(includeStatus: true),
                              operation: "ctnetlink update")
        if code == EBUSY {
            // The kernel entry already has SEEN_REPLY/ASSURED and the update would clear
            // them (refused, state-sync.md §4.2): it is further along than this copy, so keep
            // its status and update the rest.
            code = try single(flow, kind: .new, flags: flags, purpose: .update(includeStatus: false),
                              operation: "ctnetlink update")
        }
        try check(code, "ctnetlink update", flow)
    }

    @discardableResult
    public func apply(_ flow: FlowState) throws(NetlinkError) -> ConntrackApplyOutcome {
        do {
            try create(flow)
            return .created
        } catch where error.errno == EEXIST {
            return try applyToExisting(flow)
        }
    }

    /// EEXIST: update in place if the kernel holds the same NAT binding; otherwise the
    /// binding must be made identical to the peer's (state-sync.md §3), which only a new
    /// entry can do.
    private func applyToExisting(_ flow: FlowState) throws(NetlinkError) -> ConntrackApplyOutcome {
        if let current = try get(flow.key), current.reply != ConntrackInjection.expectedReply(of: flow) {
            try delete(flow.key)
            try create(flow)
            return .replaced
        }
        do {
            try update(flow)
            return .updated
        } catch where error.errno == ENOENT {
            // Expired between the two requests.
            try create(flow)
            return .created
        }
    }

    @discardableResult
    public func delete(_ key: FlowKey) throws(NetlinkError) -> Bool {
        let flow = Self.lookupFlow(key)
        let code = try single(flow, kind: .delete, flags: ConntrackMessage.request | ConntrackMessage.ack,
                              purpose: .lookup, operation: "ctnetlink delete")
        if code == ENOENT { return false }
        try check(code, "ctnetlink delete", flow)
        return true
    }

    /// A flow carrying only what a lookup needs (original tuple, protocol, zone).
    static func lookupFlow(_ key: FlowKey) -> FlowState {
        FlowState(family: key.family, l4proto: key.l4proto, original: key.original, reply: key.original,
                  status: 0, timeout: 0, zone: key.zone)
    }

    public func get(_ key: FlowKey) throws(NetlinkError) -> FlowState? {
        let flow = Self.lookupFlow(key)
        let seq = socket.sequence()
        let object = try ConntrackObject(flow: flow, for: .lookup)
        let length = try ConntrackMessage.write(at: sendBuffer.baseAddress!, kind: .get,
                                                flags: ConntrackMessage.request | ConntrackMessage.ack,
                                                sequence: seq, family: Self.family(key.family), object: object)
        try netlink({ try socket.send(UnsafeRawBufferPointer(rebasing: sendBuffer[0..<length]), operation: "ctnetlink get") })
        var found: FlowState?
        while true {
            guard let n = try netlink({ try socket.receive(into: receiveBuffer, operation: "ctnetlink get") }) else {
                throw NetlinkError("ctnetlink get", errno: ETIMEDOUT, context: flow.conntrackDescription)
            }
            let datagram = UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<n])
            for h in ConntrackMessage.headers(in: datagram) where h.sequence == seq {
                if h.type == ConntrackMessage.error {
                    let code = ConntrackMessage.errorCode(h, in: datagram)
                    if code == ENOENT { return nil }
                    try check(code, "ctnetlink get", flow)
                    return found
                }
                if case .flow(let f) = ConntrackMessage.flow(h, in: datagram) { found = f }
            }
        }
    }

    public func dump(family: IPFamily?) throws(NetlinkError) -> [FlowState] {
        var flows: [FlowState] = []
        try walk(family: family) { h, datagram in
            if case .flow(let f) = ConntrackMessage.flow(h, in: datagram) { flows.append(f) }
        }
        return flows
    }

    public func count(family: IPFamily?) throws(NetlinkError) -> Int {
        var n = 0
        try walk(family: family) { _, _ in n += 1 }
        return n
    }

    /// Runs a dump (IPCTNL_MSG_CT_GET + NLM_F_DUMP; the family in nfgenmsg filters, 0 =
    /// all) and hands each entry's message to `body`.
    private func walk(family: IPFamily?, _ body: (ConntrackMessage.Header, UnsafeRawBufferPointer) -> Void)
        throws(NetlinkError) {
        let seq = socket.sequence()
        let length = try ConntrackMessage.write(at: sendBuffer.baseAddress!, kind: .get,
                                                flags: ConntrackMessage.request | ConntrackMessage.dump,
                                                sequence: seq, family: Self.family(family))
        try netlink({ try socket.send(UnsafeRawBufferPointer(rebasing: sendBuffer[0..<length]), operation: "ctnetlink dump") })
        while true {
            guard let n = try netlink({ try socket.receive(into: receiveBuffer, operation: "ctnetlink dump") }) else {
                throw NetlinkError("ctnetlink dump", errno: ETIMEDOUT, context: "no answer from ctnetlink")
            }
            let datagram = UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<n])
            for h in ConntrackMessage.headers(in: datagram) where h.sequence == seq {
                switch h.type {
                case ConntrackMessage.done: return
                case ConntrackMessage.error:
                    let code = ConntrackMessage.errorCode(h, in: datagram)
                    if code == 0 { return }
                    throw NetlinkError("ctnetlink dump", errno: code, context: "family \(family.map { "\($0)" } ?? "all")")
                default: body(h, datagram)
                }
            }
        }
    }
}
