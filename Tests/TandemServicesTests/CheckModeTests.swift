import Foundation
import Testing
import TandemAddress
import TandemConfig
import TandemServices
import TandemTestSupport

/// Every rendered file is accepted by the program's own check mode (`kea-dhcp4 -t`,
/// `unbound-checkconf`, `chronyd -p`), run inside a namespace that has the config's
/// interfaces and addresses: Kea resolves pinned addresses in the current namespace.
@Suite(.serialized) struct CheckModeTests {
    static let programs = ["/usr/sbin/kea-dhcp4", "/usr/sbin/unbound-checkconf", "/usr/sbin/chronyd"]

    /// Why the real programs cannot be run here, or nil: they are installed and network
    /// namespaces can be made. The tests are reported skipped with this reason.
    static var unavailableReason: String? {
        if let missing = programs.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) {
            return "\(missing) not installed (scripts/install-deps.sh)"
        }
        return NetworkNamespace.unavailableReason
    }

    static var runnable: Bool { unavailableReason == nil }

    @Test(.enabled(if: runnable, Comment(rawValue: "check-mode test: \(unavailableReason ?? "")")),
          arguments: ServiceGoldens.cases.filter { $0.root != "/" })
    func checkModeAcceptsRenderedFiles(_ c: ServiceGoldens.Case) throws {
        let config = try ServiceGoldens.config(c.source)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-svc-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ns = try NetworkNamespace(purpose: "svccheck")
        defer { ns.delete() }
        let addressed = try Self.addInterfaces(of: config, to: ns)
        let paths = ServicePaths(root: root)
        let host = PosixServiceHost(paths: paths)
        for var spec in ServicePlanner(paths: paths).plan(config) {
            if !addressed, spec.kind == .dhcp4 {
                // Kea resolves a pinned `"dev/address"` only when the address is on the link,
                // and these tests put nothing but documentation addresses on links: the
                // corpus's private addresses are checked unpinned (the bare device).
                spec.contents = spec.contents.replacingOccurrences(of: #"("[a-z][a-z0-9_.]*)/[0-9.]+""#, with: "$1\"", options: .regularExpression)
            }
            // The real host's check, run from a thread inside the namespace (the child
            // inherits it).
            let result = try ns.run { host.check(spec) }
            #expect(result.ok, "\(c.name) \(spec.kind): \(result.output)\n\(spec.contents)")
        }
    }

    /// The check is a real one: a file with an error is refused by each program.
    @Test(.enabled(if: runnable, Comment(rawValue: "check-mode test: \(unavailableReason ?? "")")))
    func checkModeRefusesBrokenFiles() throws {
        let config = try ServiceGoldens.config(ServiceGoldens.examples.appendingPathComponent("primaryfw.xml"))
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-svc-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ns = try NetworkNamespace(purpose: "svcbroken")
        defer { ns.delete() }
        try Self.addInterfaces(of: config, to: ns)
        let paths = ServicePaths(root: root)
        let host = PosixServiceHost(paths: paths)
        let specs = ServicePlanner(paths: paths).plan(config)
        #expect(specs.count == 3)
        for var spec in specs {
            spec.contents = spec.kind == .dhcp4
                ? spec.contents.replacingOccurrences(of: "\"authoritative\"", with: "\"bogus-keyword\"")
                : spec.contents + "bogus-directive yes\n"
            let result = try ns.run { host.check(spec) }
            #expect(!result.ok, "\(spec.kind) accepted a broken file")
            #expect(result.output.contains("bogus"), "\(spec.kind): \(result.output)")
            // The refused candidate never replaced a live file.
            #expect(!FileManager.default.fileExists(atPath: spec.configPath))
        }
    }

    /// A veth link per enabled interface, named as `<if>` (its peer `tpN` stays in the same
    /// namespace), with the static addresses when every one is a documentation address.
    /// Returns whether the addresses were added.
    @discardableResult
    static func addInterfaces(of config: Config, to ns: NetworkNamespace) throws -> Bool {
        let interfaces = config.interfaces.filter { $0.enabled && ($0.device ?? "").count.isIn(1...15) }
        let documentation = interfaces.flatMap(\.networks).allSatisfy { n in
            ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"].contains { IPNetwork($0)!.contains(n.address) }
        }
        for (index, i) in interfaces.enumerated() {
            let device = i.device!
            try ns.exec(["ip", "link", "add", device, "type", "veth", "peer", "name", "tp\(index)"])
            if documentation {
                for n in i.networks { try ns.exec(["ip", "addr", "add", n.description, "dev", device]) }
            }
        }
        return documentation
    }
}

private extension Int {
    func isIn(_ r: ClosedRange<Int>) -> Bool { r.contains(self) }
}
