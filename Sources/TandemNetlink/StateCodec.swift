/// The binary layout of Tandem's applied state (`applied.state`: generation, version, rule
/// handles, item index): fixed-width little-endian integers and length-prefixed strings
/// after a four-byte tag. A 10,000-rule config has tens of thousands of numbers to write
/// after every apply and to read before an edit of one rule; as decimal text they took
/// ~1.5 ms of that edit (issue #3), from these bytes they take microseconds. The file is
/// Tandem's own, but a reader trusts no length: anything out of bounds, or a wrong tag,
/// reads as nil (the next apply is then a full one).
public struct StateWriter {
    public private(set) var bytes: [UInt8] = []

    public init(tag: String, capacity: Int = 0) {
        bytes.reserveCapacity(capacity + 4)
        bytes.append(contentsOf: tag.utf8.prefix(4))
    }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }

    public mutating func u32(_ v: Int) {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func data(_ d: [UInt8]) {
        u32(d.count)
        bytes.append(contentsOf: d)
    }

    public mutating func string(_ s: String) { data(Array(s.utf8)) }
}

/// Reads what `StateWriter` wrote. Valid only inside the `withUnsafeBytes` that made `raw`.
public struct StateReader {
    private let raw: UnsafeRawBufferPointer
    private var at = 0

    /// nil unless `raw` starts with `tag`.
    public init?(_ raw: UnsafeRawBufferPointer, tag: String) {
        let t = Array(tag.utf8.prefix(4))
        guard raw.count >= t.count, zip(raw, t).allSatisfy({ $0 == $1 }) else { return nil }
        self.raw = raw
        at = t.count
    }

    public var atEnd: Bool { at == raw.count }

    public mutating func u8() -> UInt8? {
        guard at < raw.count else { return nil }
        defer { at += 1 }
        return raw[at]
    }

    public mutating func u32() -> Int? {
        guard raw.count - at >= 4 else { return nil }
        defer { at += 4 }
        return Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
    }

    public mutating func u64() -> UInt64? {
        guard raw.count - at >= 8 else { return nil }
        defer { at += 8 }
        return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }

    /// A count of items of `size` bytes each that the rest of the input can hold.
    public mutating func count(of size: Int) -> Int? {
        guard let n = u32(), n <= (raw.count - at) / max(size, 1) else { return nil }
        return n
    }

    public mutating func data() -> [UInt8]? {
        guard let n = count(of: 1) else { return nil }
        defer { at += n }
        return Array(raw[at..<(at + n)])
    }

    public mutating func string() -> String? {
        data().map { String(decoding: $0, as: UTF8.self) }
    }
}
