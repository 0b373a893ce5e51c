import Crypto

/// The datagram authentication key, derived from the hasync shared secret.
///
/// Neither pfsync nor conntrackd authenticates (state-sync.md §0.6: "anyone reaching the sync
/// port can create states that bypass the ruleset"); Tandem signs every datagram with
/// HMAC-SHA256 (DESIGN). The key is not the secret itself but HKDF-SHA256 of it (RFC 5869)
/// with a fixed salt and a purpose label, so the same password used elsewhere (XML-RPC) never
/// keys this MAC directly.
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
        public var description: String { "state sync: the shared secret (hasync password) is empty" }
    }

    static let salt = Array("tandem state-sync".utf8)
    static let info = Array("v1 datagram hmac-sha256".utf8)

    public init(secret: some Sequence<UInt8>) throws(Failure) {
        let bytes = Array(secret)
        guard !bytes.isEmpty else { throw .emptySecret }
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: bytes), salt: Self.salt,
                                             info: Self.info, outputByteCount: 32)
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
