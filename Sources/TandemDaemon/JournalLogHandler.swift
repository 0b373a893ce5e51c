#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// Log lines on standard error with the syslog priority in front, `<3>message`, which
/// journald reads from a service's stream as the entry's priority (sd-daemon(3),
/// SD_ERR etc.). Used only when standard error *is* the journal stream, i.e. when
/// `$JOURNAL_STREAM` names its device and inode (systemd.exec(5)); a terminal keeps the
/// plain `StreamLogHandler` format.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// syslog(3) priorities: swift-log has no `alert`/`emerg`, and trace is debug.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// One entry per line: a message with newlines would otherwise become several entries,
    /// the later ones at the default priority.
    public static func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var text = message
        if !metadata.isEmpty {
            text += " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        return "<\(priority(level))>\(label): \(text.replacingOccurrences(of: "\n", with: " | "))\n"
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let bytes = Array(Self.line(level: event.level, label: label, message: "\(event.message)", metadata: all).utf8)
        // One write(2) per entry: lines from the pump threads do not interleave.
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Whether standard error is the stream `$JOURNAL_STREAM` names (`device:inode`).
    public static func stderrIsJournal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        var st = stat()
        guard fstat(STDERR_FILENO, &st) == 0 else { return false }
        return value == "\(st.st_dev):\(st.st_ino)"
    }
}
