import Testing
import TandemAddress
import TandemStateSync
@testable import TandemNetlink

/// The pure injection rules (no kernel).
struct ConntrackInjectionTests {
    typealias I = ConntrackInjection

    @Test func sourceNATBindingComesFromTheReplyDestination() {
        let flow = ConntrackFixtures.snatTCP(natPort: 61001)
        #expect(I.sourceNAT(of: flow) == I.Binding(address: IPAddress("198.51.100.1")!, port: 61001))
        #expect(I.destinationNAT(of: flow) == nil)
        #expect(flow.isSourceNAT && !flow.isDestinationNAT)
    }

    @Test func destinationNATBindingComesFromTheReplySource() {
        // Port forward: 203.0.113.9:443 → 192.0.2.10:8443.
        let flow = FlowState(
            family: .ipv4, l4proto: 6,
            original: FlowTuple(source: IPAddress("203.0.113.9")!, destination: IPAddress("198.51.100.1")!,
                                sourcePort: 50000, destinationPort: 443),
            reply: FlowTuple(source: IPAddress("192.0.2.10")!, destination: IPAddress("203.0.113.9")!,
                             sourcePort: 8443, destinationPort: 50000),
            status: 6, timeout: 60)
        #expect(I.destinationNAT(of: flow) == I.Binding(address: IPAddress("192.0.2.10")!, port: 8443))
        #expect(I.sourceNAT(of: flow) == nil)
    }

    @Test(arguments: [ConntrackFixtures.udp(), ConntrackFixtures.icmp(), ConntrackFixtures.tcp6(), ConntrackFixtures.icmp6()])
    func flowsWithoutNATHaveNoBindingAndTheirReplyIsTheInverse(_ flow: FlowState) {
        #expect(I.sourceNAT(of: flow) == nil)
        #expect(I.destinationNAT(of: flow) == nil)
        #expect(!flow.isSourceNAT && !flow.isDestinationNAT)
        #expect(I.unNATedReply(of: flow) == flow.reply)
    }

    @Test func icmpNATIsTheAddressAndARemappedEchoId() {
        var flow = ConntrackFixtures.icmp()
        flow.reply.destination = IPAddress("198.51.100.1")!
        #expect(I.sourceNAT(of: flow) == I.Binding(address: IPAddress("198.51.100.1")!, port: nil))
        #expect(flow.isSourceNAT)
        let remapped = ConntrackFixtures.icmpWithIDNAT()
        #expect(I.sourceNAT(of: remapped) == I.Binding(address: IPAddress("198.51.100.1")!, port: 0x4321))
        #expect(I.expectedReply(of: remapped) == remapped.reply)
    }

    @Test(arguments: [(UInt8(8), false, UInt8?(0)), (0, false, 8), (13, false, 14), (128, true, 129), (129, true, 128), (3, false, nil)])
    func icmpReplyTypes(type: UInt8, v6: Bool, expected: UInt8?) {
        #expect(I.icmpReplyType(type, v6: v6) == expected)
    }

    @Test func creationKeepsOnlySettableStatusAndSetsBeLiberal() {
        var flow = ConntrackFixtures.snatTCP()
        flow.status = 0x1ff  // everything up to DST_NAT_DONE, as a dump reports it
        flow.tcp?.originalFlags = 0xff
        flow.tcp?.replyFlags = 0
        let f = I.forCreation(flow)
        #expect(f.status == I.Status.seenReply | I.Status.assured)
        #expect(f.tcp?.originalFlags == I.tcpFlagMask)
        #expect(f.tcp?.replyFlags == I.TCPFlag.beLiberal)
    }
}

/// FlowState → libnetfilter_conntrack object → ctnetlink message → parsed back (no kernel).
struct ConntrackCodecTests {
    static func roundTrip(_ flow: FlowState, purpose: ConntrackPurpose) throws -> FlowState? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ConntrackMessage.maximumSize, alignment: 8)
        defer { buffer.deallocate() }
        let object = try ConntrackObject(flow: flow, for: purpose)
        let length = try ConntrackMessage.write(at: buffer.baseAddress!, kind: .new, flags: ConntrackMessage.request,
                                                sequence: 1, family: ConntrackKernelTable.family(flow.family), object: object)
        let datagram = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
        let headers = ConntrackMessage.headers(in: datagram)
        #expect(headers.count == 1)
        guard let h = headers.first, case .flow(let parsed) = ConntrackMessage.flow(h, in: datagram) else { return nil }
        return parsed
    }

    @Test(arguments: [ConntrackFixtures.snatTCP(), ConntrackFixtures.udp(), ConntrackFixtures.icmp(),
                      ConntrackFixtures.tcp6(), ConntrackFixtures.icmp6()])
    func createMessageCarriesTheFlow(_ flow: FlowState) throws {
        let parsed = try #require(try Self.roundTrip(ConntrackInjection.forCreation(flow), purpose: .create))
        #expect(parsed.original == flow.original)
        // The create message carries the un-NATed reply; the binding travels in CTA_NAT_*.
        #expect(parsed.reply == ConntrackInjection.unNATedReply(of: flow))
        #expect(parsed.timeout == flow.timeout)
        #expect(parsed.mark == flow.mark)
        #expect(parsed.zone == flow.zone)
        #expect(parsed.family == flow.family && parsed.l4proto == flow.l4proto)
        if let tcp = flow.tcp {
            #expect(parsed.tcp?.state == tcp.state)
            #expect(parsed.tcp?.originalFlags == ConntrackInjection.tcpFlags(tcp.originalFlags))
        }
    }

    @Test func eventClassification() {
        let flow = ConntrackFixtures.udp()
        func header(kind: UInt16, flags: UInt16) -> ConntrackMessage.Header {
            .init(length: 20, type: 1 << 8 | kind, flags: flags, sequence: 0, portID: 0, offset: 0)
        }
        let createExcl = ConntrackMessage.create | ConntrackMessage.exclusive
        #expect(ConntrackEventMonitor.classify(header(kind: 0, flags: createExcl), flow) == .new(flow))
        #expect(ConntrackEventMonitor.classify(header(kind: 0, flags: 0), flow) == .update(flow))
        #expect(ConntrackEventMonitor.classify(header(kind: 2, flags: 0), flow) == .destroy(flow))
    }

    @Test func headersStopAtTruncation() {
        var bytes = [UInt8](repeating: 0, count: 24)
        bytes[0] = 40  // claims 40 bytes, only 24 present
        bytes.withUnsafeBytes { #expect(ConntrackMessage.headers(in: $0).isEmpty) }
    }
}
