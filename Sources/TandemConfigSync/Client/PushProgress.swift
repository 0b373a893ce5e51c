/// Where the push of one committed revision stands, read from the last-push record
/// (`SyncPushRecord`): what `tandem apply` on a primary waits for after the daemon's reload
/// and reports (pfSense shows the outcome of `carp_sync_client()` as a notice after the save).
///
/// A revision is known by its `<revision><time>`, which each commit stamps with a fraction
/// of a second. The daemon pushes the config as it is when the push starts and coalesces
/// commits in quick succession, so the record may name a newer revision than the one
/// waited for: that push carried this revision's changes too.
public enum PushProgress: Sendable, Equatable {
    /// The record is of an older revision, or there is none yet.
    case waiting
    /// The push of this revision (`newer` false) or of a later one (`newer` true) ended.
    case finished(Finished)

    public struct Finished: Sendable, Equatable {
        public var newer: Bool
        public var target: String?
        /// `pushed`, `refused` or `failed`.
        public var result: String
        public var sections: [String]
        public var error: String?

        public init(newer: Bool, target: String?, result: String, sections: [String], error: String?) {
            self.newer = newer
            self.target = target
            self.result = result
            self.sections = sections
            self.error = error
        }
    }

    /// - Parameters:
    ///   - revisionTime: the committed revision's `<revision><time>`.
    ///   - record: `SyncPushRecord.load()`.
    public static func of(revisionTime: Double, record: [String: String]) -> PushProgress {
        guard let pushed = record["revision-time"].flatMap(Double.init), pushed >= revisionTime,
              let result = record["result"], result != "pending" else { return .waiting }
        return .finished(Finished(newer: pushed > revisionTime, target: record["target"], result: result,
                                  sections: (record["sections"] ?? "").split(separator: ",").map(String.init),
                                  error: record["error"]))
    }

    /// What `tandem apply` prints: one line for the push, then one per section when it went
    /// through, as `tandem sync now` does.
    public var lines: [String] {
        guard case .finished(let f) = self else { return [] }
        let which = f.newer ? " (with a newer revision)" : ""
        switch f.result {
        case "pushed":
            return ["config pushed to \(f.target ?? "the peer")\(which)"] + f.sections.map { "  \($0): pushed" }
        default:
            return ["push \(f.result)\(which): \(f.error ?? "no reason recorded")"]
        }
    }

    public var succeeded: Bool {
        if case .finished(let f) = self { return f.result == "pushed" }
        return false
    }
}
