import TandemAddress
import TandemRuleset

/// A set as the kernel receives it: `NFT_MSG_NEWSET` attributes plus its elements already
/// encoded (keys in network or host byte order as nft stores them, intervals split into
/// start and end elements). Named sets come from the IR; anonymous ones (`__set%d`) from
/// inline `{ … }` operands.
struct NftSetDefinition: Sendable, Hashable {
    var name: String
    /// Transaction-unique id (`NFTNL_SET_ID`) so rules in the same batch can find it.
    var id: UInt32
    /// `NFT_SET_*` flags.
    var flags: UInt32
    var key: NftKeyType
    /// true for a verdict map (`NFT_SET_MAP`, data type `NFT_DATA_VERDICT`).
    var isVerdictMap: Bool
    var comment: String?
    var elements: [NftSetElement]
    /// A counter on every element (`counter` in the declaration: NFTA_SET_EXPR, which the
    /// kernel copies into each element added without expressions of its own).
    var counters = false

    var isAnonymous: Bool { flags & NftSetFlag.anonymous != 0 }
    var isInterval: Bool { flags & NftSetFlag.interval != 0 }
}

/// `NFT_SET_*` from linux/netfilter/nf_tables.h.
enum NftSetFlag {
    static let anonymous: UInt32 = 0x1
    static let constant: UInt32 = 0x2
    static let interval: UInt32 = 0x4
    static let map: UInt32 = 0x8
}

/// One kernel set element: a key, the interval-end flag, and for verdict maps a verdict.
struct NftSetElement: Sendable, Hashable {
    var key: [UInt8]
    var isIntervalEnd: Bool = false
    var verdict: NftVerdictCode? = nil
    var chain: String? = nil
    /// The element's comment (user data, NFTNL_UDATA_SET_ELEM_COMMENT).
    var comment: String? = nil
}

/// A set key's nft datatype: the id nft stores in `NFTNL_SET_KEY_TYPE` (only used to print
/// it back, `include/datatype.h`), its length, and its byte order (`NFTNL_UDATA_SET_KEYBYTEORDER`:
/// 1 host, 2 big endian), which `nft list` needs to print host-order keys correctly.
struct NftKeyType: Sendable, Hashable {
    var datatype: UInt32
    var length: UInt32
    var byteOrder: UInt32

    static let ipv4Address = NftKeyType(datatype: 7, length: 4, byteOrder: 2)
    static let ipv6Address = NftKeyType(datatype: 8, length: 16, byteOrder: 2)
    static let inetProto = NftKeyType(datatype: 12, length: 1, byteOrder: 2)
    static let inetService = NftKeyType(datatype: 13, length: 2, byteOrder: 2)
    static let icmpType = NftKeyType(datatype: 14, length: 1, byteOrder: 2)
    static let mark = NftKeyType(datatype: 19, length: 4, byteOrder: 1)
    static let icmpv6Type = NftKeyType(datatype: 29, length: 1, byteOrder: 2)
    static let ifname = NftKeyType(datatype: 41, length: 16, byteOrder: 1)

    init(datatype: UInt32, length: UInt32, byteOrder: UInt32) {
        self.datatype = datatype
        self.length = length
        self.byteOrder = byteOrder
    }

    /// A concatenation's key as nft declares it: each field's datatype shifted in by
    /// TYPE_BITS (6) after the previous ones (`concat_subtype_add`), each field's length
    /// rounded up to 4 bytes, and byte order 0 (BYTEORDER_INVALID: mixed).
    init(_ types: [SetKeyType]) {
        guard types.count > 1 else {
            self.init(types[0])
            return
        }
        let fields = types.map(NftKeyType.init)
        self.init(datatype: fields.reduce(0) { $0 << 6 | $1.datatype },
                  length: fields.reduce(0) { $0 + ($1.length + 3) / 4 * 4 }, byteOrder: 0)
    }

    init(_ type: SetKeyType) {
        switch type {
        case .ipv4Address: self = .ipv4Address
        case .ipv6Address: self = .ipv6Address
        case .inetService: self = .inetService
        case .inetProto: self = .inetProto
        case .ifname: self = .ifname
        case .mark: self = .mark
        }
    }
}

/// IFNAMSIZ: interface names are compared as 16 zero-padded bytes.
let interfaceNameSize = 16

enum NftEncoding {
    /// The register/key bytes of one value, in the byte order nft uses for its datatype.
    static func bytes(_ value: SetValue) -> [UInt8] {
        switch value {
        case .ipv4(let a): a.bytes
        case .ipv6(let a): a.bytes
        case .port(let p): bigEndian(p)
        case .proto(let p): [p]
        case .ifname(let n): interfaceName(n)
        case .mark(let m): hostOrder(m)
        }
    }

    /// A concatenated key: each value's bytes padded to 4-byte registers.
    static func bytes(_ values: [SetValue]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 4)
        for v in values {
            out += bytes(v)
            while out.count % 4 != 0 { out.append(0) }
        }
        return out
    }

    static func interfaceName(_ name: String) -> [UInt8] {
        var b = Array(name.utf8.prefix(interfaceNameSize - 1))
        b += [UInt8](repeating: 0, count: interfaceNameSize - b.count)
        return b
    }

    static func bigEndian(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }

    /// Meta and ct values (marks, state bits, nfproto) live in host byte order.
    static func hostOrder(_ v: UInt32) -> [UInt8] {
        withUnsafeBytes(of: v.littleEndian) { Array($0) }
    }

    /// The value plus one, as a big-endian number of the key's width; nil when the value
    /// is the all-ones maximum (an interval reaching it has no end element).
    static func successor(_ key: [UInt8], hostOrder: Bool) -> [UInt8]? {
        var b = key
        let indices: [Int] = hostOrder ? Array(b.indices) : Array(b.indices.reversed())
        for i in indices {
            if b[i] == 0xff { b[i] = 0; continue }
            b[i] += 1
            return b
        }
        return nil
    }

    /// Splits ranges into kernel elements the way nft does (`src/intervals.c`): each range
    /// [lo, hi] is `lo` plus `hi+1` flagged INTERVAL_END; an end that equals the next start
    /// is left out; a range ending at the maximum has no end; a new set whose first range
    /// does not start at zero begins with a zero INTERVAL_END element.
    static func intervalElements(_ ranges: [(lo: [UInt8], hi: [UInt8])], key: NftKeyType) -> [NftSetElement] {
        var out: [NftSetElement] = []
        let host = key.byteOrder == 1
        if let first = ranges.first, first.lo.contains(where: { $0 != 0 }) {
            out.append(NftSetElement(key: [UInt8](repeating: 0, count: first.lo.count), isIntervalEnd: true))
        }
        for r in ranges {
            if let last = out.last, last.isIntervalEnd, last.key == r.lo {
                out.removeLast()
            }
            out.append(NftSetElement(key: r.lo))
            if let end = successor(r.hi, hostOrder: host) {
                out.append(NftSetElement(key: end, isIntervalEnd: true))
            }
        }
        return out
    }

    /// The kernel elements of an IR element list.
    static func elements(_ elements: [SetElement], key: NftKeyType, interval: Bool,
                         set: String) throws(NftLinearizeError) -> [NftSetElement] {
        if interval {
            let ranges = elements.compactMap { e -> (lo: [UInt8], hi: [UInt8])? in
                switch e {
                case .single(let v): (bytes(v), bytes(v))
                case .interval(let a, let b): (bytes(a), bytes(b))
                case .mapping, .tuple: nil
                }
            }
            return intervalElements(ranges, key: key)
        }
        var out: [NftSetElement] = []
        for e in elements {
            switch e {
            case .single(let v):
                out.append(NftSetElement(key: bytes(v)))
            case .interval(let a, let b):
                // nft refuses ranges in a set without `flags interval`; so does the kernel.
                throw NftLinearizeError("set \(set)", "a range \(a)-\(b) needs an interval set")
            case .mapping(let v, let verdict):
                let (code, chain) = NftLinearizer.verdictCode(verdict)
                out.append(NftSetElement(key: bytes(v), verdict: code, chain: chain))
            case .tuple(let values, let comment):
                out.append(NftSetElement(key: bytes(values), comment: NftPlanner.comment(comment)))
            }
        }
        return out
    }
}
