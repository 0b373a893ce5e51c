import Crypto

/// The datagram authentication key, derived from the hasync shared secret.
///
/// Neither pfsync nor conntrackd authenticates (state-sync.md §0.6: "anyone reaching the sync
/// port can create states that bypass the ruleset"); Tandem signs every datagram with
/// HMAC-SHA256 (DESIGN). The key is not the secret itself but HKDF-SHA256 of it (RFC 5869)
/// with a fixed salt and a purpose label, so the same password used elsewhere (XML-RPC) never
/// keys this MAC directly.
public struct SyncKey: Sendable {
    /// The derived 32-byte key. Kept as bytes: swift-crypto's `SymmetricKey` is not `Sendable`.
    let keyBytes: [UInt8]

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
        keyBytes = derived.withUnsafeBytes { Array($0) }
    }

    /// The first `length` bytes of HMAC-SHA256 over `bytes[range]`.
    func tag(_ bytes: [UInt8], _ range: Range<Int>, length: Int) -> [UInt8] {
        let key = SymmetricKey(data: keyBytes)
        let mac = bytes.withUnsafeBytes { raw in
            HMAC<SHA256>.authenticationCode(for: UnsafeRawBufferPointer(rebasing: raw[range]), using: key)
        }
        return Array(mac.prefix(length))
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
