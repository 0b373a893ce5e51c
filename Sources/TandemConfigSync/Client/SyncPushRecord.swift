import Foundation
import TandemConfig

/// The last push's outcome, kept under `var/lib/tandem/sync/` for `tandem status` and as
/// the persistent notice pfSense raises (`file_notice("sync_settings", …)`): `last-push`
/// holds the outcome of the last push, `notice` the error of a failed one until a push
/// succeeds again. Plain `key: value` lines, one per field.
public struct SyncPushRecord: Sendable {
    public let directory: String

    public init(paths: NodePaths) {
        directory = paths.stateDirectory + "/sync"
    }

    public var lastPushPath: String { directory + "/last-push" }
    public var noticePath: String { directory + "/notice" }

    /// Records an outcome: `time`, `revision` (the pushed config's revision text),
    /// `revision-time` (its `<revision><time>`, which `tandem apply` waits for), `target`,
    /// `sections`, `result` (`pushed`/`refused`/`failed`), `error`, `attempts`.
    public func save(_ outcome: SyncPushOutcome, time: Date, revision: ChangeStamp?) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var lines = [
            "time: \(Int(time.timeIntervalSince1970))",
            "target: \(outcome.target)",
            "sections: \(outcome.sections.joined(separator: ","))",
            "attempts: \(outcome.attempts)",
        ]
        if let text = revision?.description { lines.append("revision: \(text.replacingOccurrences(of: "\n", with: " "))") }
        // Written as the config holds it (Swift's shortest round-trip form), so it reads
        // back as the same Double.
        if let stamp = revision?.time { lines.append("revision-time: \(stamp)") }
        switch outcome.result {
        case .pending: lines.append("result: pending")
        case .pushed: lines.append("result: pushed")
        case .refused(let why): lines += ["result: refused", "error: \(why.replacingOccurrences(of: "\n", with: " "))"]
        case .failed(let why): lines += ["result: failed", "error: \(why.replacingOccurrences(of: "\n", with: " "))"]
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: lastPushPath), options: .atomic)
        if outcome.succeeded {
            try? FileManager.default.removeItem(atPath: noticePath)
        } else {
            try Data((outcome.summary + "\n").utf8).write(to: URL(fileURLWithPath: noticePath), options: .atomic)
        }
    }

    /// The last push's fields, empty when there was none.
    public func load() -> [String: String] {
        guard let text = try? String(contentsOfFile: lastPushPath, encoding: .utf8) else { return [:] }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// The standing notice of a failed push, nil once a push succeeded.
    public func notice() -> String? {
        (try? String(contentsOfFile: noticePath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
