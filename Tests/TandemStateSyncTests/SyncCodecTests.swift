import Testing
@testable import TandemStateSync
import TandemTestSupport

@Suite struct SyncCodecTests {
    let codec = SyncCodec(key: try! SyncKey(secret: Array("s3cret".utf8)))

    static let sample = SyncDatagram(
        session: 0x0123_4567_89ab_cdef, peerSession: 0xfedc_ba98_7654_3210, packet: 42, sent: 1000, ack: 77,
        bulkRequest: 3, challenge: 0x0bad_cafe_0000_0001, echo: 0x0bad_cafe_0000_0002,
        records: [
            .update(seq: 990, Flows.tcp(1)),
            .update(seq: 991, Flows.udp6(2)),
            .update(seq: 992, { var f = Flows.tcp(3); f.tcp = nil; return f }()),
            .delete(seq: 993, Flows.tcp(4).key),
            .delete(seq: 994, Flows.udp6(5).key),
            .bulkStart(seq: 995, id: 9),
            .bulkEnd(seq: 996, id: 9),
            .nack(SequenceRange(10, 20)),
            .void(SequenceRange(30, 30)),
            .digest(TableSummary(position: 997, digest: TableDigest(count: 0x0102_0304, sum: 0x1122_3344_5566_7788))),
        ])

    /// HMAC-SHA256 under the HKDF-derived key, truncated to 16 bytes; the expected values
    /// come from Python's hmac/hashlib (RFC 5869 HKDF written out), not from this code. Each
    /// tag starts from the same keyed state: a second message is not affected by the first.
    @Test func tagIsHMACSHA256UnderTheDerivedKey() throws {
        let key = try SyncKey(secret: Array("hasync password".utf8))
        let message = (0..<100).map { UInt8($0) }
        let expected: [UInt8] = [0xd9, 0x42, 0xe7, 0xb7, 0x9c, 0x10, 0x90, 0xbe, 0xd1, 0xc2, 0x16, 0x5c, 0x53, 0x9e, 0x8a, 0x57]
        #expect(key.tag(message, 0..<100, length: 16) == expected)
        #expect(key.tag(message, 0..<0, length: 16)
                == [0xb2, 0x89, 0xea, 0x21, 0xc9, 0xfc, 0x40, 0x7c, 0x5e, 0x08, 0x8e, 0x8f, 0xe1, 0x05, 0x91, 0xf2])
        #expect(key.tag(message, 0..<100, length: 16) == expected)
        #expect(key.tag([0xff] + message, 1..<101, length: 16) == expected, "only the range is authenticated")
    }

    @Test func roundTripsEveryRecordKind() throws {
        let bytes = codec.encode(Self.sample)
        #expect(bytes.count == SyncCodec.headerSize + 16 + Self.sample.records.reduce(0) { $0 + $1.encodedSize })
        #expect(try codec.decode(bytes).get() == Self.sample)
    }

    @Test func recordSizesMatchTheLayout() {
        #expect(SyncRecord.update(seq: 1, Flows.tcp(1)).encodedSize == 53)
        #expect(SyncRecord.update(seq: 1, Flows.udp6(1)).encodedSize == 101)
        #expect(SyncRecord.delete(seq: 1, Flows.tcp(1).key).encodedSize == 23)
        #expect(SyncRecord.nack(SequenceRange(1, 2)).encodedSize == 11)
        #expect(SyncRecord.digest(TableSummary(position: 1, digest: TableDigest())).encodedSize == 19)
    }

    @Test func headerIsBigEndianAtDocumentedOffsets() {
        let bytes = codec.encode(SyncDatagram(session: 0x1122_3344_5566_7788, peerSession: 0, packet: 5, sent: 0x0a0b_0c0d, ack: 1))
        #expect(bytes[0] == 3)
        #expect(Array(bytes[4..<12]) == [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])
        #expect(Array(bytes[28..<32]) == [0x0a, 0x0b, 0x0c, 0x0d])
        #expect(bytes.count == 72)
        var d = SyncDatagram(session: 1, peerSession: 0, packet: 5, sent: 1, ack: 1)
        d.challenge = 0x0102_0304_0506_0708
        d.echo = 0x1112_1314_1516_1718
        let withChallenge = codec.encode(d)
        #expect(Array(withChallenge[40..<48]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(withChallenge[48..<56]) == [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18])
    }

    @Test func wrongKeyIsRejected() {
        let other = SyncCodec(key: try! SyncKey(secret: Array("s3cret!".utf8)))
        #expect(other.decode(codec.encode(Self.sample)) == .failure(.badAuthentication))
    }

    @Test func everyFlippedBitIsRejected() {
        let bytes = codec.encode(Self.sample)
        for i in bytes.indices {
            var forged = bytes
            forged[i] ^= 0x01
            let result = codec.decode(forged)
            // Byte 0 is the version, checked before the tag; everything else fails the tag.
            #expect(result == .failure(i == 0 ? .badVersion : .badAuthentication), "byte \(i)")
        }
    }

    @Test func everyTruncationIsRejected() {
        let bytes = codec.encode(Self.sample)
        for n in 0..<bytes.count {
            let result = codec.decode(Array(bytes.prefix(n)))
            #expect(result == .failure(n < 72 ? .truncated : .badAuthentication), "length \(n)")
        }
    }

    @Test func oversizedIsRejectedUnread() {
        let small = SyncCodec(keys: codec.keys, maximumDatagram: 100)
        #expect(small.decode(codec.encode(Self.sample)) == .failure(.oversized))
        #expect(codec.decode(Array(repeating: 1, count: 70_000)) == .failure(.oversized))
    }

    @Test func emptySecretIsRefused() {
        #expect(throws: SyncKey.Failure.emptySecret) { try SyncKey(secret: []) }
    }

    /// Authentic (correctly tagged) but malformed bodies: the layout checks, not the tag,
    /// must catch them.
    @Test(arguments: [
        ("unknown record type", 56, 99),
        ("record length past the end", 57, 0xff),
        ("bad family", 63, 5),
        ("tcp present flag 2", 79, 2),
        ("record count too high", 3, 3),
        ("record count too low", 3, 1),
        ("reserved flags set", 1, 1),
    ] as [(String, Int, UInt8)])
    func authenticMalformedIsRejected(_ name: String, _ offset: Int, _ value: UInt8) {
        let d = SyncDatagram(session: 1, peerSession: 2, packet: 3, sent: 10, ack: 1,
                             records: [.update(seq: 1, Flows.tcp(1)), .bulkStart(seq: 2, id: 1)])
        var bytes = codec.encode(d)
        bytes.removeLast(16)
        bytes[offset] = value
        bytes += codec.keys.sending.tag(bytes, 0..<bytes.count, length: 16)
        #expect(codec.decode(bytes) == .failure(.malformed), "\(name)")
    }

    /// A digest record is position u32, count u32, sum u64, big-endian, and nothing else.
    @Test func digestLayoutIsFixed() throws {
        let summary = TableSummary(position: 0x0a0b_0c0d, digest: TableDigest(count: 3, sum: 0x0102_0304_0506_0708))
        let bytes = codec.encode(SyncDatagram(session: 1, peerSession: 2, packet: 3, sent: 0x0a0b_0c0d, ack: 1,
                                              records: [.digest(summary)]))
        #expect(Array(bytes[56..<75]) == [7, 0, 16, 0x0a, 0x0b, 0x0c, 0x0d, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8])
        // The same record with a body one byte short, correctly tagged: malformed.
        var short = Array(bytes[0..<74])
        short[58] = 15
        short += codec.keys.sending.tag(short, 0..<short.count, length: 16)
        #expect(codec.decode(short) == .failure(.malformed))
    }

    @Test func inconsistentTCPFieldsAreMalformed() {
        var bytes = codec.encode(SyncDatagram(session: 1, peerSession: 0, packet: 1, sent: 2, ack: 0,
                                              records: [.update(seq: 1, { var f = Flows.tcp(1); f.tcp = nil; return f }())]))
        bytes.removeLast(16)
        bytes[80] = 3  // tcp state set while "tcp present" is 0
        bytes += codec.keys.sending.tag(bytes, 0..<bytes.count, length: 16)
        #expect(codec.decode(bytes) == .failure(.malformed))
    }

    /// Random garbage, fixed seed: never accepted, never a crash.
    @Test func randomInputIsRejected() {
        var rng = SplitMix64(seed: 0x5eed)
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<300, using: &rng)
            var bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if n > 0, Bool.random(using: &rng) { bytes[0] = 1 }
            guard case .failure = codec.decode(bytes) else {
                Issue.record("random input of \(n) bytes accepted")
                return
            }
        }
    }

    /// The record decoder on its own, fed every prefix of valid records: it must throw, never
    /// read out of bounds.
    @Test func recordDecoderSurvivesEveryPrefix() {
        var w = WireWriter(capacity: 512)
        for r in Self.sample.records { r.encode(into: &w) }
        for n in 0...w.bytes.count {
            var r = WireReader(Array(w.bytes.prefix(n)))
            var decoded = 0
            while r.remaining > 0 {
                guard (try? SyncRecord.decode(from: &r)) != nil else { break }
                decoded += 1
            }
            #expect(decoded <= Self.sample.records.count)
        }
    }

    @Test func constantTimeCompare() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
