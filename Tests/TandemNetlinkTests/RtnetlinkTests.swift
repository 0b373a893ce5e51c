import Testing
import TandemAddress
import TandemSystem
import TandemTestSupport
@testable import TandemNetlink
#if canImport(Glibc)
import Glibc
#endif

/// Kernel tests for the rtnetlink adapter, each in a throwaway namespace holding a veth pair
/// (`veth0` ↔ `veth1`, both up).
@Suite("Rtnetlink (kernel, namespaces)", .serialized)
struct RtnetlinkTests {
    /// A namespace with a veth pair and an adapter whose socket lives in it.
    struct Lab {
        let ns: NetworkNamespace
        let rtnl: Rtnetlink
        let veth0: LinkInfo

        init(_ purpose: String) throws {
            ns = try NetworkNamespace(purpose: purpose)
            try ns.exec(["ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth1"])
            try ns.exec(["ip", "link", "set", "veth0", "up"])
            try ns.exec(["ip", "link", "set", "veth1", "up"])
            rtnl = try ns.run { try Rtnetlink() }
            veth0 = try #require(try rtnl.link(named: "veth0"))
        }

        func addresses() throws -> [IPNetwork] {
            try rtnl.addresses(onInterface: veth0.index).map(\.network)
        }
    }

    static func net(_ s: String) -> IPNetwork { IPNetwork(s)! }

    @Test(.needsNetworkNamespaces) func listsLinksWithIndexNameFlagsAndMAC() throws {
        let lab = try Lab("rtnl-links")
        let links = try lab.rtnl.links()
        #expect(Set(links.map(\.name)).isSuperset(of: ["lo", "veth0", "veth1"]))
        let veth0 = lab.veth0
        #expect(veth0.index > 1)
        #expect(veth0.mac.count == 6)
        #expect(veth0.isAdminUp)
        let shown = try lab.ns.exec(["ip", "-o", "link", "show", "veth0"])
        #expect(shown.contains(veth0.macText))
        #expect(shown.hasPrefix("\(veth0.index): veth0"))
    }

    @Test(.needsNetworkNamespaces) func addsAndRemovesIPv4AndIPv6WithRealPrefix() throws {
        let lab = try Lab("rtnl-addr")
        let v4 = Self.net("198.51.100.1/24"), v6 = Self.net("2001:db8:1::1/64")
        try lab.rtnl.addAddress(v4, interfaceIndex: lab.veth0.index)
        try lab.rtnl.addAddress(v6, interfaceIndex: lab.veth0.index)
        #expect(try lab.addresses().contains(v4))
        #expect(try lab.addresses().contains(v6))
        let ipShows = try lab.ns.exec(["ip", "-o", "address", "show", "dev", "veth0"])
        #expect(ipShows.contains("inet 198.51.100.1/24"))
        #expect(ipShows.contains("inet6 2001:db8:1::1/64"))

        try lab.rtnl.removeAddress(v4, interfaceIndex: lab.veth0.index)
        try lab.rtnl.removeAddress(v6, interfaceIndex: lab.veth0.index)
        #expect(try !lab.addresses().contains(v4))
        #expect(try !lab.addresses().contains(v6))
    }

    @Test(.needsNetworkNamespaces) func ipv6AddressSkipsDAD() throws {
        let lab = try Lab("rtnl-nodad")
        let v6 = Self.net("2001:db8:2::1/64")
        try lab.rtnl.addAddress(v6, interfaceIndex: lab.veth0.index)
        let entry = try #require(try lab.rtnl.addresses().first { $0.network == v6 })
        #expect(entry.flags & AddressFlag.noDAD != 0)
        #expect(!entry.isTentative)
        #expect(try lab.ns.exec(["ip", "-o", "-6", "address", "show", "dev", "veth0"]).contains("nodad"))
    }

    @Test(.needsNetworkNamespaces) func removingAVIPLeavesTheAdminsAddressWithAnotherPrefix() throws {
        let lab = try Lab("rtnl-exact")
        // The admin configured 192.0.2.10/32 by hand; the VIP is the same IP in its /24.
        try lab.ns.exec(["ip", "address", "add", "192.0.2.10/32", "dev", "veth0"])
        let vip = Self.net("192.0.2.10/24")
        try lab.rtnl.addAddress(vip, interfaceIndex: lab.veth0.index)
        #expect(try lab.addresses().contains(vip))
        try lab.rtnl.removeAddress(vip, interfaceIndex: lab.veth0.index)
        let left = try lab.addresses()
        #expect(!left.contains(vip))
        #expect(left.contains(Self.net("192.0.2.10/32")))
        // And the other way round: removing the /32 must not take the /24.
        try lab.rtnl.addAddress(vip, interfaceIndex: lab.veth0.index)
        try lab.rtnl.removeAddress(Self.net("192.0.2.10/32"), interfaceIndex: lab.veth0.index)
        #expect(try lab.addresses().contains(vip))
    }

    @Test(.needsNetworkNamespaces) func duplicateAddAndAbsentRemoveAreReportedAndTolerated() throws {
        let lab = try Lab("rtnl-dup")
        let vip = Self.net("203.0.113.9/30")
        try lab.rtnl.addAddress(vip, interfaceIndex: lab.veth0.index)
        #expect(throws: NetlinkError.self) { try lab.rtnl.addAddress(vip, interfaceIndex: lab.veth0.index) }
        do {
            try lab.rtnl.addAddress(vip, interfaceIndex: lab.veth0.index)
        } catch let e as NetlinkError {
            #expect(e.errno == EEXIST)
            #expect(e.description.contains("203.0.113.9/30"))
        }
        #expect(try lab.rtnl.ensureAddress(vip, interfaceIndex: lab.veth0.index) == false)
        #expect(try lab.rtnl.dropAddress(vip, interfaceIndex: lab.veth0.index) == true)
        #expect(try lab.rtnl.dropAddress(vip, interfaceIndex: lab.veth0.index) == false)
    }

    @Test(.needsNetworkNamespaces) func configuresInterfaceAddressesAndBringsTheLinkUp() throws {
        let lab = try Lab("rtnl-conf")
        try lab.ns.exec(["ip", "link", "set", "veth0", "down"])
        try lab.ns.exec(["ip", "address", "add", "192.0.2.2/24", "dev", "veth0"])
        let added = try lab.rtnl.configureInterface(named: "veth0",
                                                    addresses: [Self.net("192.0.2.2/24"), Self.net("2001:db8::2/64")])
        #expect(added == [Self.net("2001:db8::2/64")])
        #expect(try lab.rtnl.link(named: "veth0")?.isAdminUp == true)
        #expect(throws: NetlinkError.self) { try lab.rtnl.configureInterface(named: "nonexistent0", addresses: []) }
    }

    @Test(.needsNetworkNamespaces) func watchesLinkDownAndAddressChanges() throws {
        let lab = try Lab("rtnl-watch")
        let monitor = try lab.ns.run { try LinkMonitor() }
        let vip = Self.net("198.51.100.7/24")
        try lab.rtnl.addAddress(vip, interfaceIndex: lab.veth0.index)
        try lab.ns.exec(["ip", "link", "set", "veth0", "down"])
        try lab.rtnl.removeAddress(vip, interfaceIndex: lab.veth0.index)

        var events: [LinkEvent] = []
        // Bounded: at most 20 waits of 100 ms.
        for _ in 0..<20 {
            if try monitor.wait(timeoutMilliseconds: 100) { events += try monitor.readEvents() }
            let sawDown = events.contains { if case .linkChanged(let l) = $0 { l.name == "veth0" && !l.isUsable } else { false } }
            let sawRemoved = events.contains { if case .addressRemoved(let a) = $0 { a.network == vip } else { false } }
            if sawDown && sawRemoved { break }
        }
        #expect(events.contains { if case .addressAdded(let a) = $0 { a.network == vip } else { false } })
        #expect(events.contains { if case .linkChanged(let l) = $0 { l.name == "veth0" && !l.isAdminUp } else { false } })
        #expect(events.contains { if case .addressRemoved(let a) = $0 { a.network == vip } else { false } })
    }

    @Test(.needsNetworkNamespaces) func sysctlWritesStayInTheNamespace() throws {
        let lab = try Lab("rtnl-sysctl")
        let key = ["net", "ipv4", "conf", "veth0", "arp_announce"]
        try lab.ns.run { try lab.rtnl.writeSysctl(key, value: "2") }
        #expect(try lab.ns.exec(["cat", "/proc/sys/net/ipv4/conf/veth0/arp_announce"]).hasPrefix("2"))
        #expect(try lab.ns.run { try Sysctl.read(key) } == "2")
        // The host has no veth0 of ours: the write did not leave the namespace.
        #expect(throws: SystemCallError.self) { try Sysctl.read(["net", "ipv4", "conf", "tandem-none", "arp_announce"]) }
    }
}
