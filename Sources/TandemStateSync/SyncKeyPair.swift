import Crypto
import _CryptoExtras
import TandemAddress

/// The keys of one node of a pair: `sending` signs its datagrams, `receiving` checks the
/// peer's.
///
/// The shared secret is the hasync password, which also guards XML-RPC. One captured
/// datagram would allow guessing it offline at the speed of HMAC-SHA256; so it is first
/// stretched with scrypt (RFC 7914), once when state sync starts, with a salt of the pair's
/// two sync addresses: guesses cost `KeyStretching.standard` each and a table computed for
/// one pair is useless for another. From that master key HKDF-SHA256 (RFC 5869) derives one
/// key per direction, with the sender's and the receiver's address in the info, so a
/// datagram reflected back to its sender does not verify there.
public struct SyncKeyPair: Sendable {
    public let sending: SyncKey
    public let receiving: SyncKey

    public init(sending: SyncKey, receiving: SyncKey) {
        self.sending = sending
        self.receiving = receiving
    }

    /// The same key both ways, for a tool or test that plays both ends (not the daemon).
    public init(symmetric key: SyncKey) {
        self.init(sending: key, receiving: key)
    }

    /// The daemon's keys for the node at `local` syncing with `peer`.
    public init(secret: some Sequence<UInt8>, local: IPAddress, peer: IPAddress,
                stretching: KeyStretching = .standard) throws(SyncKey.Failure) {
        let master = try Self.master(secret: secret, local: local, peer: peer, stretching: stretching)
        sending = SyncKey(derived: Self.direction(master, from: local, to: peer))
        receiving = SyncKey(derived: Self.direction(master, from: peer, to: local))
    }

    static let saltLabel = Array("tandem state-sync v3 pair".utf8)
    static let infoLabel = Array("tandem state-sync v3 datagram hmac-sha256".utf8)

    /// scrypt(secret, label ‖ lower address ‖ higher address): both nodes compute the same.
    static func master(secret: some Sequence<UInt8>, local: IPAddress, peer: IPAddress,
                       stretching: KeyStretching) throws(SyncKey.Failure) -> SymmetricKey {
        let bytes = Array(secret)
        guard !bytes.isEmpty else { throw .emptySecret }
        let (a, b) = (local.bytes, peer.bytes)
        let salt = saltLabel + (a.lexicographicallyPrecedes(b) ? a + b : b + a)
        do {
            return try KDF.Scrypt.deriveKey(from: bytes, salt: salt, outputByteCount: 32,
                                            rounds: 1 << stretching.log2Rounds, blockSize: stretching.blockSize,
                                            parallelism: stretching.parallelism)
        } catch {
            throw .stretching("\(error)")
        }
    }

    static func direction(_ master: SymmetricKey, from sender: IPAddress, to receiver: IPAddress) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: infoLabel + sender.bytes + [0x3e] + receiver.bytes,
                               outputByteCount: 32)
    }
}

/// scrypt's cost (RFC 7914 §2): N = 2^log2Rounds, r = blockSize, p = parallelism; memory is
/// 128 · r · N bytes.
public struct KeyStretching: Sendable, Equatable {
    public var log2Rounds: Int
    public var blockSize: Int
    public var parallelism: Int

    public init(log2Rounds: Int, blockSize: Int = 8, parallelism: Int = 1) {
        self.log2Rounds = log2Rounds
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// N = 2^15, r = 8, p = 1: 32 MiB for a moment at start (README "Security" gives the time).
    public static let standard = KeyStretching(log2Rounds: 15)
}
