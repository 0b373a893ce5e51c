import Foundation
import TandemConfig

/// The peer certificate's SHA-256 fingerprint, pinned on the first successful push and
/// checked on every later one, in `var/lib/tandem/tls/peer.pin` (one line, `sha256:HEX`).
/// pfSense never verifies the peer's certificate; a self-signed one cannot be verified
/// against a CA either, so trust on first use is what can be checked.
public struct PeerPinStore: Sendable {
    public let path: String

    public init(paths: NodePaths) {
        self.path = paths.tls + "/peer.pin"
    }

    public func load() -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard line.hasPrefix("sha256:") else { return nil }
        let hex = String(line.dropFirst("sha256:".count)).lowercased()
        return hex.count == 64 && hex.allSatisfy(\.isHexDigit) ? hex : nil
    }

    public func save(_ fingerprint: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("sha256:\(fingerprint)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Forgets the pin: the next successful push pins whatever the peer presents.
    public func remove() throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.removeItem(atPath: path)
    }
}
