import Testing
@testable import TandemNetlink

/// Parsing the kernel's batch replies: acks, errors with their sequence numbers, and the
/// NETLINK_EXT_ACK message.
@Suite struct NftAcknowledgementsTests {
    static func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func u16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    /// An NLMSG_ERROR for `seq` with `error`, capped, optionally with an EXT_ACK message.
    static func error(seq: UInt32, error: Int32, text: String?) -> [UInt8] {
        var payload = u32(UInt32(bitPattern: error))
        payload += u32(36) + u16(0x0a06) + u16(0x0401) + u32(seq) + u32(0)   // the original header
        var flags: UInt16 = 0x100
        if let text {
            flags |= 0x200
            let bytes = Array(text.utf8) + [0]
            payload += u16(UInt16(4 + bytes.count)) + u16(1) + bytes
            while payload.count % 4 != 0 { payload.append(0) }
        }
        return u32(UInt32(16 + payload.count)) + u16(2) + u16(flags) + u32(seq) + u32(0) + payload
    }

    @Test func errorsAndAcksAreReadWithTheirSequenceNumbers() {
        let bytes = Self.error(seq: 41, error: -2, text: "Could not process rule: No such file or directory")
            + Self.error(seq: 42, error: 0, text: nil)
        let acks = bytes.withUnsafeBytes { NftAcknowledgements.parse($0) }
        #expect(acks == [
            NftAcknowledgement(sequence: 41, errno: 2, message: "Could not process rule: No such file or directory"),
            NftAcknowledgement(sequence: 42, errno: 0, message: nil),
        ])
    }

    @Test func aTruncatedMessageStopsParsing() {
        let bytes = Array(Self.error(seq: 1, error: -1, text: nil).prefix(30))
        #expect(bytes.withUnsafeBytes { NftAcknowledgements.parse($0) }.isEmpty)
    }
}
