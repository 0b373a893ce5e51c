import FuzzInput
import SyncInput
@testable import TandemStateSync

private let codec = SyncCodec(key: try! SyncKey(secret: Array("fuzz".utf8)), tagLength: 16, maximumDatagram: 65_507)

/// The state-sync wire format both ways. First byte picks the direction:
/// - even: the rest is a datagram body; the harness appends the right HMAC tag (so the parser
///   behind the authentication check is reached, as a key holder could) and, when it decodes,
///   encoding the result must give the same bytes back (one encoding per datagram);
/// - odd: the rest chooses a datagram; decode(encode(d)) must be d.
/// Unsigned bytes must always be refused before anything is parsed.
func fuzzSyncCodec(_ data: UnsafePointer<UInt8>, _ size: Int) {
    var input = FuzzInput(data, size)
    if input.u8() & 1 == 0 {
        let body = input.rest()
        let signed = codec.encodeSigned(body)
        if case .success(let d) = codec.decode(signed) {
            fuzzCheck(codec.encode(d) == signed, "decoded datagram re-encodes to other bytes")
        }
        if body.count >= codec.overhead, case .success = codec.decode(body) {
            fuzzCheck(false, "unsigned bytes accepted")
        }
    } else {
        let d = input.datagram()
        let bytes = codec.encode(d)
        switch codec.decode(bytes) {
        case .success(let back): fuzzCheck(back == d, "decode(encode(d)) != d")
        case .failure(let why): fuzzCheck(false, "own encoding refused: \(why)")
        }
    }
}

extension SyncCodec {
    /// `body` followed by its tag, framed as `encode` frames a datagram.
    func encodeSigned(_ body: [UInt8]) -> [UInt8] {
        body + keys.sending.tag(body, 0..<body.count, length: tagLength)
    }
}
