import Foundation
import TandemConfig

extension CommitConfirm {
    /// The value's file (`NodePaths.commitConfirm`): absent means nothing pending and no
    /// expiry yet. An unreadable file is reported, not ignored: a deadline that silently
    /// vanished would leave an unconfirmed config in place.
    static func load(_ paths: NodePaths) throws -> CommitConfirm {
        guard FileManager.default.fileExists(atPath: paths.commitConfirm) else { return CommitConfirm() }
        let data = try Data(contentsOf: URL(fileURLWithPath: paths.commitConfirm))
        do {
            return try JSONDecoder().decode(CommitConfirm.self, from: data)
        } catch {
            throw CommitConfirmFileError(path: paths.commitConfirm, reason: "\(error)")
        }
    }

    func save(_ paths: NodePaths) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)) + [UInt8(ascii: "\n")], to: paths.commitConfirm)
    }

    /// The lines of `tandem status`.
    func lines(now: Double) -> [String] {
        var lines: [String] = []
        if let p = pending {
            let left = p.deadline - now
            let when: String = left > 0 ? "in \(Self.seconds(left))" : "now"
            let clock: String = NodeStatus.clock(p.deadline)
            let tail: String = restoring ? "; restoring" : ""
            lines.append("commit-confirm PENDING: revision \(p.applied) restores revision \(p.restore) at \(clock) UTC (\(when)) unless `tandem confirm`\(tail)")
        }
        if let e = lastExpiry {
            let outcome = e.revision.map { "restored revision \(e.restored) as revision \($0)" }
                ?? "restoring revision \(e.restored) failed: \(e.error ?? "no reason given")"
            lines.append("last commit-confirm expiry: " + NodeStatus.clock(e.time) + " UTC, " + outcome)
        }
        return lines
    }
}

struct CommitConfirmFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): not a commit-confirm record: \(reason)" }
}
