#if canImport(Glibc)
import Glibc
#endif
import TandemRuleset

/// Commits a Ruleset to the kernel as one transaction. The daemon and the CLI use this
/// protocol, so they can be tested with a fake; `NetlinkRulesetCommitter` is the real one.
public protocol RulesetCommitter: Sendable {
    /// The current ruleset generation (`NFT_MSG_GETGEN`).
    func generation() throws -> UInt32
    /// Checks (dry run) or commits `request.ruleset`. On any error the kernel keeps the
    /// ruleset it had.
    func commit(_ request: CommitRequest) throws -> CommitReport
}

/// What was last committed, for incremental commits: the ruleset and the generation the
/// kernel moved to when it was committed.
public struct CommittedRuleset: Sendable, Hashable {
    public var ruleset: Ruleset
    public var generation: UInt32
    /// The kernel handles of its rules, where known (chains missing here are dumped when
    /// an incremental commit needs them).
    public var handles: NftRuleHandles?
    /// For a partial request: the handles of every chain the kernel holds (`handles` has
    /// only the windows'), which the report's handles are followed from.
    public var allHandles: NftRuleHandles?

    public init(ruleset: Ruleset, generation: UInt32, handles: NftRuleHandles? = nil, allHandles: NftRuleHandles? = nil) {
        self.ruleset = ruleset
        self.generation = generation
        self.handles = handles
        self.allHandles = allHandles
    }
}

public struct CommitRequest: Sendable {
    public var ruleset: Ruleset
    /// The last committed state. When given and the kernel's generation is still the one
    /// recorded there (nobody committed since) only the differences are sent.
    public var previous: CommittedRuleset?
    /// Send the batch without END: the kernel validates everything and commits nothing.
    public var dryRun: Bool
    /// Refuse with `NftCommitError.concurrentChange` unless the kernel is at this
    /// generation (compare-and-swap). nil: the generation read at the start of the commit.
    public var expectedGeneration: UInt32?
    /// Send the batch without END first and commit (the same messages, with END) only when
    /// the kernel accepted all of them: a dry run and a commit in one call, planned and
    /// encoded once.
    public var validateFirst: Bool
    /// Called once the batch is encoded, right before the kernel gets it: the kernel works
    /// on one core, so the caller may start work for the other.
    public var beforeKernel: (@Sendable () -> Void)?
    /// `ruleset` and `previous.ruleset` hold only windows of the kernel's chains (the rules
    /// an edit touches beside a kept neighbour, every set): they can only be committed
    /// incrementally by the recorded handles. Anything that would need a full replace or a
    /// dump fails with `NftCommitError.notIncremental` instead, changing nothing.
    public var partial = false

    public init(ruleset: Ruleset, previous: CommittedRuleset? = nil, dryRun: Bool = false,
                expectedGeneration: UInt32? = nil, validateFirst: Bool = false) {
        self.ruleset = ruleset
        self.previous = previous
        self.dryRun = dryRun
        self.expectedGeneration = expectedGeneration
        self.validateFirst = validateFirst
    }
}

public struct CommitReport: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable {
        /// Every Tandem table replaced (add, delete, add).
        case full
        /// Only changed chains, sets and elements sent.
        case incremental
        /// Nothing differed; no batch was sent.
        case unchanged
    }

    public var mode: Mode
    public var dryRun: Bool
    /// Messages between BEGIN and END, by kind (`NEWRULE`, `NEWSETELEM`, …).
    public var messageCounts: [String: Int]
    public var batchBytes: Int
    /// The generation the kernel is at after the commit (the one it was at for a dry run).
    public var generation: UInt32
    /// Why an incremental commit was not possible, when it was asked for.
    public var fullReason: String?
    /// Time spent planning and encoding the batch, and in the kernel's exchange(s).
    public var encodeTime: Duration = .zero
    public var kernelTime: Duration = .zero
    /// The handles of the rules the kernel holds after the commit, where known (nil for a
    /// dry run).
    public var handles: NftRuleHandles?

    public var messages: Int { messageCounts.values.reduce(0, +) }
}

/// One error the kernel reported for one message of the batch.
public struct NftKernelError: Sendable, Hashable, CustomStringConvertible {
    /// The config item or object the failing message was about.
    public var subject: String
    public var errno: Int32
    /// `NETLINK_EXT_ACK` text, when the kernel gave one.
    public var message: String?

    public var description: String {
        var s = "\(subject): kernel: \(NftCommitError.errnoText(errno))"
        if let message, !message.isEmpty { s += " (\(message))" }
        return s
    }
}

public enum NftCommitError: Error, Sendable, CustomStringConvertible {
    /// The kernel refused the batch; nothing was committed.
    case rejected([NftKernelError])
    /// Another commit happened since `expected` (ERESTART on NFNL_BATCH_GENID).
    case concurrentChange(expected: UInt32)
    /// The IR holds something the linearisation cannot express.
    case unsupported(place: String, problem: String)
    /// A message field is longer than the kernel accepts; nothing was sent.
    case unencodable(NftEncodingError)
    /// END was sent but neither its ack nor an error came back.
    case noAcknowledgement
    /// A partial request could not be committed incrementally (nothing was changed).
    case notIncremental(String)
    case netlink(NetlinkError)

    public var description: String {
        switch self {
        case .rejected(let errors):
            return errors.map(\.description).joined(separator: "\n")
        case .concurrentChange(let expected):
            return "concurrent change: the ruleset generation is no longer \(expected) (another commit happened); nothing was changed"
        case .unsupported(let place, let problem):
            return "\(place): \(problem)"
        case .unencodable(let e):
            return e.description
        case .noAcknowledgement:
            return "nftables commit: the kernel did not acknowledge the batch"
        case .notIncremental(let why):
            return "not an incremental commit: \(why)"
        case .netlink(let e):
            return e.description
        }
    }

    static func errnoText(_ e: Int32) -> String {
        String(cString: strerror(e))
    }
}
