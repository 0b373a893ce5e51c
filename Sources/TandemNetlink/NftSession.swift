import CMnl
import CNftnl
import TandemRuleset

/// A NETLINK_NETFILTER socket for nftables requests: generation id, table lookups and
/// batch exchange. Opened in the calling thread's network namespace.
final class NftSession {
    static let netlinkNetfilter: Int32 = 12   // NETLINK_NETFILTER
    static let netlinkCapAck: Int32 = 10      // NETLINK_CAP_ACK
    static let netlinkExtAck: Int32 = 11      // NETLINK_EXT_ACK
    static let solNetlink: Int32 = 270        // SOL_NETLINK
    static let restart: Int32 = 85           // ERESTART
    static let noBufferSpace: Int32 = 105     // ENOBUFS
    static let noEntry: Int32 = 2             // ENOENT
    static let exists: Int32 = 17             // EEXIST

    let socket: NetlinkSocket

    init() throws {
        do {
            socket = try NetlinkSocket(bus: Self.netlinkNetfilter)
            // Error replies carry only the failing header, not the whole message back…
            try socket.setOption(level: Self.solNetlink, Self.netlinkCapAck, 1)
            // …plus the kernel's explanation where it has one.
            try socket.setOption(level: Self.solNetlink, Self.netlinkExtAck, 1)
        } catch let e as NetlinkError {
            throw NftCommitError.netlink(e)
        }
    }

    /// `NFT_MSG_GETGEN` → `NFTA_GEN_ID` (nftables.md §5.3).
    func generation() throws -> UInt32 {
        let seq = socket.sequence()
        let reply = try request(seq: seq, operation: "NFT_MSG_GETGEN") { p in
            nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_GETGEN.rawValue), 0, 0, seq)!
        }
        guard let id = reply.attribute(1), id.count == 4 else {
            throw NftCommitError.netlink(NetlinkError("NFT_MSG_GETGEN: no NFTA_GEN_ID in reply", errno: 71))
        }
        return UInt32(id[0]) << 24 | UInt32(id[1]) << 16 | UInt32(id[2]) << 8 | UInt32(id[3])
    }

    /// Whether the kernel has table `name` of `family` (`NFT_MSG_GETTABLE`).
    func tableExists(_ family: TableFamily, _ name: String) throws -> Bool {
        let seq = socket.sequence()
        let f = NftMessageEncoder.family(family)
        do {
            _ = try request(seq: seq, operation: "NFT_MSG_GETTABLE \(name)") { p in
                let t = nftnl_table_alloc()!
                defer { nftnl_table_free(t) }
                nftnl_table_set_str(t, UInt16(NFTNL_TABLE_NAME.rawValue), name)
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_GETTABLE.rawValue), f, 0, seq)!
                nftnl_table_nlmsg_build_payload(nlh, t)
                return nlh
            }
            return true
        } catch NftCommitError.netlink(let e) where e.errno == Self.noEntry {
            return false
        }
    }

    struct Reply {
        var payload: [UInt8]   // after nlmsghdr and nfgenmsg

        /// `NFTA_RULE_HANDLE` (big-endian u64) of a rule message: a dump reply or an echo.
        var ruleHandle: UInt64? {
            guard let h = attribute(3), h.count == 8 else { return nil }
            return h.reduce(0) { $0 << 8 | UInt64($1) }
        }

        /// The first top-level attribute of `type`.
        func attribute(_ type: UInt16) -> [UInt8]? {
            var o = 0
            while o + 4 <= payload.count {
                let l = Int(payload[o]) | Int(payload[o + 1]) << 8
                let t = (UInt16(payload[o + 2]) | UInt16(payload[o + 3]) << 8) & 0x3fff
                guard l >= 4, o + l <= payload.count else { return nil }
                if t == type { return Array(payload[(o + 4)..<(o + l)]) }
                o += (l + 3) & ~3
            }
            return nil
        }
    }

    /// Sends one request and returns the reply message with its sequence number; an
    /// error reply throws with the errno.
    private func request(seq: UInt32, operation: String,
                         _ build: (UnsafeMutablePointer<CChar>) -> UnsafeMutablePointer<nlmsghdr>) throws -> Reply {
        let buffer = NftBatchBuffer(capacity: 4096)
        buffer.append(room: 1024, build)
        do {
            try socket.send(buffer.bytes, operation: operation)
            var receive = [UInt8](repeating: 0, count: 1 << 16)
            for _ in 0..<64 {
                guard try socket.waitReadable(timeoutMilliseconds: 5000) else { break }
                let n = try receive.withUnsafeMutableBytes { try socket.receive(into: $0, operation: operation) } ?? 0
                var o = 0
                while o + 16 <= n {
                    let (len, type, s) = receive.withUnsafeBytes { b in
                        (Int(NftAcknowledgements.u32(b, o)), NftAcknowledgements.u16(b, o + 4), NftAcknowledgements.u32(b, o + 8))
                    }
                    guard len >= 16, o + len <= n else { break }
                    if s == seq {
                        if type == NftAcknowledgements.nlmsgError {
                            let err = receive.withUnsafeBytes { Int32(bitPattern: NftAcknowledgements.u32($0, o + 16)) }
                            throw NftCommitError.netlink(NetlinkError(operation, errno: -err))
                        }
                        return Reply(payload: Array(receive[(o + 20)..<(o + len)]))
                    }
                    o += (len + 3) & ~3
                }
            }
        } catch let e as NetlinkError {
            throw NftCommitError.netlink(e)
        }
        throw NftCommitError.netlink(NetlinkError("\(operation): no reply", errno: 62))
    }

    /// Sends an encoded batch in one datagram and collects every ack and error. The
    /// kernel processes the batch inside `sendmsg`, so all replies are queued when it
    /// returns (nft drains the same way); only END's ack is waited for, briefly.
    /// Echoed NEWRULE handles (`NLM_F_ECHO`) come back by sequence number in `echoed`.
    func exchange(_ batch: NftEncodedBatch, withoutEnd: Bool = false)
        throws -> (acks: [NftAcknowledgement], overflowed: Bool, echoed: [UInt32: UInt64]) {
        var acks: [NftAcknowledgement] = []
        var echoed: [UInt32: UInt64] = [:]
        var overflowed = false
        do {
            let length = withoutEnd ? batch.lengthWithoutEnd : batch.buffer.length
            let endSequence = withoutEnd ? nil : batch.endSequence
            // Room for an error per message, and for the echoed rules (each about as large
            // as its request): an echo that does not fit is dropped and reported as ENOBUFS.
            let echoRoom = batch.echoesRules ? 2 * length : 0
            try socket.setBufferSizes(send: Int32(clamping: length + (1 << 16)),
                                      receive: Int32(clamping: min(max(batch.messageCount * 256, 1 << 20) + echoRoom, 1 << 28)))
            try socket.send(UnsafeRawBufferPointer(rebasing: batch.buffer.bytes[0..<length]), operation: "nftables batch (\(batch.messageCount) messages, \(length) bytes)")
            var receive = [UInt8](repeating: 0, count: 1 << 16)
            var sawEnd = false
            while true {
                let wait: Int32 = (endSequence != nil && !sawEnd && acks.allSatisfy { $0.errno == 0 }) ? 2000 : 0
                guard try socket.waitReadable(timeoutMilliseconds: wait) else { break }
                let n: Int?
                do {
                    n = try receive.withUnsafeMutableBytes { try socket.receive(into: $0, operation: "receive batch acks") }
                } catch let e as NetlinkError where e.errno == Self.noBufferSpace {
                    // More errors than the receive buffer holds ("too many errors").
                    overflowed = true
                    continue
                }
                guard let n else { break }
                let parsed = receive.withUnsafeBytes { NftAcknowledgements.parse(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                for a in parsed where a.sequence == endSequence { sawEnd = true }
                acks += parsed
                if batch.echoesRules {
                    let handles = receive.withUnsafeBytes {
                        NftAcknowledgements.echoedRuleHandles(UnsafeRawBufferPointer(rebasing: $0[0..<n]))
                    }
                    for (sequence, handle) in handles { echoed[sequence] = handle }
                }
            }
        } catch let e as NetlinkError {
            throw NftCommitError.netlink(e)
        }
        return (acks, overflowed, echoed)
    }
}

extension NftSession {
    static let nlmsgDone: UInt16 = 3   // NLMSG_DONE

    /// The handles of a chain's rules in order: a `NFT_MSG_GETRULE` dump filtered by the
    /// kernel to one table and chain, reading only `NFTA_RULE_HANDLE` from each rule.
    func ruleHandles(_ family: TableFamily, table: String, chain: String) throws -> [UInt64] {
        try dumpRules(family, table: table, chain: chain, missingTableIsEmpty: false).compactMap(\.ruleHandle)
    }

    /// A `NFT_MSG_GETRULE` dump of one table, or of one chain when `chain` is set (the kernel
    /// filters by the attributes the request carries: `nf_tables_dump_rules()` in
    /// net/netfilter/nf_tables_api.c). ENOENT for the table is an empty list when
    /// `missingTableIsEmpty`, an error otherwise.
    func dumpRules(_ family: TableFamily, table: String, chain: String?, missingTableIsEmpty: Bool) throws -> [Reply] {
        let seq = socket.sequence()
        let f = NftMessageEncoder.family(family)
        let buffer = NftBatchBuffer(capacity: 4096)
        buffer.append(room: 1024) { p in
            let r = nftnl_rule_alloc()!
            defer { nftnl_rule_free(r) }
            nftnl_rule_set_str(r, UInt16(NFTNL_RULE_TABLE.rawValue), table)
            if let chain { nftnl_rule_set_str(r, UInt16(NFTNL_RULE_CHAIN.rawValue), chain) }
            let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_GETRULE.rawValue), f, UInt16(NLM_F_DUMP), seq)!
            nftnl_rule_nlmsg_build_payload(nlh, r)
            return nlh
        }
        let operation = chain.map { "NFT_MSG_GETRULE \(table) \($0)" } ?? "NFT_MSG_GETRULE \(table)"
        var replies: [Reply] = []
        do {
            try socket.setBufferSizes(receive: 1 << 22)
            try socket.send(buffer.bytes, operation: operation)
            var receive = [UInt8](repeating: 0, count: 1 << 17)
            while try socket.waitReadable(timeoutMilliseconds: 5000) {
                let n = try receive.withUnsafeMutableBytes { try socket.receive(into: $0, operation: operation) } ?? 0
                var o = 0
                while o + 16 <= n {
                    let (len, type, s) = receive.withUnsafeBytes { b in
                        (Int(NftAcknowledgements.u32(b, o)), NftAcknowledgements.u16(b, o + 4), NftAcknowledgements.u32(b, o + 8))
                    }
                    guard len >= 16, o + len <= n else { break }
                    defer { o += (len + 3) & ~3 }
                    guard s == seq else { continue }
                    if type == Self.nlmsgDone { return replies }
                    if type == NftAcknowledgements.nlmsgError {
                        let err = receive.withUnsafeBytes { Int32(bitPattern: NftAcknowledgements.u32($0, o + 16)) }
                        if missingTableIsEmpty && -err == Self.noEntry { return [] }
                        throw NftCommitError.netlink(NetlinkError(operation, errno: -err))
                    }
                    replies.append(Reply(payload: Array(receive[(o + 20)..<(o + len)])))
                }
            }
        } catch let e as NetlinkError {
            throw NftCommitError.netlink(e)
        }
        throw NftCommitError.netlink(NetlinkError("\(operation): dump did not finish", errno: 62))
    }
}
