import Foundation
import TandemCARP
import TandemConfig

/// A daemon replaced by a newer one (a package upgrade) must not bow out of CARP: that
/// hands the traffic to the peer and, with preemption, back again. The package's postinst
/// asks for a handover by creating `handoverRequest` before it restarts the service; the
/// stopping daemon then leaves the ruleset and VIPs in place and writes the vhids it is
/// master of to `handover`, which the new daemon reads (once) and resumes as master.
///
/// With each vhid goes the counter its next advertisement carries: the peer's replay guard
/// holds the old daemon as a sequential sender (`CarpReplayGuard`) and would refuse a new
/// random counter at or below the last one, letting its master-down timer run out.
///
/// The file is text, one `interface vhid counter` per line, so it can be read by hand too.
public enum Handover {
    /// How old a handover file may be to count: older, the peer has long taken over
    /// (master-down is ~3 s) and resuming as master would only make it flap.
    public static let maximumAge: TimeInterval = 30

    public static func encode(_ masters: [CarpGroupID: UInt64]) -> String {
        masters.sorted { $0.key < $1.key }.map { "\($0.key.interface) \($0.key.vhid) \($0.value)\n" }.joined()
    }

    public static func decode(_ text: String, file: String) throws(HandoverError) -> [CarpGroupID: UInt64] {
        var masters: [CarpGroupID: UInt64] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: " ")
            if fields.isEmpty { continue }
            guard fields.count == 3, let vhid = UInt8(fields[1]), (1...255).contains(vhid),
                  let counter = UInt64(fields[2]) else {
                throw HandoverError(file: file, line: index + 1,
                                    problem: "expected `interface vhid counter` (vhid 1-255, counter a 64-bit number), found \"\(line)\"")
            }
            masters[CarpGroupID(interface: String(fields[0]), vhid: vhid)] = counter
        }
        return masters
    }
}

public struct HandoverError: Error, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var problem: String
    public var description: String { "\(file):\(line): \(problem)" }
}

extension NodePaths {
    /// `ROOT/run/tandem/handover-request`: created by the package's postinst before a restart.
    public var handoverRequest: String { runDirectory + "/handover-request" }
    /// `ROOT/run/tandem/handover`: the vhids the stopped daemon was master of.
    public var handover: String { runDirectory + "/handover" }
}

/// The handover files (adapter over `Handover`).
struct HandoverFiles {
    let paths: NodePaths

    /// Whether a handover was asked for; the request is used up.
    func takeRequest() -> Bool {
        unlink(paths.handoverRequest) == 0
    }

    func write(_ masters: [CarpGroupID: UInt64]) throws {
        try AtomicFile.write(Array(Handover.encode(masters).utf8), to: paths.handover, mode: 0o600)
    }

    /// The vhids to resume with their next counters, read once (the file is removed): empty without a file or with
    /// one older than `Handover.maximumAge`.
    func take(now: Date = Date()) throws -> [CarpGroupID: UInt64] {
        let path = paths.handover
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return [:] }
        defer { unlink(path) }
        if let modified = attributes[.modificationDate] as? Date, now.timeIntervalSince(modified) > Handover.maximumAge {
            return [:]
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try Handover.decode(text, file: path)
    }
}
