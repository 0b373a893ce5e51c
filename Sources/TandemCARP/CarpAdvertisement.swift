/// The 36-byte CARP version 2 header (`struct carp_header` in `ip_carp.h`), network byte order:
///
/// ```
///  0      version (high nibble) | type (low nibble)    0x21 for an advertisement
///  1      vhid                                         1...255
///  2      advskew                                      1/256 s units
///  3      authlen                                      7 (counter + digest in 32-bit words)
///  4      demote                                       OpenBSD demotion; FreeBSD/pfSense send 0
///  5      advbase                                      seconds
///  6..7   checksum                                     over these 36 bytes only
///  8..15  counter                                      high 32-bit word first
///  16..35 digest                                       HMAC-SHA1
/// ```
///
/// Decoding checks only the size; the receive ladder (`CarpReceiveValidation`) judges
/// version, type, checksum and digest so each rejection is counted separately.
public struct CarpAdvertisement: Sendable, Hashable {
    public static let size = 36
    public static let currentVersion: UInt8 = 2
    public static let advertisementType: UInt8 = 1
    /// Counter (8 bytes) plus digest (20 bytes) in 32-bit words; every sender hard-codes it.
    public static let standardAuthLength: UInt8 = 7
    public static let digestSize = 20

    public var version: UInt8
    public var type: UInt8
    public var vhid: UInt8
    public var advskew: UInt8
    public var authlen: UInt8
    public var demote: UInt8
    public var advbase: UInt8
    /// The checksum as received; `encoded()` recomputes it.
    public var checksum: UInt16
    public var counter: UInt64
    public var digest: [UInt8]

    public init(vhid: UInt8, advbase: UInt8, advskew: UInt8, demote: UInt8 = 0,
                counter: UInt64, digest: [UInt8] = Array(repeating: 0, count: CarpAdvertisement.digestSize)) {
        version = Self.currentVersion
        type = Self.advertisementType
        self.vhid = vhid
        self.advskew = advskew
        authlen = Self.standardAuthLength
        self.demote = demote
        self.advbase = advbase
        checksum = 0
        self.counter = counter
        self.digest = digest
    }

    /// The 8 counter bytes as they appear on the wire (and in the HMAC input).
    public var counterBytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64($0))) }
    }

    /// The wire form with the checksum computed over the final bytes (BSD: after counter
    /// and digest are filled in, with the checksum field zeroed).
    public func encoded() -> [UInt8] {
        precondition(digest.count == Self.digestSize, "CARP digest must be \(Self.digestSize) bytes, got \(digest.count)")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.size)
        bytes.append(version << 4 | type & 0x0f)
        bytes += [vhid, advskew, authlen, demote, advbase, 0, 0]
        bytes += counterBytes
        bytes += digest
        let sum = InternetChecksum.compute(bytes)
        bytes[6] = UInt8(sum >> 8)
        bytes[7] = UInt8(sum & 0xff)
        return bytes
    }

    /// Decodes exactly 36 bytes; anything shorter or longer is rejected with its size.
    public init(decoding bytes: some Collection<UInt8>) throws(CarpDecodeError) {
        guard bytes.count == Self.size else {
            throw bytes.count < Self.size ? .truncated(bytes.count) : .oversized(bytes.count)
        }
        let b = Array(bytes)
        version = b[0] >> 4
        type = b[0] & 0x0f
        vhid = b[1]
        advskew = b[2]
        authlen = b[3]
        demote = b[4]
        advbase = b[5]
        checksum = UInt16(b[6]) << 8 | UInt16(b[7])
        counter = b[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        digest = Array(b[16..<36])
    }
}

public enum CarpDecodeError: Error, Equatable, CustomStringConvertible {
    case truncated(Int)
    case oversized(Int)

    public var description: String {
        switch self {
        case .truncated(let n): "CARP header: expected \(CarpAdvertisement.size) bytes, got only \(n)"
        case .oversized(let n): "CARP header: expected \(CarpAdvertisement.size) bytes, got \(n)"
        }
    }
}
