import Foundation
import Testing
import TandemTestSupport

/// `tandem apply` / `tandem diff` end to end: the built binary run inside a fresh
/// namespace with `--root` pointing at a temporary directory.
@Suite("tandem apply and diff (kernel)", .serialized)
struct NftApplyCLIKernelTests {
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TandemCompilerTests/Goldens")
    /// The `tandem` executable next to the test bundle (`swift build --build-tests` builds it).
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("tandem").path

    /// The aliases golden without its deliberate alias loop, and the same with one more
    /// server address.
    static func aliasesConfig(extraServer: Bool) throws -> String {
        var xml = try String(contentsOf: goldens.appendingPathComponent("aliases.xml"), encoding: .utf8)
        xml = xml.replacingOccurrences(of: "<address>192.0.2.128/26 loop_b</address>", with: "<address>192.0.2.128/26</address>")
        xml = xml.replacingOccurrences(of: "<address>loop_a 192.0.2.192/26</address>", with: "<address>192.0.2.192/26</address>")
        if extraServer {
            xml = xml.replacingOccurrences(of: "192.0.2.12 192.0.2.13", with: "192.0.2.12 192.0.2.13 192.0.2.99")
        }
        return xml
    }

    struct Node {
        let ns: NetworkNamespace
        let root: URL

        init() throws {
            ns = try NetworkNamespace(purpose: "nft-cli")
            root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-nft-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }

        func cleanUp() {
            ns.delete()
            try? FileManager.default.removeItem(at: root)
        }

        func file(_ name: String, _ text: String) throws -> String {
            let url = root.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }

        /// Runs `tandem ARGS --root ROOT` in the namespace; returns (status, stdout+stderr).
        func tandem(_ args: [String]) throws -> (Int32, String) {
            do {
                let out = try ns.exec([NftApplyCLIKernelTests.binary] + args + ["--root", root.path])
                return (0, out)
            } catch NetworkNamespace.Failure.command(_, let status, let output) {
                return (status, output)
            }
        }

        var config: String? { try? String(contentsOf: root.appendingPathComponent("etc/tandem/config.xml"), encoding: .utf8) }
        var listing: String { (try? NftKernel.list(ns)) ?? "" }
    }

    /// A rule description of exactly 128 bytes ending in a multi-byte letter (64 Cyrillic
    /// letters) trapped `tandem apply` while encoding the rule's comment.
    @Test(.enabled(if: NetworkNamespace.unavailableReason == nil,
                   "needs root and network namespaces: \(NetworkNamespace.unavailableReason ?? "")"))
    func applyTakesA128ByteDescriptionEndingInAMultiByteLetter() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let cyrillic = String(repeating: "ж", count: 64)
        var xml = try String(contentsOf: Self.goldens.appendingPathComponent("interface-rules.xml"), encoding: .utf8)
        xml = xml.replacingOccurrences(of: "<descr>LAN to HTTPS</descr>", with: "<descr>\(cyrillic)</descr>")
        let (status, out) = try node.tandem(["apply", try node.file("cyrillic.xml", xml)])
        #expect(status == 0, "\(out)")
        // The comment "tracker 1001: " + the description is cut to 128 bytes (57 letters),
        // then to 127 for the NUL: 56 letters, as the whole letter that did not fit is left out.
        #expect(node.listing.contains("comment \"tracker 1001: " + String(repeating: "ж", count: 56) + "\""), "\(node.listing)")
    }

    @Test(.needsNetworkNamespaces) func applyCommitsRecordsTheConfigAndSetsKernelSettings() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build tandem first: \(Self.binary)")
        let node = try Node()
        defer { node.cleanUp() }
        let golden = Self.goldens.appendingPathComponent("carp-ha.xml").path
        let (status, out) = try node.tandem(["apply", golden])
        #expect(status == 0, "\(out)")
        #expect(out.contains("full"))
        // The config store made it the node's config with a revision stamp and a history copy.
        #expect(node.config?.contains("tandem apply carp-ha.xml") == true)
        #expect(node.config?.contains("<hostname>primaryfw</hostname>") == true)
        #expect(FileManager.default.fileExists(atPath: node.root.appendingPathComponent("var/lib/tandem/history/000001.xml").path))
        #expect(out.contains("revision 1"), "\(out)")
        let text = try String(contentsOf: Self.goldens.appendingPathComponent("carp-ha.nft"), encoding: .utf8)
        #expect(node.listing == (try NftKernel.reference(text)))
        #expect(try node.ns.exec(["sysctl", "-n", "net.ipv4.ip_forward"]) == "1\n")
        #expect(try node.ns.exec(["sysctl", "-n", "net.netfilter.nf_conntrack_tcp_loose"]) == "0\n")
        // Applying the node's own config again changes nothing.
        let (again, out2) = try node.tandem(["apply"])
        #expect(again == 0 && out2.contains("unchanged"), "\(out2)")
    }

    /// Processes whose command line names `root` (`tandem … --root ROOT` and its forks).
    static func processes(naming root: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(root)
        }
    }

    @Test(.needsNetworkNamespaces) func theNetlinkSocketIsReleasedByAChildThatExitsAfterTheApply() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let base = try String(contentsOf: Self.goldens.appendingPathComponent("floating.xml"), encoding: .utf8)
        for text in [base, base.replacingOccurrences(of: "<port>25</port>", with: "<port>26</port>")] {
            let (status, out) = try node.tandem(["apply", try node.file("fw.xml", text)])
            #expect(status == 0, "\(out)")
            // The child that holds the socket learns of the apply's exit and goes: bounded
            // wait (the kernel's grace period is milliseconds).
            let deadline = Date().addingTimeInterval(5)
            while !Self.processes(naming: node.root.path).isEmpty, Date() < deadline { usleep(10_000) }
            #expect(Self.processes(naming: node.root.path).isEmpty, "a release child outlived its apply")
        }
        // The kernel took both commits (the second an edit) and nothing else was left open.
        #expect(node.listing.contains("dport 26"))
    }

    @Test(.needsNetworkNamespaces) func anInvalidConfigOrADryRunChangesNothing() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let good = Self.goldens.appendingPathComponent("single-interface.xml").path
        #expect(try node.tandem(["apply", good]).0 == 0)
        let listing = node.listing, config = node.config
        // The unmodified aliases golden has an alias loop: the validator refuses it.
        let (status, out) = try node.tandem(["apply", Self.goldens.appendingPathComponent("aliases.xml").path])
        #expect(status == 1)
        #expect(out.contains("loop_a") && out.contains("nothing was changed"))
        let (dry, dryOut) = try node.tandem(["apply", "--dry-run", Self.goldens.appendingPathComponent("carp-ha.xml").path])
        #expect(dry == 0 && dryOut.contains("dry run"), "\(dryOut)")
        let (diff, diffOut) = try node.tandem(["diff", Self.goldens.appendingPathComponent("carp-ha.xml").path])
        #expect(diff == 0 && diffOut.contains("~ chain inet tandem"), "\(diffOut)")
        #expect(node.listing == listing)
        #expect(node.config == config)
        let (missing, _) = try node.tandem(["apply", node.root.appendingPathComponent("nope.xml").path])
        #expect(missing == 2)
    }

    @Test(.needsNetworkNamespaces) func anAliasChangeIsAppliedAsOneElementMessage() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let first = try node.file("a1.xml", Self.aliasesConfig(extraServer: false))
        let second = try node.file("a2.xml", Self.aliasesConfig(extraServer: true))
        #expect(try node.tandem(["apply", first]).0 == 0)
        let (_, diff) = try node.tandem(["diff", second])
        #expect(diff.contains("+ element inet tandem alias_servers_v4 192.0.2.99"), "\(diff)")
        #expect(diff.contains("apply would be incremental: 1 message (NEWSETELEM 1)"), "\(diff)")
        let (status, out) = try node.tandem(["apply", second])
        #expect(status == 0 && out.contains("incremental, 1 message (NEWSETELEM 1)"), "\(out)")
        #expect(node.listing.contains("192.0.2.99"))
    }

    @Test(.needsNetworkNamespaces) func aChangedRuleIsReplacedByItsRecordedHandleAndBackAgain() throws {
        let node = try Node()
        defer { node.cleanUp() }
        let original = try Self.aliasesConfig(extraServer: false)
        let first = try node.file("r1.xml", original)
        let second = try node.file("r2.xml", original.replacingOccurrences(
            of: "<descr>to servers on web ports</descr>", with: "<descr>to servers on the web ports</descr>"))
        #expect(try node.tandem(["apply", first]).0 == 0)
        let fullListing = node.listing
        // The handles are recorded with the applied state; the edit below places rules by them.
        let state = node.root.appendingPathComponent("var/lib/tandem/ruleset/applied.state")
        #expect(FileManager.default.fileExists(atPath: state.path))
        let (status, out) = try node.tandem(["apply", second])
        #expect(status == 0 && out.contains("incremental, 4 messages (DELRULE 2, NEWRULE 2)"), "\(out)")
        #expect(node.listing.contains("to servers on the web ports"))
        // (The config rule is two kernel rules.) The handles recorded after the incremental
        // commit are the kernel's: going back swaps the same two rules and lists exactly as
        // the first full apply did.
        let (back, backOut) = try node.tandem(["apply", first])
        #expect(back == 0 && backOut.contains("incremental, 4 messages (DELRULE 2, NEWRULE 2)"), "\(backOut)")
        #expect(node.listing == fullListing)
    }
}
