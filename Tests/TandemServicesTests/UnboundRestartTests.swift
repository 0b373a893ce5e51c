import Foundation
import Testing
import TandemServices
import TandemTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The real Unbound under the real supervisor, in a namespace: an address that arrives
/// after the start (a VIP pushed by the peer's config) is answered on once the new file
/// names it. A SIGHUP alone would leave the new address without a socket.
@Suite(.serialized) struct UnboundRestartTests {
    static var unavailableReason: String? {
        for p in ["/usr/sbin/unbound", "/usr/sbin/unbound-checkconf", "/usr/bin/dig", "/usr/bin/nsenter"]
        where !FileManager.default.isExecutableFile(atPath: p) {
            return "\(p) not installed (scripts/install-deps.sh)"
        }
        return NetworkNamespace.unavailableReason
    }

    static func conf(root: String, interfaces: [String]) -> String {
        (["server:", "  do-daemonize: no", "  chroot: \"\"", "  username: \"\"", "  directory: \"\(root)\"",
          "  pidfile: \"\(root)/unbound.pid\"", "  use-syslog: no", "  port: 53", "  ip-freebind: yes"]
            + interfaces.map { "  interface: \($0)" }
            + ["  access-control: 192.0.2.0/24 allow", "  access-control: 198.51.100.0/24 allow",
               "  module-config: \"iterator\"", "  local-zone: \"example.com.\" static",
               "  local-data: \"probe.example.com. A 203.0.113.7\"",
               "remote-control:", "  control-enable: no"]).joined(separator: "\n") + "\n"
    }

    /// The answer for probe.example.com from `server`, or nil (one try, 1 s).
    static func ask(_ ns: NetworkNamespace, _ server: String) -> String? {
        let out = try? ns.exec(["dig", "+short", "+time=1", "+tries=1", "@\(server)", "probe.example.com", "A"])
        return out?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls `ask` for up to 5 s. Each `dig` blocks a thread of its own, not one of the
    /// cooperative pool's (two on this machine) that other suites' tasks need.
    static func answers(_ ns: NetworkNamespace, _ server: String) async -> Bool {
        for _ in 0..<25 {
            let answer = await withCheckedContinuation { c in Thread { c.resume(returning: ask(ns, server)) }.start() }
            if answer == "203.0.113.7" { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    @Test(.enabled(if: unavailableReason == nil, Comment(rawValue: "real unbound: \(unavailableReason ?? "")")))
    func newInterfaceIsAnsweredAfterTheChange() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-unb-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ns = try NetworkNamespace(purpose: "unbound")
        defer { ns.delete() }
        try ns.exec(["ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lanp"])
        try ns.exec(["ip", "link", "set", "lanp", "up"])
        try ns.exec(["ip", "addr", "add", "192.0.2.2/24", "dev", "lan0"])
        try ns.exec(["ip", "link", "set", "lan0", "up"])

        let enter = ["/usr/bin/nsenter", "--net=/run/netns/\(ns.name)"]
        func spec(_ interfaces: [String]) -> ServiceSpec {
            let path = root + "/unbound.conf"
            return ServiceSpec(kind: .dns, configPath: path, contents: Self.conf(root: root, interfaces: interfaces),
                               command: enter + ["/usr/sbin/unbound", "-d", "-c", path],
                               check: enter + ["/usr/sbin/unbound-checkconf", path], reload: .signal(SIGHUP),
                               directories: [ServiceDirectory(root)])
        }
        let supervisor = ServiceSupervisor(host: PosixServiceHost(paths: ServicePaths(root: root)), now: { ContinuousClock.now })
        await supervisor.apply([spec(["192.0.2.2"])])
        let first = try #require(await supervisor.status().first?.pid)
        #expect(await Self.answers(ns, "192.0.2.2"), "unbound did not answer on its first address")

        // The VIP arrives, and the config that names it.
        try ns.exec(["ip", "addr", "add", "198.51.100.2/24", "dev", "lan0"])
        await supervisor.apply([spec(["192.0.2.2", "198.51.100.2"])])
        var second: Int32?
        for _ in 0..<100 {
            await supervisor.tick()
            if let p = await supervisor.status().first?.pid, p != first { second = p; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(second != nil, "unbound was not restarted for the new interface")
        #expect(await Self.answers(ns, "198.51.100.2"), "no answer on the address added by the new file")
        #expect(await Self.answers(ns, "192.0.2.2"))
        await supervisor.shutdown()
        if let second { #expect(kill(second, 0) != 0, "unbound outlived the supervisor's shutdown") }
    }
}
