import Testing
import CMnl
import TandemAddress
@testable import TandemNetlink

/// The rtnetlink messages as bytes, without a kernel: what an add/remove request carries
/// and that the parser reads it back.
@Suite("RtnlMessage")
struct RtnlMessageTests {
    static func build(_ type: Int32, _ text: String, index: Int32 = 7) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RtnlMessage.bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        let n = RtnlMessage.address(UInt16(type), IPNetwork(text)!, interfaceIndex: index, sequence: 42, into: buffer)
        return Array(buffer[0..<n])
    }

    static func header(_ bytes: [UInt8]) -> nlmsghdr {
        bytes.withUnsafeBytes { $0.loadUnaligned(as: nlmsghdr.self) }
    }

    static func parsed(_ bytes: [UInt8]) -> InterfaceAddress? {
        bytes.withUnsafeBytes { raw in
            RtnlMessage.parseAddress(raw.baseAddress!.assumingMemoryBound(to: nlmsghdr.self))
        }
    }

    @Test(arguments: ["198.51.100.1/24", "192.0.2.10/32", "2001:db8::1/64", "fe80::1/64"])
    func addCarriesTheRealPrefixAndReadsBack(_ text: String) throws {
        let bytes = Self.build(Int32(RTM_NEWADDR), text)
        let h = Self.header(bytes)
        #expect(Int(h.nlmsg_len) == bytes.count)
        #expect(h.nlmsg_seq == 42)
        let wanted = Int32(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
        #expect(Int32(h.nlmsg_flags) == wanted)
        let address = try #require(Self.parsed(bytes))
        #expect(address.network == IPNetwork(text)!)
        #expect(address.interfaceIndex == 7)
        // IPv6 without duplicate address detection; link-local in link scope.
        #expect((address.flags & AddressFlag.noDAD != 0) == (address.network.family == .ipv6))
        #expect(address.scope == (text.hasPrefix("fe80") ? 253 : 0))
    }

    @Test func removeNamesTheAddressExactlyAndDoesNotCreate() throws {
        let bytes = Self.build(Int32(RTM_DELADDR), "192.0.2.10/24")
        let h = Self.header(bytes)
        #expect(Int32(h.nlmsg_flags) == Int32(NLM_F_REQUEST | NLM_F_ACK))
        // Both IFA_LOCAL and IFA_ADDRESS: the kernel then matches prefix and address.
        var types: [UInt16] = []
        bytes.withUnsafeBytes { raw in
            RtnlMessage.forEachAttribute(raw.baseAddress!.assumingMemoryBound(to: nlmsghdr.self),
                                         offset: MemoryLayout<ifaddrmsg>.size) { type, payload in
                types.append(type)
                #expect(Array(payload) == [192, 0, 2, 10])
            }
        }
        #expect(types == [RtnlMessage.ifaLocal, RtnlMessage.ifaAddress])
        #expect(try #require(Self.parsed(bytes)).network.prefixLength == 24)
    }

    @Test func truncatedMessagesAreNotParsed() {
        var bytes = Self.build(Int32(RTM_NEWADDR), "198.51.100.1/24")
        bytes = Array(bytes.prefix(MemoryLayout<nlmsghdr>.size + 4))
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(raw.count), toByteOffset: 0, as: UInt32.self)
        }
        #expect(Self.parsed(bytes) == nil)
    }
}
