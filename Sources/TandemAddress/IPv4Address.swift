#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 address held as a host-order integer, so ordering and ranges are arithmetic.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Strict dotted-quad parsing (inet_pton semantics: no octal, no short forms).
    public init?(_ text: some StringProtocol) {
        var addr = in_addr()
        let ok = String(text).withCString { inet_pton(AF_INET, $0, &addr) }
        guard ok == 1 else { return nil }
        value = UInt32(bigEndian: addr.s_addr)
    }

    /// Network-order bytes, as they appear on the wire.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    public var isMulticast: Bool { value >> 28 == 0xe }
}
