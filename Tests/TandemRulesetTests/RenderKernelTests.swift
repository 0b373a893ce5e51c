import Foundation
import Testing
import TandemAddress
import TandemTestSupport
@testable import TandemRuleset

/// Every Match and Statement case, rendered into chains where each is legal, must pass
/// `nft -c -f` (a kernel-validated dry run) inside a throwaway namespace.
@Suite struct RenderKernelTests {
    static func everyCaseRuleset() -> Ruleset {
        let filterMatches = RenderMatchTests.cases.map(\.0).filter {
            if case .port = $0 { return false }
            return true
        }
        var input: [Rule] = filterMatches.map { Rule(matches: [$0], statements: [.counter, .verdict(.continue)]) }
        let portRules = RenderMatchTests.cases.map(\.0).compactMap { match -> Rule? in
            guard case .port = match else { return nil }
            return Rule(matches: [.l4proto([6, 17]), match], statements: [.verdict(.accept)])
        }
        input += portRules
        let filterStatements = RenderStatementTests.cases.map(\.0).filter {
            switch $0 {
            case .snat, .dnat, .masquerade, .notrack: false
            case .reject(.tcpReset): false
            default: true
            }
        }
        input += filterStatements.map { Rule(matches: [.ctMark(0x77)], statements: [$0], comment: "every \"case\"") }
        input.append(Rule(matches: [.l4proto([6])], statements: [.reject(.tcpReset)]))
        let natStatements = RenderStatementTests.cases.map(\.0).filter {
            switch $0 { case .snat, .masquerade: true; default: false }
        }
        let post = natStatements.map { Rule(matches: [.l4proto([6])], statements: [$0]) }
        let pre = RenderStatementTests.cases.map(\.0).filter {
            if case .dnat = $0 { return true }
            return false
        }.map { Rule(matches: [.l4proto([6])], statements: [$0]) }
        let sets = [
            NamedSet(name: "wan_ifs", keyType: .ifname, elements: [.single(.ifname("eth1"))]),
            NamedSet(name: "alias_v6", keyType: .ipv6Address, flags: .interval,
                     elements: [.interval(.ipv6(IPv6Address("2001:db8::")!), .ipv6(IPv6Address("2001:db8::ff")!))]),
            NamedSet(name: "web_ports", keyType: .inetService, flags: .interval,
                     elements: [.single(.port(80)), .interval(.port(8000), .port(8099))]),
            NamedSet(name: "input_ifs", keyType: .ifname, dataType: .verdict,
                     elements: [.mapping(.ifname("eth0"), .jump("if_lan"))]),
            NamedSet(name: "out_ifs", keyType: .ifname, dataType: .verdict,
                     elements: [.mapping(.ifname("eth0"), .goto("if_wan"))]),
        ]
        return Ruleset(tables: [Table(family: .inet, name: "tandem_render", sets: sets, chains: [
            Chain(name: "if_lan"), Chain(name: "if_wan"),
            Chain(name: "input", base: BaseChain(type: .filter, hook: .input, priority: 0, policy: .drop), rules: input),
            Chain(name: "raw", base: BaseChain(type: .filter, hook: .prerouting, priority: -300),
                  rules: [Rule(matches: [.l4proto([17])], statements: [.notrack])]),
            Chain(name: "dstnat", base: BaseChain(type: .nat, hook: .prerouting, priority: -100), rules: pre),
            Chain(name: "srcnat", base: BaseChain(type: .nat, hook: .postrouting, priority: 100), rules: post),
        ])])
    }

    @Test(.needsNetworkNamespaces) func everyCasePassesNftCheck() throws {
        let text = Self.everyCaseRuleset().render()
        let ns = try NetworkNamespace(purpose: "render")
        defer { ns.delete() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-render-\(UUID()).nft").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: Never.self) { try ns.exec(["nft", "-c", "-f", path]) }
        // A real load too, then the same file again: the preamble makes it a replace.
        try ns.exec(["nft", "-f", path])
        try ns.exec(["nft", "-f", path])
        let listed = try ns.exec(["nft", "list", "table", "inet", "tandem_render"])
        #expect(listed.contains("iifname vmap @input_ifs"))
    }
}
