import Foundation
import TandemAddress
import TandemConfig
import TandemConfigSync
import TandemServices

/// Inputs and golden files of the service renderers. A case renders a config with a
/// private root (`/srv/tandem/node`) into `<case>.kea-dhcp4.json`, `<case>.unbound.conf`
/// and `<case>.chronyd.conf`; a service the config does not ask for has no file.
enum ServiceGoldens {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let examples = package.appendingPathComponent("etc/examples")
    /// `<package>/../shared/corpus`, or TANDEM_CORPUS.
    static let corpus: URL = ProcessInfo.processInfo.environment["TANDEM_CORPUS"].map { URL(fileURLWithPath: $0) }
        ?? package.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    static var recording: Bool { ProcessInfo.processInfo.environment["TANDEM_RECORD_GOLDENS"] == "1" }

    static let root = "/srv/tandem/node"
    static let hooks = ServicePlanner.debianKeaHooks

    /// The corpus files with a DHCP scope, resolver or CARP: the HA pair and the DHCP sample.
    static let corpusFiles = ["opnsense-carp-master.xml", "opnsense-carp-backup.xml", "pfsensible-dhcp-server.xml"]

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var source: URL
        var root: String
        /// The primary whose push the source receives first (the node-local example secondary).
        var pushedFrom: URL? = nil
        var description: String { name }
    }

    static var cases: [Case] {
        var all: [Case] = []
        let own = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".xml") }.sorted()
        for f in own { all.append(Case(name: String(f.dropLast(4)), source: directory.appendingPathComponent(f), root: root)) }
        all.append(Case(name: "example-primaryfw", source: examples.appendingPathComponent("primaryfw.xml"), root: root))
        all.append(Case(name: "example-secondaryfw", source: examples.appendingPathComponent("secondaryfw.xml"), root: root,
                        pushedFrom: examples.appendingPathComponent("primaryfw.xml")))
        // The appliance layout (`--root /`), where Debian's AppArmor profiles expect the files.
        all.append(Case(name: "appliance-primaryfw", source: examples.appendingPathComponent("primaryfw.xml"), root: "/"))
        if FileManager.default.fileExists(atPath: corpus.path) {
            for f in corpusFiles {
                all.append(Case(name: "corpus-" + f.dropLast(4), source: corpus.appendingPathComponent(f), root: root))
            }
        } else {
            print("ServiceGoldens: corpus cases skipped, no corpus at \(corpus.path)")
        }
        return all
    }

    static func config(_ url: URL) throws -> Config {
        try ConfigDocument(bytes: Array(Data(contentsOf: url))).config
    }

    /// `secondaryfw.xml` holds only node-local settings: its VIPs, DHCP scope and the rest
    /// arrive with `primaryfw.xml`'s first push, as in the lab. This is the secondary as that
    /// push (`SyncPush.plan` → `restore_config_section`) leaves it.
    static func exampleSecondary() throws -> Config {
        try afterPush(of: examples.appendingPathComponent("primaryfw.xml"), into: examples.appendingPathComponent("secondaryfw.xml"))
    }

    static func afterPush(of primary: URL, into secondary: URL) throws -> Config {
        let from = try ConfigDocument(bytes: Array(Data(contentsOf: primary)))
        let local = try ConfigDocument(bytes: Array(Data(contentsOf: secondary)))
        guard let plan = SyncPush.plan(from) else { throw PushError(why: "\(primary.lastPathComponent) pushes nothing") }
        let receiver = SyncReceiver(versions: .init(firmware: "test", kernel: "test"))
        guard case .commit(let commit) = receiver.handle(call: plan.restoreCall, local: local, caller: IPAddress("203.0.113.1")) else {
            throw PushError(why: "\(secondary.lastPathComponent) did not commit \(primary.lastPathComponent)'s push")
        }
        return commit.document.config
    }

    struct PushError: Error, CustomStringConvertible {
        var why: String
        var description: String { why }
    }

    static func specs(_ c: Case) throws -> [ServiceSpec] {
        let config = try c.pushedFrom.map { try afterPush(of: $0, into: c.source) } ?? config(c.source)
        return ServicePlanner(paths: ServicePaths(root: c.root), keaHooksDirectory: hooks).plan(config)
    }

    static func fileName(_ c: Case, _ kind: ServiceKind) -> String {
        c.name + "." + kind.rawValue + (kind == .dhcp4 ? ".json" : ".conf")
    }

    static func diff(expected: String, actual: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for i in 0..<max(e.count, a.count) {
            let x = i < e.count ? String(e[i]) : "<none>", y = i < a.count ? String(a[i]) : "<none>"
            if x != y { out.append("line \(i + 1):\n- \(x)\n+ \(y)") }
            if out.count >= 15 { break }
        }
        return out.joined(separator: "\n")
    }
}
