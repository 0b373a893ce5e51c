import TandemAddress

/// Interval arithmetic on set values, used to merge alias contents (nft's `auto-merge`
/// done in userspace: the kernel rejects overlapping intervals, nftables.md §5.5) and to
/// print ranges that are prefixes as prefixes.
extension SetValue {
    /// The value as an unsigned number within its key type, or nil for names.
    var ordinal: UInt128? {
        switch self {
        case .ipv4(let a): UInt128(a.value)
        case .ipv6(let a): UInt128(a.high) << 64 | UInt128(a.low)
        case .port(let p): UInt128(p)
        case .proto(let p): UInt128(p)
        case .mark(let m): UInt128(m)
        case .ifname: nil
        }
    }

    /// The largest value of the key type.
    var maximum: UInt128 {
        switch self {
        case .ipv4: UInt128(UInt32.max)
        case .ipv6: UInt128.max
        case .port: UInt128(UInt16.max)
        case .proto: UInt128(UInt8.max)
        case .mark: UInt128(UInt32.max)
        case .ifname: 0
        }
    }

    /// A value of the same kind with the given ordinal.
    func with(ordinal n: UInt128) -> SetValue {
        switch self {
        case .ipv4: .ipv4(IPv4Address(UInt32(n)))
        case .ipv6: .ipv6(IPv6Address(high: UInt64(n >> 64), low: UInt64(n & UInt128(UInt64.max))))
        case .port: .port(UInt16(n))
        case .proto: .proto(UInt8(n))
        case .mark: .mark(UInt32(n))
        case .ifname: self
        }
    }

    /// The prefix `lo/len` when [lo, hi] is exactly one CIDR block of addresses.
    static func prefix(_ lo: SetValue, _ hi: SetValue) -> IPNetwork? {
        let width: Int
        let address: IPAddress
        switch (lo, hi) {
        case (.ipv4(let a), .ipv4): width = 32; address = .v4(a)
        case (.ipv6(let a), .ipv6): width = 128; address = .v6(a)
        default: return nil
        }
        guard let l = lo.ordinal, let h = hi.ordinal, l <= h else { return nil }
        let span = h - l  // size - 1
        // size must be a power of two and lo aligned to it: span is all ones below some bit.
        guard span & (span &+ 1) == 0, l & span == 0 else { return nil }
        let hostBits = span == UInt128.max ? 128 : (span &+ 1).trailingZeroBitCount
        return IPNetwork(address: address, prefixLength: width - hostBits)
    }
}

extension SetElement {
    /// The inclusive range this element covers, or nil for mappings, tuples and names.
    var bounds: (SetValue, SetValue)? {
        switch self {
        case .single(let v): v.ordinal == nil ? nil : (v, v)
        case .interval(let lo, let hi): lo.ordinal == nil ? nil : (lo, hi)
        case .mapping, .tuple: nil
        }
    }

    /// Sorts, de-duplicates and merges overlapping and adjacent ranges (so 192.0.2.0/25 and
    /// 192.0.2.128/25 become 192.0.2.0/24). Single values stay single when isolated.
    /// Elements without an order (names, mappings) are kept, de-duplicated, after the rest.
    public static func mergedIntervals(_ elements: [SetElement]) -> [SetElement] {
        var ranges: [(lo: UInt128, hi: UInt128, kind: SetValue)] = []
        var others: [SetElement] = []
        for element in elements {
            if let (lo, hi) = element.bounds, let l = lo.ordinal, let h = hi.ordinal {
                ranges.append(l <= h ? (l, h, lo) : (h, l, lo))
            } else if !others.contains(element) {
                others.append(element)
            }
        }
        // Different kinds (v4 and v6) must not merge: sort by kind first.
        func kindOrder(_ v: SetValue) -> Int {
            switch v { case .ipv4: 0; case .ipv6: 1; case .port: 2; case .proto: 3; case .mark: 4; case .ifname: 5 }
        }
        ranges.sort { (kindOrder($0.kind), $0.lo, $0.hi) < (kindOrder($1.kind), $1.lo, $1.hi) }
        var merged: [(lo: UInt128, hi: UInt128, kind: SetValue)] = []
        for r in ranges {
            if var last = merged.last, kindOrder(last.kind) == kindOrder(r.kind),
               last.hi == r.kind.maximum || r.lo <= last.hi + 1 {
                last.hi = max(last.hi, r.hi)
                merged[merged.count - 1] = last
            } else {
                merged.append(r)
            }
        }
        let out: [SetElement] = merged.map { r in
            r.lo == r.hi ? .single(r.kind.with(ordinal: r.lo))
                : .interval(r.kind.with(ordinal: r.lo), r.kind.with(ordinal: r.hi))
        }
        return out + others
    }
}
