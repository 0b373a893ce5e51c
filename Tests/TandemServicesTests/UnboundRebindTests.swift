import Foundation
import Testing
import TandemServices

/// Which unbound.conf changes a SIGHUP takes, and which need a new process.
@Suite struct UnboundRebindTests {
    static let base = """
        server:
          port: 53
          ip-freebind: yes
          interface: 192.0.2.2
          access-control: 192.0.2.0/24 allow
          local-data: "fw.example.com. A 192.0.2.2"
        forward-zone:
          name: "."
          forward-addr: 198.51.100.53
        remote-control:
          control-interface: "/run/tandem/unbound.ctl"

        """

    @Test(arguments: [
        // Data the reload re-reads.
        ("  local-data: \"fw.example.com. A 192.0.2.2\"", "  local-data: \"fw.example.com. A 192.0.2.9\"", nil),
        ("  access-control: 192.0.2.0/24 allow", "  access-control: 192.0.2.0/25 allow", nil),
        ("  forward-addr: 198.51.100.53", "  forward-addr: 203.0.113.53", nil),
        // What it binds or sets up once.
        ("  interface: 192.0.2.2", "  interface: 192.0.2.2\n  interface: 192.0.2.1", "server/interface"),
        ("  interface: 192.0.2.2", "  interface: 192.0.2.3", "server/interface"),
        ("  port: 53", "  port: 5353", "server/port"),
        ("  ip-freebind: yes\n", "", "server/ip-freebind"),
        ("  control-interface: \"/run/tandem/unbound.ctl\"", "  control-interface: \"/run/tandem/u.ctl\"",
         "remote-control/control-interface"),
    ] as [(String, String, String?)])
    func decision(_ before: String, _ after: String, _ restartFor: String?) {
        let new = Self.base.replacingOccurrences(of: before, with: after)
        #expect(new != Self.base)
        let expected: UnboundRebind.Decision = restartFor.map { .restart(changed: $0) } ?? .reload
        #expect(UnboundRebind.decision(old: Self.base, new: new) == expected)
    }

    /// `interface` inside another clause (a `forward-zone` has none; a view's name is not
    /// an address) does not count as the server's; order within the clause does.
    @Test func clausesAreTracked() {
        let a = "server:\n  interface: 192.0.2.1\nview:\n  name: \"interface\"\n"
        let b = "server:\n  interface: 192.0.2.1\nview:\n  name: \"other\"\n"
        #expect(UnboundRebind.decision(old: a, new: b) == .reload)
        let swapped = "server:\n  interface: 192.0.2.2\n  interface: 192.0.2.1\n"
        let original = "server:\n  interface: 192.0.2.1\n  interface: 192.0.2.2\n"
        #expect(UnboundRebind.decision(old: original, new: swapped) == .restart(changed: "server/interface"))
    }

    /// The spec-level rule the supervisor follows.
    @Test func specChange() {
        func dns(_ text: String) -> ServiceSpec {
            ServiceSpec(kind: .dns, configPath: "/r/unbound.conf", contents: text, command: ["/usr/sbin/unbound"],
                        check: ["/usr/sbin/unbound-checkconf"], reload: .signal(1))
        }
        #expect(dns(Self.base).change(to: dns(Self.base + "  # comment\n")) == .reload(signal: 1))
        let moved = dns(Self.base.replacingOccurrences(of: "192.0.2.2\n  access", with: "192.0.2.2\n  interface: 192.0.2.1\n  access"))
        #expect(dns(Self.base).change(to: moved) == .restart(why: "server/interface changed, which a reload does not rebind"))
        // Kea takes any change of its file on SIGHUP (kea-dhcp4(8)).
        var kea = dns("interface: 192.0.2.2")
        kea.kind = .dhcp4
        var kea2 = kea
        kea2.contents = "interface: 192.0.2.1"
        #expect(kea.change(to: kea2) == .reload(signal: 1))
    }
}
