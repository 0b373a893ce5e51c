import Testing
import _CryptoExtras
import Crypto
import TandemAddress
@testable import TandemStateSync

/// The daemon's keys (issue 16 item 5): scrypt with a per-pair salt, then one HKDF key per
/// direction.
@Suite struct SyncKeyPairTests {
    static let a = IPAddress("203.0.113.1")!
    static let b = IPAddress("203.0.113.2")!
    static let cheap = KeyStretching(log2Rounds: 10)
    static let datagram = SyncDatagram(session: 1, peerSession: 2, packet: 3, sent: 1, ack: 1)

    static func codec(_ secret: String, _ local: IPAddress, _ peer: IPAddress, _ cost: KeyStretching = cheap) -> SyncCodec {
        SyncCodec(keys: try! SyncKeyPair(secret: Array(secret.utf8), local: local, peer: peer, stretching: cost))
    }

    @Test func theTwoNodesOfAPairAgreeAndEachDirectionHasItsOwnKey() {
        let onA = Self.codec("pw", Self.a, Self.b)
        let onB = Self.codec("pw", Self.b, Self.a)
        #expect(onB.decode(onA.encode(Self.datagram)) == .success(Self.datagram))
        #expect(onA.decode(onB.encode(Self.datagram)) == .success(Self.datagram))
        // A's datagram reflected back to A.
        #expect(onA.decode(onA.encode(Self.datagram)) == .failure(.badAuthentication))
    }

    /// The salt is the pair: the same password on another pair gives other keys.
    @Test func anotherPairOrPasswordDoesNotVerify() {
        let onA = Self.codec("pw", Self.a, Self.b)
        let c = IPAddress("203.0.113.5")!
        #expect(Self.codec("pw", c, Self.a).decode(onA.encode(Self.datagram)) == .failure(.badAuthentication))
        #expect(Self.codec("pW", Self.b, Self.a).decode(onA.encode(Self.datagram)) == .failure(.badAuthentication))
    }

    /// scrypt as RFC 7914 §12 defines it (its second test vector: "password", "NaCl",
    /// N = 1024, r = 8, p = 16), so the stretching is the standard function.
    @Test func stretchingIsRFC7914Scrypt() throws {
        let key = try KDFVector.rfc7914()
        #expect(key.prefix(8) == [0xfd, 0xba, 0xbe, 0x1c, 0x9d, 0x34, 0x72, 0x00])
    }

    /// The standard cost, measured: it runs once at start, and makes each offline guess cost
    /// the same.
    @Test func standardStretchingTakesAMomentOnce() throws {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try SyncKeyPair(secret: Array("hasync password".utf8), local: Self.a, peer: Self.b)
        let took = clock.now - start
        print("scrypt N=2^\(KeyStretching.standard.log2Rounds) r=8 p=1: \(took)")
        #expect(took > .milliseconds(20), "too cheap to slow guessing down")
        #expect(took < .seconds(5))
    }

    @Test func emptySecretIsRefused() {
        #expect(throws: SyncKey.Failure.emptySecret) { try SyncKeyPair(secret: [], local: Self.a, peer: Self.b) }
    }
}

enum KDFVector {
    static func rfc7914() throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array("password".utf8), salt: Array("NaCl".utf8), outputByteCount: 64,
                                           rounds: 1024, blockSize: 8, parallelism: 16)
        return key.withUnsafeBytes { Array($0) }
    }
}
