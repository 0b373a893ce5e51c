#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TandemAddress
import TandemTestSupport
@testable import TandemCARP

/// Kernel tests: two throwaway namespaces joined by a veth pair; our sockets in one, and
/// tcpdump or ucarp in the other. Serialized: each starts processes and captures traffic.
/// The blocking part of each test runs on its own thread (`onOwnThread`) and returns what
/// it observed; the assertions run on the test's task.
@Suite(.serialized) struct LinuxCarpInterfaceIOTests {
    static let suite = "LinuxCarpInterfaceIOTests"
    static let key = CarpKey(password: "secret")
    static let vip = IPAddress("198.51.100.1")!

    @Test(.needsNetworkNamespaces) func tcpdumpDecodesOurIPv4AdvertisementWithAGoodChecksum() async throws {
        let (text, broken) = try await onOwnThread {
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            let io = try a.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpa0", families: [.ipv4]) }
            var counter: UInt64 = 0x1122_3344_5566_0000
            let good = try KernelLab.captureOne(in: b, interface: "carpb0", filter: "ip proto 112") {
                counter += 1
                try io.send(.signed(vhid: 143, advbase: 1, advskew: 100, counter: counter, key: Self.key, addresses: [Self.vip]),
                            family: .ipv4, source: nil)
            }
            // Negative control: the same capture flags a broken checksum, so the check is real.
            let broken = try KernelLab.captureOne(in: b, interface: "carpb0", filter: "ip proto 112") {
                var bytes = CarpAdvertisement(vhid: 143, advbase: 1, advskew: 100, counter: 1).encoded()
                bytes[7] ^= 0x5a
                try io.sendPayload(bytes, family: .ipv4)
            }
            return (good, broken)
        }
        #expect(text.contains("CARPv2-advertise 36: vhid=143 advbase=1 advskew=100 authlen=7"), "\(text)")
        #expect(text.contains("ttl 255"), "\(text)")
        #expect(text.contains("198.51.100.2 > 224.0.0.18"), "\(text)")
        #expect(text.contains("tos 0xe0"), "\(text)")
        #expect(!text.contains("bad"), "\(text)")
        #expect(text.contains("1 packet captured"), "\(text)")
        #expect(broken.contains("bad carp cksum"), "\(broken)")
    }

    @Test(.needsNetworkNamespaces) func tcpdumpDecodesOurIPv6AdvertisementWithHopLimit255() async throws {
        let text = try await onOwnThread {
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            let io = try a.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpa0", families: [.ipv6]) }
            let vip6 = IPAddress("2001:db8::1")!
            return try KernelLab.captureOne(in: b, interface: "carpb0", filter: "ip6 proto 112") {
                try io.send(.signed(vhid: 7, advbase: 1, advskew: 0, counter: 5, key: Self.key, addresses: [vip6]),
                            family: .ipv6, source: nil)
            }
        }
        #expect(text.contains("CARPv2-advertise 36: vhid=7 advbase=1 advskew=0 authlen=7"), "\(text)")
        #expect(text.contains("hlim 255"), "\(text)")
        #expect(text.contains("> ff02::12"), "\(text)")
        #expect(!text.contains("bad"), "\(text)")
    }

    /// An explicit source goes into the IPv4 header we build and, for IPv6, through
    /// IPV6_PKTINFO; the receiver sees exactly that address.
    @Test(.needsNetworkNamespaces) func sendsFromTheRequestedSource() async throws {
        let sources = [IPAddress("198.51.100.20")!, IPAddress("2001:db8::2")!]
        let (seen, wrongFamily, unknownInterface) = try await onOwnThread {
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            try a.exec(["ip", "address", "add", "198.51.100.20/24", "dev", "carpa0"])
            let sender = try a.run { () throws(CarpIOError) in try LinuxCarpSocketSet(families: ["carpa0": [.ipv4, .ipv6]]) }
            let receiver = try b.run { () throws(CarpIOError) in try LinuxCarpSocketSet(families: ["carpb0": [.ipv4, .ipv6]]) }
            var seen: Set<IPAddress> = []
            for attempt in 0..<20 where seen.count < 2 {
                for source in sources {
                    try sender.send(.signed(vhid: 3, advbase: 1, advskew: 0, counter: UInt64(attempt), key: Self.key,
                                            addresses: [Self.vip]), interface: "carpa0", family: source.family, source: source)
                }
                for packet in try receiver.receive(timeoutMilliseconds: 100) where packet.hopLimit == 255 {
                    seen.insert(packet.source)
                }
            }
            let wrongFamily = Result { () throws(CarpIOError) in
                try sender.send(CarpAdvertisement(vhid: 3, advbase: 1, advskew: 0, counter: 0), interface: "carpa0",
                                family: .ipv4, source: sources[1])
            }
            let unknownInterface = Result { () throws(CarpIOError) in try sender.announce([Self.vip], interface: "nosuch0") }
            return (seen, wrongFamily, unknownInterface)
        }
        #expect(seen == Set(sources))
        #expect(throws: CarpIOError.self) { try wrongFamily.get() }
        #expect(throws: CarpIOError.self) { try unknownInterface.get() }
    }

    /// Unicast CARP (FreeBSD ≥ 14 / OpenBSD `carppeer`): sent to the peer's address, still
    /// TTL 255, and received by the peer's protocol-112 socket, which is not bound to the group.
    @Test(.needsNetworkNamespaces) func unicastPeerReceivesAdvertisements() async throws {
        let (text, packet) = try await onOwnThread {
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            let sender = try a.run { () throws(CarpIOError) in
                try LinuxCarpInterfaceIO(interface: "carpa0", families: [.ipv4], unicastPeers: [IPAddress("198.51.100.3")!])
            }
            let receiver = try b.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpb0", families: [.ipv4]) }
            let ad = CarpAdvertisement.signed(vhid: 5, advbase: 1, advskew: 0, counter: 77, key: Self.key, addresses: [Self.vip])
            let text = try KernelLab.captureOne(in: b, interface: "carpb0", filter: "ip proto 112") {
                try sender.send(ad, family: .ipv4)
            }
            var packet: ReceivedCarpPacket?
            for _ in 0..<10 where packet == nil {
                try sender.send(ad, family: .ipv4)
                packet = try receiver.receive(waitingUpTo: 100)
            }
            return (text, packet)
        }
        #expect(text.contains("198.51.100.2 > 198.51.100.3"), "\(text)")
        #expect(text.contains("CARPv2-advertise 36: vhid=5"), "\(text)")
        #expect(text.contains("ttl 255"), "\(text)")
        let received = try #require(packet)
        #expect(received.hopLimit == 255)
        let verdict = CarpReceiveValidation.validate(received, ownAddresses: []) { _ in
            CarpReceiveContext(key: Self.key, addresses: [Self.vip], lastSentCounter: nil)
        }
        #expect((try? verdict.get())?.counter == 77)
    }

    /// Our sockets on both sides: B receives what A sends over IPv4 and IPv6, TTL/hop limit
    /// 255 observed, and the ladder accepts it.
    @Test(.needsNetworkNamespaces) func receivesOwnSocketsAdvertisementsOnBothFamilies() async throws {
        let vips = [Self.vip, IPAddress("2001:db8::1")!]
        let (got, heardOwn) = try await onOwnThread {
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            let families: Set<IPFamily> = [.ipv4, .ipv6]
            let sender = try a.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpa0", families: families) }
            let receiver = try b.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpb0", families: families) }
            var got: [IPFamily: ReceivedCarpPacket] = [:]
            for attempt in 0..<20 where got.count < 2 {
                for family in families {
                    try sender.send(.signed(vhid: 9, advbase: 1, advskew: 0, counter: UInt64(attempt), key: Self.key,
                                            addresses: vips), family: family, source: nil)
                }
                while let packet = try receiver.receive(waitingUpTo: 100) {
                    got[packet.source.family] = packet
                }
            }
            // Multicast loop is off: the sender hears nothing of its own.
            return (got, try sender.receive(waitingUpTo: 50))
        }
        #expect(got[.ipv4]?.source == IPAddress("198.51.100.2")!)
        #expect(got[.ipv4]?.hopLimit == 255)
        #expect(got[.ipv6]?.hopLimit == 255)
        #expect(got[.ipv6].map { if case .v6(let s) = $0.source { s.isLinkLocal } else { false } } == true)
        for packet in got.values {
            let verdict = CarpReceiveValidation.validate(packet, ownAddresses: []) { _ in
                CarpReceiveContext(key: Self.key, addresses: vips, lastSentCounter: nil)
            }
            #expect((try? verdict.get())?.vhid == 9)
        }
        #expect(heardOwn == nil)
    }

    /// Gratuitous ARP and unsolicited NA as a neighbour sees them: ARP request with sender =
    /// target = VIP from our MAC; ICMPv6 NA to ff02::1, hop limit 255, Override flag.
    @Test(.needsNetworkNamespaces) func announcesVIPsWithGratuitousARPAndUnsolicitedNA() async throws {
        let (mac, macText, arp, na) = try await onOwnThread {
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            let io = try a.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpa0", families: [.ipv4, .ipv6]) }
            let mac = io.hardwareAddress.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
            let macText = try a.exec(["cat", "/sys/class/net/carpa0/address"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let arp = try KernelLab.captureOne(in: b, interface: "carpb0", filter: "arp") { try io.announce([Self.vip]) }
            let na = try KernelLab.captureOne(in: b, interface: "carpb0", filter: "icmp6 and ip6[40] == 136") {
                try io.announce([IPAddress("2001:db8::1")!])
            }
            return (mac, macText, arp, na)
        }
        #expect(mac == macText)
        #expect(arp.contains("Request who-has 198.51.100.1 tell 198.51.100.1"), "\(arp)")
        #expect(arp.lowercased().contains(mac), "\(arp)")
        #expect(na.contains("neighbor advertisement"), "\(na)")
        #expect(na.contains("tgt is 2001:db8::1"), "\(na)")
        #expect(na.contains("hlim 255"), "\(na)")
        #expect(na.contains("> ff02::1:"), "\(na)")
        #expect(na.contains("Flags [router, override]"), "\(na)")
        #expect(na.lowercased().contains(mac), "\(na)")
    }

    /// Interop on the wire: ucarp (which speaks BSD CARP for one IPv4 VIP) becomes master in
    /// A; B decodes its advertisements and the HMAC verifies with the same password and VIP,
    /// and fails with another password or another VIP.
    @Test(.needsNetworkNamespaces) func validatesUcarpAdvertisements() async throws {
        let packet = try await onOwnThread { () throws -> ReceivedCarpPacket? in
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            let receiver = try b.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpb0", families: [.ipv4]) }
            let (ucarp, _) = try KernelLab.start(["ucarp", "-i", "carpa0", "-s", "198.51.100.2", "-v", "143", "-p", "secret",
                                                  "-a", "198.51.100.1", "-b", "1", "-k", "20",
                                                  "--upscript=/bin/true", "--downscript=/bin/true"], in: a)
            defer { KernelLab.stop(ucarp) }
            // ucarp becomes master after 3 × advbase s, then advertises every second: wait ≤ 8 s.
            var packet: ReceivedCarpPacket?
            for _ in 0..<16 where packet == nil {
                packet = try receiver.receive(waitingUpTo: 500)
            }
            return packet
        }
        let received = try #require(packet, "no advertisement from ucarp within 8 s")
        #expect(received.source == IPAddress("198.51.100.2")!)
        let verdict = CarpReceiveValidation.validate(received, ownAddresses: [IPAddress("198.51.100.3")!]) { vhid in
            vhid == 143 ? CarpReceiveContext(key: Self.key, addresses: [Self.vip], lastSentCounter: nil) : nil
        }
        let ad = try verdict.get()
        #expect(ad.vhid == 143 && ad.advbase == 1 && ad.advskew == 20)
        let wrong = CarpReceiveValidation.validate(received, ownAddresses: []) { _ in
            CarpReceiveContext(key: CarpKey(password: "secreT"), addresses: [Self.vip], lastSentCounter: nil)
        }
        #expect(wrong == .failure(.badHMAC))
        let otherVIP = CarpReceiveValidation.validate(received, ownAddresses: []) { _ in
            CarpReceiveContext(key: Self.key, addresses: [IPAddress("198.51.100.9")!], lastSentCounter: nil)
        }
        #expect(otherVIP == .failure(.badHMAC))
    }

    struct PairRun: Sendable {
        var stateAfterElection: CarpState?
        var heldVIPs: Bool
        var reasons: [CarpTransitionReason]
        var ucarpAdvertisedWhileWeWereMaster: Int
        var badHMAC: UInt64
        var bowOut: CarpAdvertisement?
        var takeover: ReceivedCarpPacket?
        var takeoverDelay: Duration?
    }

    /// A pair on the wire: our node (advskew 0) against ucarp (advskew 200, so it waits 3.78 s to our 3 s even if it starts first). Ours wins the
    /// election and ucarp, hearing a better master, stays silent; then our bow-out
    /// (advbase 255 / advskew 255) makes ucarp take over at once instead of after its
    /// 3 + 200/256 s master-down time.
    @Test(.needsNetworkNamespaces) func electsAgainstUcarpAndBowsOutToIt() async throws {
        let ucarpAddress = IPAddress("198.51.100.2")!
        let run = try await onOwnThread {
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            let io = try b.run { () throws(CarpIOError) in try LinuxCarpSocketSet(families: ["carpb0": [.ipv4]]) }
            let config = try CarpGroupConfig(vhid: 143, interface: "carpb0", advbase: 1, advskew: 0, key: Self.key,
                                             addresses: [IPNetwork("198.51.100.1/24")!])
            var harness = KernelCarpHarness(node: CarpNode(groups: [config]), io: io)
            try harness.handle(.setOwnAddresses([IPAddress("198.51.100.3")!]))
            let (ucarp, _) = try KernelLab.start(["ucarp", "-i", "carpa0", "-s", "198.51.100.2", "-v", "143", "-p", "secret",
                                                  "-a", "198.51.100.1", "-b", "1", "-k", "200",
                                                  "--upscript=/bin/true", "--downscript=/bin/true"], in: a)
            defer { KernelLab.stop(ucarp) }
            try harness.handle(.link(interface: "carpb0", up: true))
            let fromUcarp = { (h: KernelCarpHarness) in h.received.filter { $0.1.source == ucarpAddress } }
            try harness.run(for: .seconds(6))
            var run = PairRun(stateAfterElection: harness.node.machines.values.first?.state, heldVIPs: harness.holdsVIPs,
                              reasons: harness.transitions.map(\.reason),
                              ucarpAdvertisedWhileWeWereMaster: fromUcarp(harness).count,
                              badHMAC: harness.node.counters[.badHMAC])
            try harness.handle(.shutdown)
            let bowOutTime = harness.clock.now
            run.bowOut = harness.sent.last?.1
            try harness.run(for: .seconds(3)) { !fromUcarp($0).isEmpty }
            if let first = fromUcarp(harness).first {
                run.takeover = first.1
                run.takeoverDelay = bowOutTime.duration(to: first.0)
            }
            return run
        }
        #expect(run.stateAfterElection == .master)
        #expect(run.heldVIPs)
        #expect(run.reasons == [.initializationComplete, .masterTimedOut])
        #expect(run.ucarpAdvertisedWhileWeWereMaster == 0, "ucarp advertised although a better master was present")
        #expect(run.badHMAC == 0)
        #expect(run.bowOut?.advbase == 255 && run.bowOut?.advskew == 255)
        let takeover = try #require(run.takeover, "ucarp did not take over within 3 s of the bow-out")
        let delay = try #require(run.takeoverDelay)
        print("ucarp took over \(delay) after our bow-out (its master-down time is 3.78 s)")
        #expect(delay < .seconds(1))
        let verdict = CarpReceiveValidation.validate(takeover, ownAddresses: []) { _ in
            CarpReceiveContext(key: Self.key, addresses: [Self.vip], lastSentCounter: nil)
        }
        #expect((try? verdict.get())?.advskew == 200)
    }

    /// The other direction: ucarp (advskew 0) is master and our node (advskew 100) stays
    /// backup on its advertisements; when ucarp is killed, our node takes over
    /// 3 + 100/256 s after the last one it heard.
    @Test(.needsNetworkNamespaces) func backsUpUcarpAndTakesOverWhenItDies() async throws {
        let ucarpAddress = IPAddress("198.51.100.2")!
        let (stateWhileUcarpRuns, accepted, reasons, delay) = try await onOwnThread {
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            let io = try b.run { () throws(CarpIOError) in try LinuxCarpSocketSet(families: ["carpb0": [.ipv4]]) }
            let config = try CarpGroupConfig(vhid: 143, interface: "carpb0", advbase: 1, advskew: 100, key: Self.key,
                                             addresses: [IPNetwork("198.51.100.1/24")!])
            var harness = KernelCarpHarness(node: CarpNode(groups: [config]), io: io)
            let (ucarp, _) = try KernelLab.start(["ucarp", "-i", "carpa0", "-s", "198.51.100.2", "-v", "143", "-p", "secret",
                                                  "-a", "198.51.100.1", "-b", "1", "-k", "0",
                                                  "--upscript=/bin/true", "--downscript=/bin/true"], in: a)
            // Our link comes up a second later, so ucarp wins the first election.
            try harness.run(for: .seconds(1))
            try harness.handle(.link(interface: "carpb0", up: true))
            try harness.run(for: .seconds(6))
            let state = harness.node.machines.values.first?.state
            let accepted = harness.node.counters.accepted
            KernelLab.stop(ucarp)
            let lastHeard = harness.received.last { $0.1.source == ucarpAddress }?.0
            try harness.run(for: .seconds(5)) { $0.transitions.contains { $0.to == .master } }
            let takeover = harness.transitions.first { $0.to == .master }
            var delay: Duration?
            if let lastHeard, let takeover { delay = lastHeard.duration(to: takeover.time) }
            return (state, accepted, harness.transitions.map(\.reason), delay)
        }
        #expect(stateWhileUcarpRuns == .backup)
        #expect(accepted >= 4, "accepted \(accepted) of ucarp's advertisements")
        #expect(reasons == [.initializationComplete, .masterTimedOut])
        let takeoverDelay = try #require(delay, "no takeover after ucarp died")
        print("took over from a dead ucarp \(takeoverDelay) after its last advertisement (expected 3 + 100/256 s ≈ 3.39 s)")
        #expect(takeoverDelay >= .milliseconds(3380) && takeoverDelay < .milliseconds(3700))
    }

    /// Two Tandem nodes on the wire in OpenBSD's sub-second mode (advbase 0): A (advskew 26,
    /// an advertisement every ≈ 0.1 s) wins; A then dies silently and B (advskew 52) takes
    /// over 3 × 52/256 ≈ 0.61 s after A's last advertisement.
    @Test(.needsNetworkNamespaces) func subsecondFailoverBetweenTwoNodes() async throws {
        let (statesAfterElection, gaps, takeoverDelay, reason) = try await onOwnThread {
            let (a, b) = try KernelLab.pair()
            defer { a.delete(); b.delete() }
            func harness(_ ns: NetworkNamespace, _ interface: String, advskew: UInt8, own: String) throws -> KernelCarpHarness {
                let io = try ns.run { () throws(CarpIOError) in try LinuxCarpSocketSet(families: [interface: [.ipv4]]) }
                let config = try CarpGroupConfig(vhid: 12, interface: interface, advbase: 0, advskew: advskew, key: Self.key,
                                                 addresses: [IPNetwork("198.51.100.1/24")!], allowsSubsecond: true)
                var h = KernelCarpHarness(node: CarpNode(groups: [config]), io: io)
                try h.handle(.setOwnAddresses([IPAddress(own)!]))
                try h.handle(.link(interface: interface, up: true))
                return h
            }
            var nodeA = try harness(a, "carpa0", advskew: 26, own: "198.51.100.2")
            var nodeB = try harness(b, "carpb0", advskew: 52, own: "198.51.100.3")
            for _ in 0..<150 {  // ≈ 1.5 s in 5 ms slices each
                try nodeA.run(for: .milliseconds(5))
                try nodeB.run(for: .milliseconds(5))
            }
            let states = [nodeA.node.machines.values.first?.state, nodeB.node.machines.values.first?.state]
            let lastFromA = nodeA.sent.last?.0
            // A stops: no more advertisements, as after a crash. B runs alone, at most 2 s.
            try nodeB.run(for: .seconds(2)) { $0.transitions.contains { $0.to == .master } }
            let takeover = nodeB.transitions.first { $0.to == .master }
            var delay: Duration?
            if let lastFromA, let takeover { delay = lastFromA.duration(to: takeover.time) }
            let times = nodeA.sent.map(\.0)
            let gaps = zip(times, times.dropFirst()).map { $0.duration(to: $1) }
            return (states, gaps, delay, takeover?.reason)
        }
        #expect(statesAfterElection == [CarpState.master, CarpState.backup])
        // A advertises every 26/256 s ≈ 101.6 ms (5 ms polling slices add jitter).
        #expect(gaps.count >= 8)
        let median = gaps.sorted()[gaps.count / 2]
        #expect(median >= .milliseconds(98) && median <= .milliseconds(130), "median interval \(median)")
        let delay = try #require(takeoverDelay, "B did not take over")
        print("sub-second CARP: B took over \(delay) after A's last advertisement (expected 3 × 52/256 s ≈ 0.609 s)")
        #expect(reason == .masterTimedOut)
        // Lower bound exact; the upper leaves room for a loaded test machine.
        #expect(delay >= .milliseconds(600) && delay < .milliseconds(900))
    }
}
