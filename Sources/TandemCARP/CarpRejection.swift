/// Why a received advertisement was dropped: one case per rung of the receive ladder
/// (OpenBSD `carps_badttl`, `carps_badlen`, `carps_badver`, `carps_badsum`,
/// `carps_badvhid`, `carps_badauth`), in the order they are checked, and Tandem's replay check.
public enum CarpRejection: String, Error, CaseIterable, Sendable, Hashable, Codable, CodingKeyRepresentable,
                           CustomStringConvertible {
    /// TTL / hop limit other than 255: the packet crossed a router.
    case badTTL
    /// Not exactly 36 CARP bytes.
    case badLength
    /// Version other than 2.
    case badVersion
    /// Type other than 1 (advertisement).
    case badType
    /// Internet checksum over the 36 bytes does not verify.
    case badChecksum
    /// No vhid of that number on the receiving interface.
    case unknownVHID
    /// Digest mismatch: wrong password, wrong address set, or forged.
    case badHMAC
    /// Our own advertisement echoed back by a switch or a loop (FreeBSD `carp_source_is_self`).
    case ownAdvertisement
    /// A counter accepted before on the vhid, or at or below the last one of a source that
    /// counts sequentially: a replay (`CarpReplayGuard`).
    case replayedCounter

    public var description: String {
        switch self {
        case .badTTL: "TTL/hop limit not 255"
        case .badLength: "wrong length"
        case .badVersion: "wrong version"
        case .badType: "wrong type"
        case .badChecksum: "bad checksum"
        case .unknownVHID: "unknown vhid"
        case .badHMAC: "bad HMAC"
        case .ownAdvertisement: "own advertisement echoed back"
        case .replayedCounter: "replayed counter"
        }
    }
}

/// Packet counters of a node, readable by `tandem status`.
public struct CarpCounters: Sendable, Hashable, Codable {
    public var received: UInt64 = 0
    public var accepted: UInt64 = 0
    public var rejected: [CarpRejection: UInt64] = [:]
    /// Advertisements handed to the packet I/O (one per family), and the sends the driver
    /// reported failed (`CarpNodeEvent.sendResult`).
    public var sent: UInt64 = 0
    public var sendErrors: UInt64 = 0

    public init() {}

    public subscript(reason: CarpRejection) -> UInt64 { rejected[reason, default: 0] }

    public mutating func count(_ verdict: Result<CarpAdvertisement, CarpRejection>) {
        received += 1
        switch verdict {
        case .success: accepted += 1
        case .failure(let reason): rejected[reason, default: 0] += 1
        }
    }
}
