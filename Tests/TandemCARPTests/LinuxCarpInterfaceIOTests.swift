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
@Suite(.serialized) struct LinuxCarpInterfaceIOTests {
    static let suite = "LinuxCarpInterfaceIOTests"
    static let key = CarpKey(password: "secret")
    static let vip = IPAddress("198.51.100.1")!

    /// Namespaces A (198.51.100.2, 2001:db8::2) and B (198.51.100.3, 2001:db8::3),
    /// DAD off so IPv6 addresses are usable at once.
    static func pair() throws -> (NetworkNamespace, NetworkNamespace) {
        let a = try NetworkNamespace(purpose: "carp-a")
        let b = try NetworkNamespace(purpose: "carp-b")
        for ns in [a, b] {
            try ns.exec(["sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"])
            try ns.exec(["sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0"])
        }
        try connect(a, "carpa0", "198.51.100.2/24", b, "carpb0", "198.51.100.3/24")
        try a.exec(["ip", "-6", "address", "add", "2001:db8::2/64", "dev", "carpa0", "nodad"])
        try b.exec(["ip", "-6", "address", "add", "2001:db8::3/64", "dev", "carpb0", "nodad"])
        return (a, b)
    }

    /// Starts `argv` inside `ns`; `ip netns exec` execs in place, so the PID is the
    /// program's own and it is stopped by that PID.
    static func start(_ argv: [String], in ns: NetworkNamespace) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", ns.name] + argv
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return (process, output)
    }

    /// SIGKILL, by PID: children spawned from the test's threads inherit a mask that blocks
    /// SIGTERM, and ucarp never unblocks it, so a SIGTERM would stay pending forever.
    static func stop(_ process: Process) {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Runs tcpdump for one protocol-112 packet in `ns` while `send` is called every
    /// 100 ms, at most 50 times; tcpdump is then killed by PID if it is still waiting.
    static func captureOne(in ns: NetworkNamespace, interface: String, filter: String,
                           send: () throws -> Void) throws -> String {
        let (dump, output) = try start(["tcpdump", "-i", interface, "-T", "carp", "-e", "-vv", "-n",
                                        "-c", "1", "-l", filter], in: ns)
        // tcpdump needs a moment to attach; keep sending until it has seen one.
        do {
            for _ in 0..<50 where dump.isRunning {
                try send()
                usleep(100_000)
            }
        } catch {
            stop(dump)
            throw error
        }
        stop(dump)
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func tcpdumpDecodesOurIPv4AdvertisementWithAGoodChecksum() throws {
        guard NetworkNamespace.available(for: Self.suite) else { return }
        let (a, b) = try Self.pair()
        defer { a.delete(); b.delete() }
        let io = try a.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpa0", families: [.ipv4]) }
        var counter: UInt64 = 0x1122_3344_5566_0000
        let text = try Self.captureOne(in: b, interface: "carpb0", filter: "ip proto 112") {
            counter += 1
            try io.send(.signed(vhid: 143, advbase: 1, advskew: 100, counter: counter, key: Self.key, addresses: [Self.vip]),
                        family: .ipv4, source: nil)
        }
        #expect(text.contains("CARPv2-advertise 36: vhid=143 advbase=1 advskew=100 authlen=7"), "\(text)")
        #expect(text.contains("ttl 255"), "\(text)")
        #expect(text.contains("198.51.100.2 > 224.0.0.18"), "\(text)")
        #expect(text.contains("tos 0xe0"), "\(text)")
        #expect(!text.contains("bad"), "\(text)")
        #expect(text.contains("1 packet captured"), "\(text)")

        // Negative control: the same capture flags a broken checksum, so the check above is real.
        let broken = try Self.captureOne(in: b, interface: "carpb0", filter: "ip proto 112") {
            var bytes = CarpAdvertisement(vhid: 143, advbase: 1, advskew: 100, counter: 1).encoded()
            bytes[7] ^= 0x5a
            try io.sendPayload(bytes, family: .ipv4)
        }
        #expect(broken.contains("bad carp cksum"), "\(broken)")
    }

    @Test func tcpdumpDecodesOurIPv6AdvertisementWithHopLimit255() throws {
        guard NetworkNamespace.available(for: Self.suite) else { return }
        let (a, b) = try Self.pair()
        defer { a.delete(); b.delete() }
        let io = try a.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpa0", families: [.ipv6]) }
        let vip6 = IPAddress("2001:db8::1")!
        let text = try Self.captureOne(in: b, interface: "carpb0", filter: "ip6 proto 112") {
            try io.send(.signed(vhid: 7, advbase: 1, advskew: 0, counter: 5, key: Self.key, addresses: [vip6]), family: .ipv6, source: nil)
        }
        #expect(text.contains("CARPv2-advertise 36: vhid=7 advbase=1 advskew=0 authlen=7"), "\(text)")
        #expect(text.contains("hlim 255"), "\(text)")
        #expect(text.contains("> ff02::12"), "\(text)")
        #expect(!text.contains("bad"), "\(text)")
    }

    /// An explicit source goes into the IPv4 header we build and, for IPv6, through
    /// IPV6_PKTINFO; the receiver sees exactly that address.
    @Test func sendsFromTheRequestedSource() throws {
        guard NetworkNamespace.available(for: Self.suite) else { return }
        let (a, b) = try Self.pair()
        defer { a.delete(); b.delete() }
        try a.exec(["ip", "address", "add", "198.51.100.20/24", "dev", "carpa0"])
        let sender = try a.run { () throws(CarpIOError) in
            try LinuxCarpPacketIO(families: ["carpa0": [.ipv4, .ipv6]])
        }
        let receiver = try b.run { () throws(CarpIOError) in
            try LinuxCarpPacketIO(families: ["carpb0": [.ipv4, .ipv6]])
        }
        let sources = [IPAddress("198.51.100.20")!, IPAddress("2001:db8::2")!]
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
        #expect(seen == Set(sources))
        #expect(throws: CarpIOError.self) {
            try sender.send(CarpAdvertisement(vhid: 3, advbase: 1, advskew: 0, counter: 0), interface: "carpa0",
                            family: .ipv4, source: sources[1])
        }
        #expect(throws: CarpIOError.self) {
            try sender.announce([Self.vip], interface: "nosuch0")
        }
    }

    /// Our sockets on both sides: B receives what A sends over IPv4 and IPv6, TTL/hop limit
    /// 255 observed, and the node's ladder accepts it.
    @Test func receivesOwnSocketsAdvertisementsOnBothFamilies() throws {
        guard NetworkNamespace.available(for: Self.suite) else { return }
        let (a, b) = try Self.pair()
        defer { a.delete(); b.delete() }
        let families: Set<IPFamily> = [.ipv4, .ipv6]
        let sender = try a.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpa0", families: families) }
        let receiver = try b.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpb0", families: families) }
        let vips = [Self.vip, IPAddress("2001:db8::1")!]
        var got: [IPFamily: ReceivedCarpPacket] = [:]
        for attempt in 0..<20 where got.count < 2 {
            for family in families {
                try sender.send(.signed(vhid: 9, advbase: 1, advskew: 0, counter: UInt64(attempt), key: Self.key, addresses: vips),
                                family: family, source: nil)
            }
            while let packet = try receiver.receive(waitingUpTo: 100) {
                got[packet.source.family] = packet
            }
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
        // Multicast loop is off: the sender hears nothing of its own.
        #expect(try sender.receive(waitingUpTo: 50) == nil)
    }

    /// Gratuitous ARP and unsolicited NA as a neighbour sees them: ARP request with sender =
    /// target = VIP from our MAC; ICMPv6 NA to ff02::1, hop limit 255, Override flag.
    @Test func announcesVIPsWithGratuitousARPAndUnsolicitedNA() throws {
        guard NetworkNamespace.available(for: Self.suite) else { return }
        let (a, b) = try Self.pair()
        defer { a.delete(); b.delete() }
        let io = try a.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpa0", families: [.ipv4, .ipv6]) }
        let mac = io.hardwareAddress.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
        let macText = try a.exec(["cat", "/sys/class/net/carpa0/address"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(mac == macText)
        let arp = try Self.captureOne(in: b, interface: "carpb0", filter: "arp") { try io.announce([Self.vip]) }
        #expect(arp.contains("Request who-has 198.51.100.1 tell 198.51.100.1"), "\(arp)")
        #expect(arp.lowercased().contains(mac), "\(arp)")
        let na = try Self.captureOne(in: b, interface: "carpb0", filter: "icmp6 and ip6[40] == 136") {
            try io.announce([IPAddress("2001:db8::1")!])
        }
        #expect(na.contains("neighbor advertisement"), "\(na)")
        #expect(na.contains("tgt is 2001:db8::1"), "\(na)")
        #expect(na.contains("hlim 255"), "\(na)")
        #expect(na.contains("> ff02::1:"), "\(na)")
        #expect(na.contains("Flags [router, override]"), "\(na)")
        #expect(na.lowercased().contains(mac), "\(na)")
    }

    /// Interop on the wire: ucarp (which speaks BSD CARP for one IPv4 VIP) becomes master in
    /// A; B decodes its advertisements and the HMAC verifies with the same password and VIP,
    /// and fails with another password.
    @Test func validatesUcarpAdvertisements() throws {
        guard NetworkNamespace.available(for: Self.suite) else { return }
        let (a, b) = try Self.pair()
        defer { a.delete(); b.delete() }
        let receiver = try b.run { () throws(CarpIOError) in try LinuxCarpInterfaceIO(interface: "carpb0", families: [.ipv4]) }
        let (ucarp, _) = try Self.start(["ucarp", "-i", "carpa0", "-s", "198.51.100.2", "-v", "143", "-p", "secret",
                                         "-a", "198.51.100.1", "-b", "1", "-k", "20",
                                         "--upscript=/bin/true", "--downscript=/bin/true"], in: a)
        defer { Self.stop(ucarp) }
        // ucarp becomes master after 3 × advbase s, then advertises every second: wait ≤ 8 s.
        var packet: ReceivedCarpPacket?
        for _ in 0..<16 where packet == nil {
            packet = try receiver.receive(waitingUpTo: 500)
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

    /// A pair on the wire: our node (advskew 0) against ucarp (advskew 100). Ours wins the
    /// election and ucarp, hearing a better master, stays silent; then our bow-out
    /// (advbase 255 / advskew 255) makes ucarp take over at once instead of after its
    /// 3 + 100/256 s master-down time.
    @Test func electsAgainstUcarpAndBowsOutToIt() throws {
        guard NetworkNamespace.available(for: Self.suite) else { return }
        let (a, b) = try Self.pair()
        defer { a.delete(); b.delete() }
        let io = try b.run { () throws(CarpIOError) in try LinuxCarpPacketIO(families: ["carpb0": [.ipv4]]) }
        let config = try CarpGroupConfig(vhid: 143, interface: "carpb0", advbase: 1, advskew: 0, key: Self.key,
                                         addresses: [IPNetwork("198.51.100.1/24")!])
        var harness = KernelCarpHarness(node: CarpNode(groups: [config]), io: io)
        try harness.handle(.setOwnAddresses([IPAddress("198.51.100.3")!]))
        let (ucarp, _) = try Self.start(["ucarp", "-i", "carpa0", "-s", "198.51.100.2", "-v", "143", "-p", "secret",
                                         "-a", "198.51.100.1", "-b", "1", "-k", "100",
                                         "--upscript=/bin/true", "--downscript=/bin/true"], in: a)
        defer { Self.stop(ucarp) }
        try harness.handle(.link(interface: "carpb0", up: true))
        let fromUcarp = { (h: KernelCarpHarness) in h.received.filter { $0.1.source == IPAddress("198.51.100.2")! } }

        try harness.run(for: .seconds(6))
        #expect(harness.node.machines.values.first?.state == .master)
        #expect(harness.holdsVIPs)
        #expect(harness.transitions.map(\.reason) == [.initializationComplete, .masterTimedOut])
        #expect(fromUcarp(harness).isEmpty, "ucarp advertised although a better master was present")
        #expect(harness.node.counters[.badHMAC] == 0)

        try harness.handle(.shutdown)
        let bowOut = harness.clock.now
        #expect(harness.sent.last?.1.advbase == 255 && harness.sent.last?.1.advskew == 255)
        try harness.run(for: .seconds(3)) { !fromUcarp($0).isEmpty }
        let takeover = try #require(fromUcarp(harness).first, "ucarp did not take over within 3 s of the bow-out")
        let delay = bowOut.duration(to: takeover.0)
        print("ucarp took over \(delay) after our bow-out (its master-down time is 3.39 s)")
        #expect(delay < .seconds(1))
        let verdict = CarpReceiveValidation.validate(takeover.1, ownAddresses: []) { _ in
            CarpReceiveContext(key: Self.key, addresses: [Self.vip], lastSentCounter: nil)
        }
        #expect((try? verdict.get())?.advskew == 100)
    }
}
