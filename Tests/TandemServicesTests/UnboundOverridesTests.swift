import Foundation
import Testing
import TandemServices
import TandemTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The rendered host overrides, aliases and access lists as the real Unbound serves them:
/// `services-full.xml` rendered under a private root and run in a namespace that has its
/// interfaces and addresses.
@Suite(.serialized) struct UnboundOverridesTests {
    static var unavailableReason: String? { UnboundRestartTests.unavailableReason }

    /// `dig` through the namespace (a thread of its own, not the cooperative pool's):
    /// `+short` answer lines, or the status when `status` is set.
    static func dig(_ ns: NetworkNamespace, _ args: [String], status: Bool = false) async -> String {
        await withCheckedContinuation { c in
            Thread {
                let argv = ["dig", "+time=1", "+tries=1", "-p", "5353", "@192.0.2.2"] + (status ? [] : ["+short"]) + args
                let out = (try? ns.exec(argv)) ?? ""
                if status {
                    let line = out.split(separator: "\n").first { $0.contains("status:") } ?? ""
                    c.resume(returning: line.components(separatedBy: "status: ").last?.split(separator: ",").first.map(String.init) ?? "")
                } else {
                    c.resume(returning: out.trimmingCharacters(in: .whitespacesAndNewlines))
                }
            }.start()
        }
    }

    @Test(.enabled(if: unavailableReason == nil, Comment(rawValue: "real unbound: \(unavailableReason ?? "")")))
    func overridesAliasesAndAccessLists() async throws {
        let config = try ServiceGoldens.config(ServiceGoldens.directory.appendingPathComponent("services-full.xml"))
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-unbo-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ns = try NetworkNamespace(purpose: "unbound-ovr")
        defer { ns.delete() }
        try CheckModeTests.addInterfaces(of: config, to: ns)
        for dev in ["wan0", "lan0", "lab0"] { try ns.exec(["ip", "link", "set", dev, "up"]) }
        // A client inside the refused half of the LAN (acls[1]: 192.0.2.128/25 refuse).
        try ns.exec(["ip", "addr", "add", "192.0.2.200/24", "dev", "lan0"])

        let paths = ServicePaths(root: root)
        var spec = try #require(ServicePlanner(paths: paths).plan(config).first { $0.kind == .dns })
        spec.command = ["/usr/bin/nsenter", "--net=/run/netns/\(ns.name)"] + spec.command
        let supervisor = ServiceSupervisor(host: PosixServiceHost(paths: paths), now: { ContinuousClock.now })
        await supervisor.apply([spec])
        let status = await supervisor.status()
        guard let pid = status.first?.pid else {
            Issue.record("unbound is not running: \(status)")
            await supervisor.shutdown()
            return
        }

        var answer = ""
        for _ in 0..<25 {
            answer = await Self.dig(ns, ["nas.branch.example", "A"])
            if answer == "192.0.2.40" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(answer == "192.0.2.40")
        #expect(await Self.dig(ns, ["files.branch.example", "A"]) == "192.0.2.40")
        #expect(await Self.dig(ns, ["nas.example.net", "AAAA"]) == "2001:db8:2::40")
        #expect(await Self.dig(ns, ["-x", "192.0.2.40"]) == "nas.branch.example.")
        #expect(await Self.dig(ns, ["wiki.intranet.example", "A"]) == "192.0.2.41")
        #expect(await Self.dig(ns, ["-b", "192.0.2.200", "nas.branch.example", "A"], status: true) == "REFUSED")
        await supervisor.shutdown()
        #expect(kill(pid, 0) != 0)
    }
}
