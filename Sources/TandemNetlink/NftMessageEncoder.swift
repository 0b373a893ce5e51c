import CMnl
import CNftnl
import TandemConcurrency
import TandemRuleset

/// A batch encoded for the kernel: BEGIN, the plan's messages with consecutive sequence
/// numbers, and END unless it is a dry run.
struct NftEncodedBatch {
    let buffer: NftBatchBuffer
    let beginSequence: UInt32
    /// Sequence number of plan message 0; message i has `firstSequence + i`.
    let firstSequence: UInt32
    let endSequence: UInt32?
    let messageCount: Int
    /// Bytes before END: what a dry run of this batch sends.
    let lengthWithoutEnd: Int
    /// NEWRULE messages carry NLM_F_ECHO: the kernel reports each new rule's handle.
    let echoesRules: Bool
}

/// Turns plan messages into libnftnl objects and netlink messages (the only place that
/// touches libnftnl's builders). Objects are freed as soon as their message is built.
enum NftMessageEncoder {
    /// `NFNL_BATCH_GENID` (linux/netfilter/nfnetlink.h).
    static let batchGenerationAttribute: UInt16 = 1
    static let nfnlSubsysNftables: UInt16 = 10

    /// `echoRules`: ask the kernel to echo every new rule (`NLM_F_ECHO`), for its handle.
    /// Throws before writing anything past a message's reservation: every message's
    /// fields are checked against the kernel's limits and its room is computed from its
    /// contents (`NftMessage+Size`).
    static func encode(_ plan: NftBatchPlan, firstSequence seq0: UInt32, generation: UInt32?,
                       commit: Bool, echoRules: Bool = false) throws(NftEncodingError) -> NftEncodedBatch {
        let buffer = NftBatchBuffer(capacity: 256 + plan.messages.count * 512)
        let begin = seq0
        buffer.append(room: 64) { p in
            let nlh = nftnl_batch_begin(p, begin)!
            if let generation {
                // Compare-and-swap: the kernel refuses the whole batch with ERESTART when
                // the ruleset generation moved (nftables.md §5.3).
                mnl_attr_put_u32(nlh, batchGenerationAttribute, generation.bigEndian)
            }
            return nlh
        }
        let messages = plan.messages
        if messages.count < TwoCores.threshold {
            try encode(messages[...], firstSequence: seq0 &+ 1, echoRules: echoRules, into: buffer)
        } else {
            // Two halves encoded at once into buffers of their own (sequence numbers are
            // known up front), then laid end to end behind BEGIN.
            let half = messages.count / 2
            let (_, second) = try TwoCores.run({ () throws(NftEncodingError) in
                try encode(messages[..<half], firstSequence: seq0 &+ 1, echoRules: echoRules, into: buffer)
            }, { () throws(NftEncodingError) in
                let b = NftBatchBuffer(capacity: (messages.count - half) * 512)
                try encode(messages[half...], firstSequence: seq0 &+ 1 &+ UInt32(half), echoRules: echoRules, into: b)
                return b
            })
            buffer.append(contentsOf: second)
        }
        let seq = seq0 &+ 1 &+ UInt32(messages.count)
        var end: UInt32?
        let lengthWithoutEnd = buffer.length
        if commit {
            let s = seq
            buffer.append(room: 64) { p in
                let nlh = nftnl_batch_end(p, s)!
                // Ask for an ack of END: the kernel's positive "committed" signal.
                nlh.pointee.nlmsg_flags |= UInt16(NLM_F_ACK)
                return nlh
            }
            end = s
        }
        return NftEncodedBatch(buffer: buffer, beginSequence: begin, firstSequence: seq0 &+ 1,
                               endSequence: end, messageCount: plan.messages.count, lengthWithoutEnd: lengthWithoutEnd,
                               echoesRules: echoRules)
    }

    private static func encode(_ messages: ArraySlice<NftMessage>, firstSequence: UInt32, echoRules: Bool,
                               into buffer: NftBatchBuffer) throws(NftEncodingError) {
        var seq = firstSequence
        for message in messages {
            try encode(message, sequence: seq, echoRules: echoRules, into: buffer)
            seq &+= 1
        }
    }

    static func family(_ f: TableFamily) -> UInt16 {
        switch f {
        case .inet: NftConstant.nfprotoInet
        case .ip: UInt16(NftConstant.nfprotoIPv4)
        case .ip6: UInt16(NftConstant.nfprotoIPv6)
        case .netdev: NftConstant.nfprotoNetdev
        case .bridge: NftConstant.nfprotoBridge
        case .arp: NftConstant.nfprotoARP
        }
    }

    private static let create = UInt16(NLM_F_CREATE)

    static func encode(_ message: NftMessage, sequence: UInt32, echoRules: Bool = false,
                       into buffer: NftBatchBuffer) throws(NftEncodingError) {
        try message.checkLimits()
        // libnftnl writes attributes without a bound: the room comes from the contents.
        let room = message.encodedSizeBound
        switch message {
        case .newTable(let f, let name), .deleteTable(let f, let name):
            let t = nftnl_table_alloc()!
            defer { nftnl_table_free(t) }
            nftnl_table_set_str(t, UInt16(NFTNL_TABLE_NAME.rawValue), name)
            nftnl_table_set_u32(t, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(family(f)))
            let isNew: Bool = if case .newTable = message { true } else { false }
            if isNew { nftnl_table_set_u32(t, UInt16(NFTNL_TABLE_FLAGS.rawValue), 0) }
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(isNew ? NFT_MSG_NEWTABLE.rawValue : NFT_MSG_DELTABLE.rawValue),
                                                family(f), isNew ? create : 0, sequence)!
                nftnl_table_nlmsg_build_payload(nlh, t)
                return nlh
            }
        case .newChain(let f, let table, let def):
            let c = chain(f, table: table, name: def.name)
            defer { nftnl_chain_free(c) }
            if let base = def.base {
                nftnl_chain_set_u32(c, UInt16(NFTNL_CHAIN_HOOKNUM.rawValue), hookNumber(base.hook, family: f))
                nftnl_chain_set_s32(c, UInt16(NFTNL_CHAIN_PRIO.rawValue), base.priority)
                nftnl_chain_set_str(c, UInt16(NFTNL_CHAIN_TYPE.rawValue), base.type.rawValue)
                nftnl_chain_set_u32(c, UInt16(NFTNL_CHAIN_POLICY.rawValue), base.policy == .accept ? UInt32(NftVerdictCode.accept.rawValue) : UInt32(NftVerdictCode.drop.rawValue))
            }
            if let comment = def.comment {
                withComment(comment, type: UInt8(NFTNL_UDATA_CHAIN_COMMENT.rawValue)) { data, len in
                    nftnl_chain_set_data(c, UInt16(NFTNL_CHAIN_USERDATA.rawValue), data, len)
                }
            }
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_NEWCHAIN.rawValue), family(f), create, sequence)!
                nftnl_chain_nlmsg_build_payload(nlh, c)
                return nlh
            }
        case .deleteChain(let f, let table, let name):
            let c = chain(f, table: table, name: name)
            defer { nftnl_chain_free(c) }
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_DELCHAIN.rawValue), family(f), 0, sequence)!
                nftnl_chain_nlmsg_build_payload(nlh, c)
                return nlh
            }
        case .flushChain(let f, let table, let name):
            let r = nftnl_rule_alloc()!
            defer { nftnl_rule_free(r) }
            nftnl_rule_set_str(r, UInt16(NFTNL_RULE_TABLE.rawValue), table)
            nftnl_rule_set_str(r, UInt16(NFTNL_RULE_CHAIN.rawValue), name)
            nftnl_rule_set_u32(r, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(family(f)))
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_DELRULE.rawValue), family(f), 0, sequence)!
                nftnl_rule_nlmsg_build_payload(nlh, r)
                return nlh
            }
        case .newSet(let f, let table, let def):
            let s = newSet(f, table: table, def)
            defer { nftnl_set_free(s) }
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_NEWSET.rawValue), family(f), create, sequence)!
                nftnl_set_nlmsg_build_payload(nlh, s)
                return nlh
            }
        case .deleteSet(let f, let table, let name):
            let s = set(f, table: table, name: name, id: nil)
            defer { nftnl_set_free(s) }
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_DELSET.rawValue), family(f), 0, sequence)!
                nftnl_set_nlmsg_build_payload(nlh, s)
                return nlh
            }
        case .newElements(let f, let table, let name, let id, let isMap, let elements, let exclusive):
            let s = set(f, table: table, name: name, id: id)
            defer { nftnl_set_free(s) }
            addElements(elements, to: s, isMap: isMap)
            let flags = exclusive ? create | UInt16(NLM_F_EXCL) : create
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_NEWSETELEM.rawValue), family(f), flags, sequence)!
                nftnl_set_elems_nlmsg_build_payload(nlh, s)
                return nlh
            }
        case .deleteElements(let f, let table, let name, let elements):
            let s = set(f, table: table, name: name, id: nil)
            defer { nftnl_set_free(s) }
            addElements(elements, to: s, isMap: false)
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_DELSETELEM.rawValue), family(f), 0, sequence)!
                nftnl_set_elems_nlmsg_build_payload(nlh, s)
                return nlh
            }
        case .deleteRule(let f, let table, let chainName, let handle):
            let r = nftnl_rule_alloc()!
            defer { nftnl_rule_free(r) }
            nftnl_rule_set_str(r, UInt16(NFTNL_RULE_TABLE.rawValue), table)
            nftnl_rule_set_str(r, UInt16(NFTNL_RULE_CHAIN.rawValue), chainName)
            nftnl_rule_set_u32(r, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(family(f)))
            nftnl_rule_set_u64(r, UInt16(NFTNL_RULE_HANDLE.rawValue), handle)
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_DELRULE.rawValue), family(f), 0, sequence)!
                nftnl_rule_nlmsg_build_payload(nlh, r)
                return nlh
            }
        case .newRule(let f, let table, let chainName, let expressions, let comment, let position):
            let r = nftnl_rule_alloc()!
            defer { nftnl_rule_free(r) }
            nftnl_rule_set_str(r, UInt16(NFTNL_RULE_TABLE.rawValue), table)
            nftnl_rule_set_str(r, UInt16(NFTNL_RULE_CHAIN.rawValue), chainName)
            nftnl_rule_set_u32(r, UInt16(NFTNL_RULE_FAMILY.rawValue), UInt32(family(f)))
            for e in expressions {
                nftnl_rule_add_expr(r, NftExpressionEncoder.make(e))
            }
            if let comment {
                withComment(comment, type: UInt8(NFTNL_UDATA_RULE_COMMENT.rawValue)) { data, len in
                    nftnl_rule_set_data(r, UInt16(NFTNL_RULE_USERDATA.rawValue), data, len)
                }
            }
            var flags = create
            if echoRules { flags |= UInt16(NLM_F_ECHO) }
            switch position {
            case .end: flags |= UInt16(NLM_F_APPEND)
            case .after(let handle):
                nftnl_rule_set_u64(r, UInt16(NFTNL_RULE_POSITION.rawValue), handle)
                flags |= UInt16(NLM_F_APPEND)
            case .before(let handle):
                nftnl_rule_set_u64(r, UInt16(NFTNL_RULE_POSITION.rawValue), handle)
            }
            buffer.append(room: room) { p in
                let nlh = nftnl_nlmsg_build_hdr(p, UInt16(NFT_MSG_NEWRULE.rawValue), family(f), flags, sequence)!
                nftnl_rule_nlmsg_build_payload(nlh, r)
                return nlh
            }
        }
    }
}
