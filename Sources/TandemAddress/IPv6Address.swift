#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv6 address as a 128-bit value (high and low halves, host order).
public struct IPv6Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init?(_ text: some StringProtocol) {
        var addr = in6_addr()
        let ok = String(text).withCString { inet_pton(AF_INET6, $0, &addr) }
        guard ok == 1 else { return nil }
        let raw = withUnsafeBytes(of: &addr) { Array($0) }
        self.init(bytes: raw)
    }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        let b = Array(bytes)
        high = b[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = b[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Network-order bytes.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(high >> (56 - 8 * UInt64($0)) & 0xff) }
            + (0..<8).map { UInt8(low >> (56 - 8 * UInt64($0)) & 0xff) }
    }

    /// RFC 5952 text (what inet_ntop prints).
    public var description: String {
        var addr = in6_addr()
        let b = bytes
        withUnsafeMutableBytes(of: &addr) { raw in
            for i in 0..<16 { raw[i] = b[i] }
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
        return String(cString: buffer)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    public var isMulticast: Bool { high >> 56 == 0xff }
    public var isLinkLocal: Bool { high >> 54 == 0x3fa }  // fe80::/10
}
