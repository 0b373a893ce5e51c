import CNftnl

/// `NftExpression` → a libnftnl expression object (owned by the rule it is added to).
/// Attribute names follow libnftnl's `expr.h`; one case per expression kind.
enum NftExpressionEncoder {
    static func make(_ expression: NftExpression) -> OpaquePointer {
        switch expression {
        case .meta(let key, let dreg):
            return expr("meta") { e in
                u32(e, NFTNL_EXPR_META_KEY, key.rawValue)
                u32(e, NFTNL_EXPR_META_DREG, dreg)
            }
        case .metaSet(let key, let sreg):
            return expr("meta") { e in
                u32(e, NFTNL_EXPR_META_KEY, key.rawValue)
                u32(e, NFTNL_EXPR_META_SREG, sreg)
            }
        case .cmp(let op, let sreg, let data):
            return expr("cmp") { e in
                u32(e, NFTNL_EXPR_CMP_SREG, sreg)
                u32(e, NFTNL_EXPR_CMP_OP, op.rawValue)
                bytes(e, NFTNL_EXPR_CMP_DATA, data)
            }
        case .payload(let base, let offset, let length, let dreg):
            return expr("payload") { e in
                u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg)
                u32(e, NFTNL_EXPR_PAYLOAD_BASE, base.rawValue)
                u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset)
                u32(e, NFTNL_EXPR_PAYLOAD_LEN, length)
            }
        case .bitwise(let sreg, let dreg, let mask, let xor):
            return expr("bitwise") { e in
                u32(e, NFTNL_EXPR_BITWISE_SREG, sreg)
                u32(e, NFTNL_EXPR_BITWISE_DREG, dreg)
                u32(e, NFTNL_EXPR_BITWISE_LEN, UInt32(mask.count))
                bytes(e, NFTNL_EXPR_BITWISE_MASK, mask)
                bytes(e, NFTNL_EXPR_BITWISE_XOR, xor)
            }
        case .byteorderHton(let sreg, let dreg, let length, let size):
            return expr("byteorder") { e in
                u32(e, NFTNL_EXPR_BYTEORDER_SREG, sreg)
                u32(e, NFTNL_EXPR_BYTEORDER_DREG, dreg)
                u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON.rawValue)
                u32(e, NFTNL_EXPR_BYTEORDER_LEN, length)
                u32(e, NFTNL_EXPR_BYTEORDER_SIZE, size)
            }
        case .range(let op, let sreg, let from, let to):
            return expr("range") { e in
                u32(e, NFTNL_EXPR_RANGE_SREG, sreg)
                u32(e, NFTNL_EXPR_RANGE_OP, op.rawValue)
                bytes(e, NFTNL_EXPR_RANGE_FROM_DATA, from)
                bytes(e, NFTNL_EXPR_RANGE_TO_DATA, to)
            }
        case .lookup(let sreg, let dreg, let set, let invert):
            return expr("lookup") { e in
                u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg)
                if let dreg { u32(e, NFTNL_EXPR_LOOKUP_DREG, dreg) }
                nftnl_expr_set_str(e, UInt16(NFTNL_EXPR_LOOKUP_SET), set.name)
                if let id = set.id { u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id) }
                if invert { u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV.rawValue) }
            }
        case .ct(let key, let dreg):
            return expr("ct") { e in
                u32(e, NFTNL_EXPR_CT_KEY, key.rawValue)
                u32(e, NFTNL_EXPR_CT_DREG, dreg)
            }
        case .ctSet(let key, let sreg):
            return expr("ct") { e in
                u32(e, NFTNL_EXPR_CT_KEY, key.rawValue)
                u32(e, NFTNL_EXPR_CT_SREG, sreg)
            }
        case .immediateData(let dreg, let data):
            return expr("immediate") { e in
                u32(e, NFTNL_EXPR_IMM_DREG, dreg)
                bytes(e, NFTNL_EXPR_IMM_DATA, data)
            }
        case .immediateVerdict(let code, let chain):
            return expr("immediate") { e in
                u32(e, NFTNL_EXPR_IMM_DREG, 0)
                u32(e, NFTNL_EXPR_IMM_VERDICT, UInt32(bitPattern: code.rawValue))
                if let chain { nftnl_expr_set_str(e, UInt16(NFTNL_EXPR_IMM_CHAIN), chain) }
            }
        case .nat(let type, let family, let addressMin, let addressMax, let protoMin, let protoMax, let flags):
            return expr("nat") { e in
                u32(e, NFTNL_EXPR_NAT_TYPE, type.rawValue)
                u32(e, NFTNL_EXPR_NAT_FAMILY, family)
                if let r = addressMin { u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, r) }
                if let r = addressMax { u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, r) }
                if let r = protoMin { u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, r) }
                if let r = protoMax { u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, r) }
                if flags != 0 { u32(e, NFTNL_EXPR_NAT_FLAGS, flags) }
            }
        case .masquerade(let flags, let protoMin, let protoMax):
            return expr("masq") { e in
                if flags != 0 { u32(e, NFTNL_EXPR_MASQ_FLAGS, flags) }
                if let r = protoMin { u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN, r) }
                if let r = protoMax { u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MAX, r) }
            }
        case .log(let prefix, let level, let group):
            return expr("log") { e in
                if let prefix { nftnl_expr_set_str(e, UInt16(NFTNL_EXPR_LOG_PREFIX), prefix) }
                if let level { u32(e, NFTNL_EXPR_LOG_LEVEL, level) }
                if let group { nftnl_expr_set_u16(e, UInt16(NFTNL_EXPR_LOG_GROUP), group) }
            }
        case .counter:
            return expr("counter") { _ in }
        case .reject(let type, let code):
            return expr("reject") { e in
                u32(e, NFTNL_EXPR_REJECT_TYPE, type)
                nftnl_expr_set_u8(e, UInt16(NFTNL_EXPR_REJECT_CODE), code)
            }
        case .notrack:
            return expr("notrack") { _ in }
        case .fib(let flags, let result, let dreg):
            return expr("fib") { e in
                u32(e, NFTNL_EXPR_FIB_FLAGS, flags)
                u32(e, NFTNL_EXPR_FIB_RESULT, result)
                u32(e, NFTNL_EXPR_FIB_DREG, dreg)
            }
        }
    }

    private static func expr(_ name: String, _ configure: (OpaquePointer) -> Void) -> OpaquePointer {
        guard let e = nftnl_expr_alloc(name) else { fatalError("libnftnl has no expression '\(name)'") }
        configure(e)
        return e
    }

    private static func u32(_ e: OpaquePointer, _ attr: Int, _ value: UInt32) {
        nftnl_expr_set_u32(e, UInt16(attr), value)
    }

    private static func u32(_ e: OpaquePointer, _ attr: Int32, _ value: UInt32) {
        nftnl_expr_set_u32(e, UInt16(attr), value)
    }

    private static func bytes(_ e: OpaquePointer, _ attr: Int, _ data: [UInt8]) {
        data.withUnsafeBytes { _ = nftnl_expr_set(e, UInt16(attr), $0.baseAddress, UInt32($0.count)) }
    }

    private static func bytes(_ e: OpaquePointer, _ attr: Int32, _ data: [UInt8]) {
        data.withUnsafeBytes { _ = nftnl_expr_set(e, UInt16(attr), $0.baseAddress, UInt32($0.count)) }
    }
}
