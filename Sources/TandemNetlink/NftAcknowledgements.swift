/// Parses the kernel's replies to a batch: `NLMSG_ERROR` messages, each an ack (error 0)
/// or an error for the message with that sequence number, optionally followed by
/// `NETLINK_EXT_ACK` attributes (nftables.md §5.4). Pure: works on received bytes.
struct NftAcknowledgement: Sendable, Hashable {
    var sequence: UInt32
    /// 0 for an ack, else a positive errno.
    var errno: Int32
    var message: String?
}

enum NftAcknowledgements {
    static let nlmsgError: UInt16 = 2          // NLMSG_ERROR
    static let flagCapped: UInt16 = 0x100      // NLM_F_CAPPED
    static let flagAckTLVs: UInt16 = 0x200     // NLM_F_ACK_TLVS
    static let attrMessage: UInt16 = 1         // NLMSGERR_ATTR_MSG

    /// Every ack/error in one received datagram; other messages are skipped.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> [NftAcknowledgement] {
        var out: [NftAcknowledgement] = []
        var offset = 0
        while offset + 16 <= bytes.count {
            let length = Int(u32(bytes, offset))
            guard length >= 16, offset + length <= bytes.count else { break }
            let type = u16(bytes, offset + 4)
            let flags = u16(bytes, offset + 6)
            let sequence = u32(bytes, offset + 8)
            if type == nlmsgError, length >= 16 + 4 {
                let error = Int32(bitPattern: u32(bytes, offset + 16))
                var text: String?
                if flags & flagAckTLVs != 0 {
                    // After nlmsgerr: the original header, plus its payload unless capped.
                    var tlv = offset + 16 + 4 + 16
                    if flags & flagCapped == 0, offset + 20 + 4 <= bytes.count {
                        let original = Int(u32(bytes, offset + 20))
                        tlv = offset + 20 + ((original + 3) & ~3)
                    }
                    while tlv + 4 <= offset + length {
                        let l = Int(u16(bytes, tlv)), t = u16(bytes, tlv + 2) & 0x3fff
                        guard l >= 4, tlv + l <= offset + length else { break }
                        if t == attrMessage {
                            let raw = bytes[(tlv + 4)..<(tlv + l)].prefix { $0 != 0 }
                            text = String(decoding: raw, as: UTF8.self)
                        }
                        tlv += (l + 3) & ~3
                    }
                }
                out.append(NftAcknowledgement(sequence: sequence, errno: -error, message: text))
            }
            offset += (length + 3) & ~3
        }
        return out
    }

    /// `NFT_MSG_NEWRULE` (nfnetlink subsystem 10, message 6): what the kernel echoes for a
    /// NEWRULE sent with `NLM_F_ECHO`, at commit, with the request's sequence number.
    static let newRuleNotification: UInt16 = 10 << 8 | 6

    /// The handle of every echoed NEWRULE in one received datagram, by sequence number.
    static func echoedRuleHandles(_ bytes: UnsafeRawBufferPointer) -> [(sequence: UInt32, handle: UInt64)] {
        var out: [(sequence: UInt32, handle: UInt64)] = []
        var offset = 0
        while offset + 16 <= bytes.count {
            let length = Int(u32(bytes, offset))
            guard length >= 16, offset + length <= bytes.count else { break }
            // nlmsghdr (16) + nfgenmsg (4), then the rule's attributes.
            if u16(bytes, offset + 4) == newRuleNotification, length >= 20,
               let handle = NftSession.Reply(payload: Array(bytes[(offset + 20)..<(offset + length)])).ruleHandle {
                out.append((u32(bytes, offset + 8), handle))
            }
            offset += (length + 3) & ~3
        }
        return out
    }

    static func u32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
        b.loadUnaligned(fromByteOffset: o, as: UInt32.self)
    }

    static func u16(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt16 {
        b.loadUnaligned(fromByteOffset: o, as: UInt16.self)
    }
}
