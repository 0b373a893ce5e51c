/// The Internet checksum (RFC 1071): one's-complement of the one's-complement sum of
/// 16-bit big-endian words, an odd trailing byte padded with zero.
///
/// CARP computes it over the 36-byte CARP header only, with the checksum field zeroed,
/// no pseudo-header, for IPv4 and IPv6 alike (`carp_input`, `carp6_input`). A receiver sums the header
/// as received: a correct one sums to zero.
public enum InternetChecksum {
    public static func compute(_ bytes: some Collection<UInt8>) -> UInt16 {
        var sum: UInt32 = 0
        var iterator = bytes.makeIterator()
        while let high = iterator.next() {
            let low = iterator.next() ?? 0
            sum &+= UInt32(high) << 8 | UInt32(low)
            // Fold as we go so the 32-bit accumulator cannot overflow on any input size.
            sum = (sum & 0xffff) &+ (sum >> 16)
        }
        sum = (sum & 0xffff) &+ (sum >> 16)
        return ~UInt16(truncatingIfNeeded: sum)
    }

    /// True when `bytes`, checksum field included, verify (their checksum is zero).
    public static func verifies(_ bytes: some Collection<UInt8>) -> Bool {
        compute(bytes) == 0
    }
}
