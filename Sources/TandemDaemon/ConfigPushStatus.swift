import TandemConfig
import TandemConfigSync
import TandemConfigSyncClient

/// Config sync as this node pushes it, for `tandem status`: the peer, the pinned certificate,
/// the last push (from `var/lib/tandem/sync/last-push`) and the standing notice of a failed one.
public struct ConfigPushStatus: Sendable, Codable, Equatable {
    /// The peer's URL (no credentials); nil when this node does not push.
    public var peer: String?
    /// The pinned SHA-256 fingerprint of the peer's certificate.
    public var pinnedCertificate: String?
    public var lastPush: LastPush?
    /// The error of the last push while it stands (pfSense's persistent notice).
    public var notice: String?

    public struct LastPush: Sendable, Codable, Equatable {
        /// Seconds since the epoch.
        public var time: Double?
        public var revision: String?
        public var sections: [String]
        /// `pushed`, `refused` or `failed`.
        public var result: String
        public var error: String?
        public var attempts: Int?
    }

    /// Nil on a node that neither pushes nor ever pushed.
    static func read(paths: NodePaths, config: Config?) -> ConfigPushStatus? {
        let record = SyncPushRecord(paths: paths)
        let fields = record.load()
        let peer = config.flatMap { SyncPush.target(for: $0) }?.description
        guard peer != nil || !fields.isEmpty else { return nil }
        var status = ConfigPushStatus(peer: peer, pinnedCertificate: PeerPinStore(paths: paths).load(), notice: record.notice())
        if let result = fields["result"] {
            status.lastPush = LastPush(time: fields["time"].flatMap(Double.init), revision: fields["revision"],
                                       sections: (fields["sections"] ?? "").split(separator: ",").map(String.init),
                                       result: result, error: fields["error"], attempts: fields["attempts"].flatMap(Int.init))
        }
        return status
    }

    var lines: [String] {
        var lines = ["config push to \(peer ?? "(no peer configured)")"]
        if let last = lastPush {
            let when = last.time.map { NodeStatus.clock($0) + " UTC" } ?? "at an unknown time"
            lines.append("  last push \(when): \(last.result)" + (last.sections.isEmpty ? "" : " (\(last.sections.joined(separator: ", ")))"))
            if let revision = last.revision { lines.append("  revision: \(revision)") }
            if let error = last.error { lines.append("  error: \(error)") }
        } else {
            lines.append("  no push yet")
        }
        if let notice { lines.append("  NOTICE: \(notice)") }
        lines.append("  peer certificate: " + (pinnedCertificate.map { "pinned sha256 \($0)" } ?? "not pinned yet (pinned on the first successful push)"))
        return lines
    }
}
