import TandemNetlink
import TandemRuleset
import TandemTestSupport

/// Kernel-test helpers: a fresh namespace per test, commits run inside it, listings read
/// with `nft` inside it.
enum NftKernel {
    static func commit(_ ns: NetworkNamespace, _ request: CommitRequest) throws -> CommitReport {
        try ns.run { try NetlinkRulesetCommitter().commit(request) }
    }

    static func generation(_ ns: NetworkNamespace) throws -> UInt32 {
        try ns.run { try NetlinkRulesetCommitter().generation() }
    }

    static func list(_ ns: NetworkNamespace, _ table: String = "inet tandem") throws -> String {
        try ns.exec(["nft", "list", "table"] + table.split(separator: " ").map(String.init))
    }

    /// The listing `nft -f` produces for `text` in a namespace of its own.
    static func reference(_ text: String, table: String = "inet tandem") throws -> String {
        let ns = try NetworkNamespace(purpose: "nft-ref")
        defer { ns.delete() }
        try ns.exec(["nft", "-f", "-"], input: text)
        return try list(ns, table)
    }
}
