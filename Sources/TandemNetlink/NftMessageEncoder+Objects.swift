import CMnl
import CNftnl
import TandemRuleset

/// libnftnl object construction for tables, chains and sets.
extension NftMessageEncoder {
    static func chain(_ f: TableFamily, table: String, name: String) -> OpaquePointer {
        let c = nftnl_chain_alloc()!
        nftnl_chain_set_str(c, UInt16(NFTNL_CHAIN_TABLE.rawValue), table)
        nftnl_chain_set_str(c, UInt16(NFTNL_CHAIN_NAME.rawValue), name)
        nftnl_chain_set_u32(c, UInt16(NFTNL_CHAIN_FAMILY.rawValue), UInt32(family(f)))
        return c
    }

    /// NF_INET_* hook numbers; netdev ingress is NF_NETDEV_INGRESS (0), inet ingress is
    /// NF_INET_INGRESS (5, needs a device, which the kernel will ask for).
    static func hookNumber(_ hook: Hook, family f: TableFamily) -> UInt32 {
        switch hook {
        case .prerouting: 0
        case .input: 1
        case .forward: 2
        case .output: 3
        case .postrouting: 4
        case .ingress: f == .netdev ? 0 : 5
        }
    }

    /// A set handle naming an existing set (or one created earlier in the batch, by id).
    static func set(_ f: TableFamily, table: String, name: String, id: UInt32?) -> OpaquePointer {
        let s = nftnl_set_alloc()!
        nftnl_set_set_str(s, UInt16(NFTNL_SET_TABLE.rawValue), table)
        nftnl_set_set_str(s, UInt16(NFTNL_SET_NAME.rawValue), name)
        nftnl_set_set_u32(s, UInt16(NFTNL_SET_FAMILY.rawValue), UInt32(family(f)))
        if let id { nftnl_set_set_u32(s, UInt16(NFTNL_SET_ID.rawValue), id) }
        return s
    }

    /// NEWSET attributes as nft sends them: key type/length, flags, id, for verdict maps
    /// data type NFT_DATA_VERDICT, a size for constant sets, and user data carrying the key
    /// byte order (and the data byte order for maps) and the comment.
    static func newSet(_ f: TableFamily, table: String, _ def: NftSetDefinition) -> OpaquePointer {
        let s = set(f, table: table, name: def.name, id: def.id)
        nftnl_set_set_u32(s, UInt16(NFTNL_SET_FLAGS.rawValue), def.flags)
        nftnl_set_set_u32(s, UInt16(NFTNL_SET_KEY_TYPE.rawValue), def.key.datatype)
        nftnl_set_set_u32(s, UInt16(NFTNL_SET_KEY_LEN.rawValue), def.key.length)
        if def.isVerdictMap {
            nftnl_set_set_u32(s, UInt16(NFTNL_SET_DATA_TYPE.rawValue), NFT_DATA_VERDICT.rawValue)
            nftnl_set_set_u32(s, UInt16(NFTNL_SET_DATA_LEN.rawValue), 0)
        }
        if def.flags & NftSetFlag.constant != 0 {
            nftnl_set_set_u32(s, UInt16(NFTNL_SET_DESC_SIZE.rawValue), UInt32(def.elements.count))
        }
        let udata = nftnl_udata_buf_alloc(256)!
        defer { nftnl_udata_buf_free(udata) }
        nftnl_udata_put_u32(udata, UInt8(NFTNL_UDATA_SET_KEYBYTEORDER.rawValue), def.key.byteOrder)
        if def.isVerdictMap {
            nftnl_udata_put_u32(udata, UInt8(NFTNL_UDATA_SET_DATABYTEORDER.rawValue), 0)
        }
        if let comment = def.comment {
            nftnl_udata_put_strz(udata, UInt8(NFTNL_UDATA_SET_COMMENT.rawValue), commentText(comment))
        }
        nftnl_set_set_data(s, UInt16(NFTNL_SET_USERDATA.rawValue), nftnl_udata_buf_data(udata), nftnl_udata_buf_len(udata))
        if def.counters { nftnl_set_add_expr(s, nftnl_expr_alloc("counter")) }
        return s
    }

    static func addElements(_ elements: [NftSetElement], to s: OpaquePointer, isMap: Bool) {
        for element in elements {
            let e = nftnl_set_elem_alloc()!
            element.key.withUnsafeBytes { k in
                _ = nftnl_set_elem_set(e, UInt16(NFTNL_SET_ELEM_KEY), k.baseAddress, UInt32(k.count))
            }
            if element.isIntervalEnd {
                nftnl_set_elem_set_u32(e, UInt16(NFTNL_SET_ELEM_FLAGS), NFT_SET_ELEM_INTERVAL_END.rawValue)
            }
            if isMap, let verdict = element.verdict {
                nftnl_set_elem_set_u32(e, UInt16(NFTNL_SET_ELEM_VERDICT), UInt32(bitPattern: verdict.rawValue))
                if let chain = element.chain { nftnl_set_elem_set_str(e, UInt16(NFTNL_SET_ELEM_CHAIN), chain) }
            }
            if let comment = element.comment {
                withComment(comment, type: UInt8(NFTNL_UDATA_SET_ELEM_COMMENT.rawValue)) { data, length in
                    _ = nftnl_set_elem_set(e, UInt16(NFTNL_SET_ELEM_USERDATA), data, length)
                }
            }
            nftnl_set_elem_add(s, e)
        }
    }

    /// User data holding one NUL-terminated comment TLV (at most 128 bytes, as nft allows).
    static func withComment(_ comment: String, type: UInt8, _ body: (UnsafeRawPointer, UInt32) -> Void) {
        let udata = nftnl_udata_buf_alloc(512)!
        defer { nftnl_udata_buf_free(udata) }
        nftnl_udata_put_strz(udata, type, commentText(comment))
        body(nftnl_udata_buf_data(udata), nftnl_udata_buf_len(udata))
    }

    /// The comment cut to NFTNL_UDATA_COMMENT_MAXLEN less the NUL, between characters: a
    /// byte count cut inside a multi-byte character is not a string (a 128-byte description
    /// ending in a Cyrillic letter used to trap here).
    static func commentText(_ comment: String) -> String {
        Canonical.truncate(comment, toBytes: NftLimit.commentText)
    }
}
