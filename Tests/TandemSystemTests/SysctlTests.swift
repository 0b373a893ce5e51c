import Testing
import TandemSystem

@Suite struct SysctlTests {
    /// A config-supplied interface name cannot make a path outside /proc/sys.
    @Test(arguments: [[], ["net", ".."], ["net", "a/b"], ["net", ""]])
    func sysctlRejectsNamesThatLeaveProcSys(_ components: [String]) {
        #expect(throws: SystemCallError.self) { try Sysctl.path(components) }
    }

    @Test func pathJoinsTheComponentsUnderProcSys() throws {
        #expect(try Sysctl.path(["net", "ipv4", "conf", "wan0", "arp_announce"]) == "/proc/sys/net/ipv4/conf/wan0/arp_announce")
    }
}
