import Crypto

/// One direction's datagram authentication key.
///
/// Neither pfsync nor conntrackd authenticates ("anyone reaching the sync port can create
/// states that bypass the ruleset"); Tandem signs every datagram with HMAC-SHA256 (DESIGN).
/// A node holds two of these (`SyncKeyPair`): one signs what it sends, the other checks what
/// it receives, so its own datagrams reflected back do not verify.
///
/// `@unchecked Sendable`: swift-crypto's `HMAC` does not declare it, but it is a value whose
/// hash states are copy-on-write; `tag` only ever mutates a copy.
public struct SyncKey: @unchecked Sendable {
    /// HMAC-SHA256 keyed with the derived key, before any data: its inner and outer hash
    /// states already hold the padded key blocks, so a tag costs the message's blocks and the
    /// outer block, not a new key, two key blocks and their allocations per datagram.
    private let keyed: HMAC<SHA256>

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case emptySecret
        case stretching(String)
        public var description: String {
            switch self {
            case .emptySecret: "state sync: the shared secret (hasync password) is empty"
            case .stretching(let why): "state sync: stretching the shared secret failed: \(why)"
            }
        }
    }

    static let salt = Array("tandem state-sync".utf8)
    static let info = Array("v1 datagram hmac-sha256".utf8)

    /// A key straight from `secret` by HKDF-SHA256 (RFC 5869), without stretching: for tests
    /// and tools that need a key quickly. The daemon derives its keys with
    /// `SyncKeyPair(secret:local:peer:)`, which stretches the secret first.
    public init(secret: some Sequence<UInt8>) throws(Failure) {
        let bytes = Array(secret)
        guard !bytes.isEmpty else { throw .emptySecret }
        self.init(derived: HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: bytes), salt: Self.salt,
                                                  info: Self.info, outputByteCount: 32))
    }

    init(derived: SymmetricKey) {
        keyed = HMAC<SHA256>(key: derived)
    }

    /// The first `length` bytes of HMAC-SHA256 over `bytes[range]`.
    func tag(_ bytes: [UInt8], _ range: Range<Int>, length: Int) -> [UInt8] {
        var hmac = keyed
        bytes.withUnsafeBytes { raw in hmac.update(data: UnsafeRawBufferPointer(rebasing: raw[range])) }
        return hmac.finalize().withUnsafeBytes { Array($0.prefix(length)) }
    }
}

/// Compares two byte strings in time that depends only on their length, so a forger learns
/// nothing from how long a rejection takes (as OpenBSD `carp_input` uses `timingsafe_bcmp`).
func constantTimeEqual(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}
